/**
 * The cart as one field of the session. When the session is loaded, stored and started over is
 * session-lifecycle.ts's to decide: a write is stored before the answer, a read stores nothing.
 */

import { type CartLimits, type CartState, parseCartState } from '@statelab/cart-core';
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
    write: (req, res, cart) => sessions.save(req, res, { cart }),
  };
}
