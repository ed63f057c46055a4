/**
 * The cart as one field of the session. When the session is loaded, stored and started over is
 * session-lifecycle.ts's to decide: a write is stored before the answer, a read stores nothing.
 * A client without a cart is not given one until it puts something in it: the fresh cart the
 * routes hand a new client's read is shown, not stored, so reads alone cannot fill the store.
 */

import { type CartLimits, type CartState, isFreshCart, parseCartState } from '@statelab/cart-core';
import type { CartHolder } from '@statelab/cart-core/http';
import type { SessionLifecycle } from './session-lifecycle.ts';

declare module 'express-session' {
  interface SessionData {
    cart: CartState;
  }
}

export function sessionCartHolder(limits: CartLimits, sessions: SessionLifecycle): CartHolder {
  return {
    async read(req) {
      // Whatever else the store hands back (garbage, an older shape) counts as no cart.
      return parseCartState(limits, (await sessions.open(req)).cart);
    },
    async write(req, res, cart) {
      // A cart that was cleared is stored (its new cartId must stick); one never filled is not.
      if (isFreshCart(cart) && (await sessions.open(req)).cart === undefined) return;
      await sessions.save(req, res, { cart });
    },
  };
}
