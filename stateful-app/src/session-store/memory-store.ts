/**
 * A bounded in-memory express-session Store: sessions live in this process only (the `stateful`
 * variant). Each is kept as JSON, so a change reaches the store only through `set`. A session
 * expires with its cookie, or, given `ttlS`, that long after it was last read or written (a sliding
 * idle timeout kept here, so nothing needs touching after an answer). Expired sessions are pruned
 * on a timer; past the cap, the least recently used session is evicted, and every eviction of a
 * session that had not expired is reported (`onEvict`): that client has lost its cart.
 */
import session, { type SessionData } from 'express-session';

interface Entry {
  readonly json: string;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /** Most sessions held; one more evicts the least recently used. */
  cap: number;
  /** Idle lifetime in seconds, refreshed by every get, set and touch; overrides the cookie's expiry. */
  ttlS?: number;
  pruneIntervalMs?: number;
  now?: () => number;
  /** Told how many unexpired sessions one `set` evicted to stay within the cap. */
  onEvict?: (count: number) => void;
}

function cookieExpiry(sess: SessionData, now: number): number {
  const expires = sess.cookie?.expires;
  // A cookie without expiry lives as long as the browser: keep it until the cap evicts it.
  return expires ? new Date(expires).getTime() : now + Number.MAX_SAFE_INTEGER / 2;
}

export class MemorySessionStore extends session.Store {
  readonly #sessions = new Map<string, Entry>();
  readonly #cap: number;
  readonly #ttlMs: number | undefined;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  readonly #onEvict: ((count: number) => void) | undefined;

  constructor(options: MemoryStoreOptions) {
    super();
    this.#cap = options.cap;
    this.#ttlMs = options.ttlS === undefined ? undefined : options.ttlS * 1000;
    this.#now = options.now ?? Date.now;
    this.#onEvict = options.onEvict;
    this.#timer = setInterval(() => this.prune(), options.pruneIntervalMs ?? 60_000);
    // Pruning alone must never keep the process alive.
    this.#timer.unref();
  }

  #expiryOf(sess: SessionData): number {
    const now = this.#now();
    return this.#ttlMs === undefined ? cookieExpiry(sess, now) : now + this.#ttlMs;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Map order is recency order: re-inserting marks a session as just used. */
  #use(sid: string, entry: Entry): void {
    this.#sessions.delete(sid);
    this.#sessions.set(sid, entry);
  }

  #live(sid: string): Entry | undefined {
    const entry = this.#sessions.get(sid);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#sessions.delete(sid);
      return undefined;
    }
    return entry;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const entry = this.#live(sid);
    if (!entry) {
      callback(null, null);
      return;
    }
    if (this.#ttlMs !== undefined) entry.expiresAt = this.#now() + this.#ttlMs;
    this.#use(sid, entry);
    callback(null, JSON.parse(entry.json) as SessionData);
  }

  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    this.#use(sid, { json: JSON.stringify(sess), expiresAt: this.#expiryOf(sess) });
    const now = this.#now();
    let evicted = 0;
    for (const [oldest, entry] of this.#sessions) {
      if (this.#sessions.size <= this.#cap) break;
      this.#sessions.delete(oldest);
      // An expired session was gone already; only a live one is a client's lost cart.
      if (entry.expiresAt > now) evicted += 1;
    }
    if (evicted > 0) this.#onEvict?.(evicted);
    callback?.();
  }

  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    const entry = this.#live(sid);
    if (entry) {
      entry.expiresAt = this.#expiryOf(sess);
      this.#use(sid, entry);
    }
    callback?.();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#sessions.delete(sid);
    callback?.();
  }

  override length(callback: (err: unknown, length?: number) => void): void {
    callback(null, this.#sessions.size);
  }

  override clear(callback?: (err?: unknown) => void): void {
    this.#sessions.clear();
    callback?.();
  }

  /** Drops expired sessions; returns how many went. */
  prune(): number {
    const now = this.#now();
    let pruned = 0;
    for (const [sid, entry] of this.#sessions) {
      if (entry.expiresAt <= now) {
        this.#sessions.delete(sid);
        pruned += 1;
      }
    }
    return pruned;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
