/**
 * Typed client for one variant's cart API (docs/contract.md §2) under its prefix. The browser keeps
 * and sends the variant's cookie itself; scripts never see it. It writes as a careful client: each
 * write carries a fresh Idempotency-Key and is sent again with it, a few times, when the connection
 * broke or the answer was 502/503/504, so a click during a failover neither fails nor adds twice.
 */
import { type CartView, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '@statelab/cart-core';
import { type ApiError, isCartView, toApiError } from '../logic/cart-shape.ts';
import { requestJson } from './http.ts';

export interface CartAnswer {
  readonly method: string;
  /** The path as the app sees it (the prefix stripped), for the trail. */
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly servedBy?: string;
  readonly cart?: CartView;
  readonly error?: ApiError;
  /** `X-Cart-Token` of a stateless change: the token the HttpOnly cookie now holds. */
  readonly token?: string;
  /** Tries a write took, when more than one. */
  readonly tries?: number;
  /** `Idempotent-Replayed: true`: the server answered from an earlier try it had stored. */
  readonly replayed?: boolean;
}

/** Sends after the first: a careful client gives up after 3 retries. */
export const WRITE_RETRIES = 3;
const RETRY_STATUSES: readonly number[] = [0, 502, 503, 504];

/** 128 random bits as hex: crypto.randomUUID exists only in secure contexts (not plain-HTTP LAN). */
export function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

export interface CartClient {
  cart(): Promise<CartAnswer>;
  add(productId: string, quantity?: number): Promise<CartAnswer>;
  setQuantity(productId: string, quantity: number): Promise<CartAnswer>;
  remove(productId: string): Promise<CartAnswer>;
  clear(): Promise<CartAnswer>;
}

/** `prefix` is the variant's path prefix from the topology, e.g. `/stateless/`. */
export function createCartClient(prefix: string, retryDelayMs = 250): CartClient {
  async function call(method: string, path: string, json?: unknown, key?: string): Promise<CartAnswer> {
    const headers: Record<string, string> = key ? { [IDEMPOTENCY_KEY_HEADER]: key } : {};
    const answer = await requestJson(method, `${prefix}${path.slice(1)}`, json, headers);
    const base = {
      method,
      path,
      status: answer.status,
      latencyMs: answer.latencyMs,
      ...(answer.headers.get('x-served-by') ? { servedBy: answer.headers.get('x-served-by')! } : {}),
    };
    if (answer.failure !== undefined) {
      return { ...base, error: { status: 0, code: 'network_error', message: answer.failure } };
    }
    if (answer.status >= 200 && answer.status < 300 && isCartView(answer.body)) {
      const token = answer.headers.get('x-cart-token');
      const replayed = answer.headers.get(IDEMPOTENT_REPLAYED_HEADER) === 'true';
      return { ...base, cart: answer.body, ...(token ? { token } : {}), ...(replayed ? { replayed } : {}) };
    }
    return { ...base, error: toApiError(answer.status, answer.body) };
  }
  /** One write, its retries with the same key spaced out a little (an instance may be coming back). */
  async function write(method: string, path: string, json?: unknown): Promise<CartAnswer> {
    const key = newIdempotencyKey();
    let answer = await call(method, path, json, key);
    let tries = 1;
    while (tries <= WRITE_RETRIES && RETRY_STATUSES.includes(answer.status)) {
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * tries));
      answer = await call(method, path, json, key);
      tries += 1;
    }
    return tries > 1 ? { ...answer, tries } : answer;
  }
  const item = (productId: string) => `/api/cart/items/${encodeURIComponent(productId)}`;
  return {
    cart: () => call('GET', '/api/cart'),
    add: (productId, quantity = 1) => write('POST', '/api/cart/items', { productId, quantity }),
    setQuantity: (productId, quantity) => write('PUT', item(productId), { quantity }),
    remove: (productId) => write('DELETE', item(productId)),
    clear: () => write('DELETE', '/api/cart'),
  };
}

function isProduct(value: unknown): value is Product {
  const p = value as Partial<Product> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.id === 'string' &&
    typeof p.name === 'string' &&
    Number.isInteger(p.priceCents)
  );
}

/** The catalog is the same on every variant: the first prefix that answers gives it. */
export async function loadProducts(prefixes: readonly string[]): Promise<Product[] | ApiError> {
  let last: ApiError = { status: 0, code: 'no_variant', message: 'no variant to ask for the catalog' };
  for (const prefix of prefixes) {
    const answer = await requestJson('GET', `${prefix}api/products`);
    const products = (answer.body as { products?: unknown } | undefined)?.products;
    if (answer.status === 200 && Array.isArray(products) && products.every(isProduct)) return products;
    last =
      answer.failure !== undefined
        ? { status: 0, code: 'network_error', message: answer.failure }
        : toApiError(answer.status, answer.body);
  }
  return last;
}
