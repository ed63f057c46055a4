/**
 * Sessions in Redis (the `stateful-redis` variant): connect-redis over one ioredis client tuned so
 * that a Redis that is down or slow costs a request about a second at most, never ~10 s, and so
 * the client reconnects by itself for as long as the app runs.
 */
import type { Logger } from '@statelab/cart-core/http';
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../config.ts';

export const REDIS_SESSION_PREFIX = 'statelab:sess:';
const RECONNECT_EVERY_MS = 300;
const CONNECT_TIMEOUT_MS = 1_000;

export interface RedisSessionStore {
  readonly store: RedisStore;
  readonly client: Redis;
  isReady(): boolean;
  /** Closes the connection and stops reconnecting. */
  close(): Promise<void>;
}

/** A stored value that is not a session reads as no session (a fresh cart), not as an outage. */
const serializer = {
  parse(text: string): SessionData {
    try {
      const value: unknown = JSON.parse(text);
      const ok =
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { cookie?: unknown }).cookie === 'object';
      return (ok ? value : null) as SessionData;
    } catch {
      return null as unknown as SessionData;
    }
  },
  stringify: (sess: SessionData) => JSON.stringify(sess),
};

type Callback = (err?: unknown, data?: unknown) => unknown;

/**
 * ioredis hangs the failed command's arguments on its error (a session id and the whole session):
 * dropped before the error is logged, as a full Redis refuses every write.
 */
function withoutArgs(err: unknown): unknown {
  const command = (err as { command?: { args?: unknown } } | null | undefined)?.command;
  if (command) delete command.args;
  return err;
}

function quiet(callback: Callback | undefined): Callback | undefined {
  return callback && ((err, data) => callback(withoutArgs(err), data));
}

/** connect-redis whose errors carry no session (see `withoutArgs`). */
class QuietRedisStore extends RedisStore {
  override get(sid: string, callback?: Callback) {
    return super.get(sid, quiet(callback));
  }
  override set(sid: string, sess: SessionData, callback?: Callback) {
    return super.set(sid, sess, quiet(callback));
  }
  override touch(sid: string, sess: SessionData, callback?: Callback) {
    return super.touch(sid, sess, quiet(callback));
  }
  override destroy(sid: string, callback?: Callback) {
    return super.destroy(sid, quiet(callback));
  }
}

/**
 * connect-redis whose reads also slide the idle TTL (GETEX, Redis >= 6.2): a session is refreshed
 * in the round trip that loads it, so no EXPIRE needs to follow the answer.
 */
class SlidingRedisStore extends QuietRedisStore {
  readonly #redis: Redis;
  readonly #ttlS: number;

  constructor(redis: Redis, ttlS: number) {
    // A function: connect-redis prefers the cookie's expiry over a plain number.
    super({ client: redis, prefix: REDIS_SESSION_PREFIX, serializer, ttl: () => ttlS });
    this.#redis = redis;
    this.#ttlS = ttlS;
  }

  override async get(sid: string, callback?: (err: unknown, session?: SessionData | null) => void) {
    try {
      const text = await this.#redis.getex(this.prefix + sid, 'EX', this.#ttlS);
      return callback?.(null, text ? serializer.parse(text) : null);
    } catch (err) {
      return callback?.(withoutArgs(err), null);
    }
  }
}

/** The URL as logs may show it: a password in it becomes `***`. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * `ttlS`, when given, is each session's idle lifetime in Redis, refreshed by every read and write
 * whatever its cookie says; without it connect-redis derives the TTL from the cookie's expiry.
 */
export function createRedisSessionStore(
  config: RedisConfig,
  logger: Logger,
  ttlS?: number,
): RedisSessionStore {
  const client = new Redis(config.url, {
    // Fail at once while disconnected instead of queueing until Redis returns.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Never give up: the app recovers alone once Redis is back.
    retryStrategy: () => RECONNECT_EVERY_MS,
  });
  let up = false;
  const where = withoutPassword(config.url);
  client.on('ready', () => {
    up = true;
    logger.info({ redis: where }, 'redis ready');
  });
  client.on('close', () => {
    if (up) logger.warn({ redis: where }, 'redis connection lost; reconnecting');
    up = false;
  });
  // Without a listener ioredis prints every failed reconnect; the transitions above say enough.
  client.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis error'));

  const store =
    ttlS === undefined
      ? new QuietRedisStore({ client, prefix: REDIS_SESSION_PREFIX, serializer })
      : new SlidingRedisStore(client, ttlS);
  return {
    store,
    client,
    isReady: () => client.status === 'ready',
    async close() {
      if (client.status === 'ready') {
        try {
          await client.quit();
          return;
        } catch {
          // Fall through: a Redis that vanished mid-quit still needs the socket dropped.
        }
      }
      client.disconnect();
    },
  };
}
