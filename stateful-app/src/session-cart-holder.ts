/**
 * The cart in `req.session`. A write is saved explicitly before the answer is sent, so a 2xx
 * always means the store took it; a failed save answers 503 and leaves the stored cart as it was.
 */
import {
  type CartHolder,
  type CartLimits,
  type CartState,
  errors,
  parseCartState,
} from '@statelab/cart-core';
import type { Request } from 'express';
import type { Session, SessionData } from 'express-session';
import { markSaved } from './session-store/hook-safe-store.ts';

declare module 'express-session' {
  interface SessionData {
    cart: CartState;
    /** Epoch ms when the session began; the absolute timeout counts from here. */
    createdAt: number;
  }
}

type LiveSession = Session & Partial<SessionData>;

export interface SessionCartHolderOptions {
  limits: CartLimits;
  absoluteTimeoutS: number;
  now?: () => number;
}

function sessionOf(req: Request): LiveSession {
  // express-session skips a request when its store reported a disconnect: no session, no cart.
  if (!req.session) throw errors.storeUnavailable();
  return req.session;
}

/**
 * Leaves the stored session as it was for the rest of this request: with `unset: 'keep'`,
 * express-session then neither saves, touches nor sets a cookie for it after the answer.
 */
function dropSession(req: Request): void {
  (req as { session: LiveSession | null }).session = null;
}

function call(run: (done: (err: unknown) => void) => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    run((err) => (err ? reject(err) : resolve()));
  });
}

export function sessionCartHolder(options: SessionCartHolderOptions): CartHolder {
  const now = options.now ?? Date.now;
  const absoluteMs = options.absoluteTimeoutS * 1000;

  return {
    async read(req) {
      const session = sessionOf(req);
      if (typeof session.createdAt === 'number' && now() - session.createdAt >= absoluteMs) {
        // Too old however active: a new id and, as for any lost session, a new cart.
        try {
          await call((done) => session.regenerate(done));
        } catch (err) {
          dropSession(req);
          throw errors.storeUnavailable(err);
        }
        return undefined;
      }
      // Whatever else the store hands back (garbage, an older shape) counts as no cart.
      return parseCartState(options.limits, session.cart);
    },

    async write(req, _res, cart) {
      const session = sessionOf(req);
      session.cart = cart;
      session.createdAt ??= now();
      // The changed session gets a fresh cookie: store the same pushed-back expiry it will carry.
      session.touch();
      try {
        await call((done) => session.save(done));
      } catch (err) {
        dropSession(req);
        throw errors.storeUnavailable(err);
      }
      markSaved(session);
    },
  };
}
