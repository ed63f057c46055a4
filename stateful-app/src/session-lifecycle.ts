/**
 * The session's whole life, decided here. express-session only loads a session (signed cookie,
 * store.get) or starts one under an id that carries this instance (`<random>.<instance>`, for
 * nginx's routing); the middleware then takes it off `req.session`, which with `unset: 'keep'`
 * leaves express-session nothing more to do: no change hashes, no save or touch after the answer
 * (holding its last byte, failing after the headers), no cookie. From there:
 * - a read writes nothing and sends no cookie: the store slides the idle expiry as it loads
 *   (memory TTL, Redis GETEX); the cookie lives for the absolute timeout;
 * - a write serialises and stores the session once (store.set) before the answer, and only a
 *   stored session gets its cookie: a failed save is 503 with store and cookie as they were;
 * - a new session is stored by its first save, never by being started: the cart holder saves only
 *   a cart with something in it, so a client that only reads costs the store nothing;
 * - past the absolute timeout a session is destroyed and starts over under a new id;
 * - a store that fails to load a session answers 503, never an empty cart; a new session is not
 *   started while the store is down either, so every cart request of an outage is the same 503.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { errors, routedSessionId } from '@statelab/cart-core';
import type { Request, RequestHandler, Response } from 'express';
import session, { type Session, type SessionData } from 'express-session';
import type { StatefulConfig } from './config.ts';
import type { SessionStoreHandle } from './session-store/create-session-store.ts';

declare module 'express-session' {
  interface SessionData {
    /** Epoch ms when the session began; the absolute timeout counts from here. */
    createdAt: number;
  }
}

export type LiveSession = Session & Partial<SessionData>;

export interface SessionLifecycle {
  /** Loads or starts the request's session; every cart route runs it first. */
  readonly middleware: RequestHandler;
  /**
   * The request's session, started over first when older than the absolute timeout; a session
   * never stored holds no `cart`. A new one while the store is down is `store_unavailable`.
   */
  open(req: Request): Promise<LiveSession>;
  /** Stores the session with `data` merged in, then sends its cookie; a refusal is `store_unavailable`. */
  save(req: Request, res: Response, data: Partial<SessionData>): Promise<void>;
}

const TAKEN = Symbol('session taken from express-session');
type TakenRequest = Request & { [TAKEN]?: LiveSession | undefined };

/** Whatever session express-session left on the request moves to where only this module looks. */
function takeOver(req: Request): void {
  (req as TakenRequest)[TAKEN] = req.session;
  (req as { session: LiveSession | null }).session = null;
}

function taken(req: Request): LiveSession {
  // express-session skips a request when its store reported a disconnect: no session, no cart.
  const live = (req as TakenRequest)[TAKEN];
  if (!live) throw errors.storeUnavailable();
  return live;
}

function call(run: (done: (err?: unknown) => void) => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    run((err) => (err ? reject(err) : resolve()));
  });
}

/** As express-session's `proxy: true` decided it: TLS here, or X-Forwarded-Proto says https. */
function overHttps(req: Request): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  const proto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0] ?? '';
  return proto.trim().toLowerCase() === 'https';
}

/** express-session's cookie value: `s:` + id + `.` + unpadded base64 HMAC-SHA256 (cookie-signature). */
function signedId(id: string, secret: string): string {
  return `s:${id}.${createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '')}`;
}

/** Cookie#serialize is express-session's public API; its type definitions leave it out. */
type SerializableCookie = { serialize(name: string, value: string): string };

export function sessionLifecycle(
  config: StatefulConfig,
  sessions: Pick<SessionStoreHandle, 'store' | 'isReady'>,
  now: () => number = Date.now,
): SessionLifecycle {
  const { store } = sessions;
  const { cookieName, secret, absoluteTimeoutS } = config.session;
  const absoluteMs = absoluteTimeoutS * 1000;
  const load = session({
    name: cookieName,
    secret,
    store,
    // base64url has no `.`, so the instance is always the part after the only dot.
    genid: () => routedSessionId(randomBytes(18).toString('base64url'), config.instance),
    // Moot, as express-session never decides a save here; given to silence its deprecation warning.
    resave: false,
    saveUninitialized: false,
    // So a request without `req.session` leaves the stored session alone rather than destroying it.
    unset: 'keep',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: config.cookieSecure,
      maxAge: absoluteTimeoutS * 1000,
    },
  });

  function sendCookie(req: Request, res: Response, live: LiveSession): void {
    if (live.cookie.secure && !overHttps(req)) return;
    const cookie = live.cookie as unknown as SerializableCookie;
    res.append('Set-Cookie', cookie.serialize(cookieName, signedId(live.id, secret)));
  }

  return {
    middleware(req, res, next) {
      load(req, res, (err?: unknown) => {
        takeOver(req);
        next(err === undefined ? undefined : errors.storeUnavailable(err));
      });
    },

    async open(req) {
      const live = taken(req);
      // Every save stamps createdAt: without it the session was never stored (a new client).
      const { createdAt } = live;
      if (typeof createdAt !== 'number') {
        // Nothing to load, but no cart either while the store could not keep one.
        if (!sessions.isReady()) throw errors.storeUnavailable();
        return live;
      }
      if (now() - createdAt < absoluteMs) return live;
      // Too old however active: a new id and, as for any lost session, a new cart.
      try {
        await call((done) => live.regenerate(done));
      } catch (err) {
        throw errors.storeUnavailable(err);
      } finally {
        takeOver(req);
      }
      return taken(req);
    },

    async save(req, res, data) {
      const live = Object.assign(taken(req), data);
      live.createdAt ??= now();
      // The cookie carries the same pushed-back expiry as the stored session.
      live.touch();
      try {
        // store.set rather than live.save(): express-session's save hashes the session first.
        await call((done) => store.set(live.id, live as SessionData, done));
      } catch (err) {
        throw errors.storeUnavailable(err);
      }
      sendCookie(req, res, live);
    },
  };
}
