/**
 * express-session writes once more after the response has started: a save when the session
 * changed, else a touch (sliding expiry). Neither is needed here: the holder saves before
 * answering, and our stores slide a session's expiry when they load it. A write there would only
 * hold the last byte of the answer (a Redis round trip), and a failure would reach next() after
 * the headers, where Express destroys the socket. So this wrapper offers no `touch` (express-session
 * then skips it, and a hash of the session) and skips a save of what this request already saved.
 */
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

  constructor(inner: Store) {
    super();
    this.#inner = inner;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.#inner.get(sid, callback);
  }

  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    // Only a session saved earlier in this request can be redundant: the rest skip the serialising.
    const saved = savedContent.get(sess);
    if (saved !== undefined && saved === content(sess)) callback?.();
    else this.#inner.set(sid, sess, callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#inner.destroy(sid, callback);
  }
}
