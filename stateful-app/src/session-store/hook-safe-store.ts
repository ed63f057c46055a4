/**
 * express-session writes once more after the response has started: a save when the session
 * changed, else a touch (sliding expiry). Our holder saves before answering, so for a session it
 * saved, that write is redundant (a Redis round trip held before the last byte), and a failure
 * there reaches next() after the headers, where Express destroys the socket. This wrapper skips
 * the redundant write and logs a failed touch instead of passing it on.
 */
import type { Logger } from '@statelab/cart-core';
import session, { type SessionData, type Store } from 'express-session';

const savedContent = new WeakMap<object, string>();

/** The session as express-session hashes it: everything but the cookie. */
function content(sess: object): string {
  return JSON.stringify(sess, function (this: unknown, key: string, value: unknown) {
    return this === sess && key === 'cookie' ? undefined : value;
  });
}

/** Records that this request's session object is stored as it is now. */
export function markSaved(sess: object): void {
  savedContent.set(sess, content(sess));
}

export class HookSafeStore extends session.Store {
  readonly #inner: Store;
  readonly #logger: Logger;

  constructor(inner: Store, logger: Logger) {
    super();
    this.#inner = inner;
    this.#logger = logger;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.#inner.get(sid, callback);
  }

  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    if (savedContent.get(sess) === content(sess)) callback?.();
    else this.#inner.set(sid, sess, callback);
  }

  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    if (savedContent.has(sess) || !this.#inner.touch) {
      callback?.();
      return;
    }
    // Only express-session's after-response hook touches: a failure costs the session some idle time, no more.
    (this.#inner.touch as (sid: string, sess: SessionData, cb: (err?: unknown) => void) => void).call(
      this.#inner,
      sid,
      sess,
      (err?: unknown) => {
        if (err) this.#logger.warn({ err }, 'session touch failed; its expiry was not extended');
        callback?.();
      },
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#inner.destroy(sid, callback);
  }
}
