/**
 * An in-memory CartHolder keyed by a cookie: the core's own fake, to test the routes alone. Like a
 * session holder, it stores no fresh cart for a client that has none (docs/contract.md §2).
 */
import { randomUUID } from 'node:crypto';
import type { CartHolder } from '../src/http/index.ts';
import { type CartState, isFreshCart } from '../src/index.ts';

export function memoryHolder(cookieName: string): CartHolder & { readonly carts: Map<string, CartState> } {
  const carts = new Map<string, CartState>();
  const idOf = (cookie: string | undefined) =>
    cookie
      ?.split(';')
      .map((p) => p.trim().split('='))
      .find(([n]) => n === cookieName)?.[1];
  return {
    carts,
    async read(req) {
      const id = idOf(req.headers.cookie);
      return id ? carts.get(id) : undefined;
    },
    async write(req, res, cart) {
      const sent = idOf(req.headers.cookie);
      const known = sent !== undefined && carts.has(sent);
      if (isFreshCart(cart) && !known) return;
      const id = known ? sent : randomUUID();
      if (!known) res.cookie(cookieName, id, { httpOnly: true, sameSite: 'lax', path: '/' });
      carts.set(id, cart);
    },
  };
}
