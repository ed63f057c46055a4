/**
 * express-session configured for the lab: signed cookie named for the variant, and ids that carry
 * this instance (`<random>.<instance>`) so nginx can route `stateful` sessions home. The sliding
 * idle timeout lives in the store (its TTL, refreshed whenever it loads or saves the session); the
 * cookie only needs to outlast the absolute timeout, so a read sends no Set-Cookie and signs nothing.
 * A store that fails while loading a session answers 503, never an empty cart.
 */
import { randomBytes } from 'node:crypto';
import { errors, routedSessionId } from '@statelab/cart-core';
import type { RequestHandler } from 'express';
import session, { type Store } from 'express-session';
import type { StatefulConfig } from './config.ts';

export function sessionMiddleware(config: StatefulConfig, store: Store): RequestHandler {
  const handler = session({
    name: config.session.cookieName,
    secret: config.session.secret,
    store,
    // base64url has no `.`, so the instance is always the part after the only dot.
    genid: () => routedSessionId(randomBytes(18).toString('base64url'), config.instance),
    resave: false,
    saveUninitialized: false,
    // Not rolling: re-signing and re-sending the cookie on every answer cost a read about 5% of its
    // CPU, and the store's TTL already slides. A changed session still gets a fresh cookie.
    rolling: false,
    proxy: true,
    // Setting req.session to null (after a failed save) keeps the stored session as it was.
    unset: 'keep',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: config.cookieSecure,
      maxAge: config.session.absoluteTimeoutS * 1000,
    },
  });
  return (req, res, next) => {
    handler(req, res, (err?: unknown) => next(err === undefined ? undefined : errors.storeUnavailable(err)));
  };
}
