/**
 * A shopper for the loss tests: one cookie jar, a ledger of what it added, and the cart it last
 * saw. Every request is bounded in time; a failed request is a result, not an exception.
 */

import { isFreshCart, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { createCookieJar } from '@statelab/cart-core/dev';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on whatever JSON came back.
  body: any;
  servedBy: string | undefined;
  ms: number;
}

export interface Shopper {
  readonly variant: Variant;
  readonly name: string;
  /** cartId of the last good answer. */
  cartId: string | undefined;
  /** rev of the last good answer: at 0 the cart held nothing to lose. */
  rev: number;
  /** The instance that last served it. */
  servedBy: string | undefined;
  /** productId -> quantity this shopper added to its current cart. */
  readonly ledger: Map<string, number>;
  /** How often its cartId changed without its asking (a lost session). */
  losses: number;
  request(method: string, path: string, json?: unknown): Promise<Answer>;
  getCart(): Promise<Answer>;
  add(productId: string): Promise<Answer>;
}

export function createShopper(baseUrl: string, variant: Variant, name: string): Shopper {
  const jar = createCookieJar();
  const prefix = TOPOLOGY[variant].prefix;
  const shopper: Shopper = {
    variant,
    name,
    cartId: undefined,
    rev: 0,
    servedBy: undefined,
    ledger: new Map(),
    losses: 0,
    async request(method, path, json) {
      const headers: Record<string, string> = {};
      const cookie = jar.header();
      if (cookie) headers.cookie = cookie;
      if (json !== undefined) headers['content-type'] = 'application/json';
      const started = Date.now();
      try {
        const res = await fetch(new URL(`${prefix}${path}`, baseUrl), {
          method,
          headers,
          body: json === undefined ? undefined : JSON.stringify(json),
          signal: AbortSignal.timeout(10_000),
        });
        jar.store(res.headers.getSetCookie());
        const text = await res.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = { unparsed: text.slice(0, 200) };
        }
        const servedBy = res.headers.get('x-served-by') ?? undefined;
        if (res.status === 200) {
          const { cartId, rev } = body as { cartId: string; rev: number };
          // A new cartId means the old cart is gone, unless it was a fresh one (stateful stores none).
          const previous = { cartId: shopper.cartId, rev: shopper.rev };
          if (previous.cartId !== undefined && cartId !== previous.cartId && !isFreshCart(previous)) {
            shopper.losses++;
            shopper.ledger.clear();
          }
          shopper.cartId = cartId;
          shopper.rev = rev;
          shopper.servedBy = servedBy;
        }
        return { status: res.status, body, servedBy, ms: Date.now() - started };
      } catch (err) {
        return { status: 0, body: { failed: String(err) }, servedBy: undefined, ms: Date.now() - started };
      }
    },
    getCart: () => shopper.request('GET', 'api/cart'),
    async add(productId) {
      const answer = await shopper.request('POST', 'api/cart/items', { productId, quantity: 1 });
      if (answer.status === 200) shopper.ledger.set(productId, (shopper.ledger.get(productId) ?? 0) + 1);
      return answer;
    },
  };
  return shopper;
}

/** The cart's lines as productId -> quantity, to compare with a ledger. */
export function linesOf(cart: {
  items: Array<{ productId: string; quantity: number }>;
}): Map<string, number> {
  return new Map(cart.items.map((i) => [i.productId, i.quantity]));
}
