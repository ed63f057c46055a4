/** An in-memory CartHolder keyed by a cookie: the core's own fake, to test the routes alone. */
import { randomUUID } from 'node:crypto';
import type { CartHolder } from '../src/http/index.ts';
import type { CartState } from '../src/index.ts';

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
      let id = idOf(req.headers.cookie);
      if (!id || !carts.has(id)) {
        id = randomUUID();
        res.cookie(cookieName, id, { httpOnly: true, sameSite: 'lax', path: '/' });
      }
      carts.set(id, cart);
    },
  };
}
