/** Picks where sessions live for the variant: this process's memory, or Redis. */
import type { Logger } from '@statelab/cart-core/http';
import type { Store } from 'express-session';
import type { StatefulConfig } from '../config.ts';
import { MemorySessionStore } from './memory-store.ts';
import { createRedisSessionStore } from './redis-store.ts';

export interface SessionStoreHandle {
  readonly store: Store;
  /** Whether the store can serve sessions now (`/readyz`). */
  isReady(): boolean;
  /** Sessions held in this process, when they are held here. */
  size?(): number;
  close(): Promise<void>;
}

export function memorySessionStore(cap: number, ttlS?: number): SessionStoreHandle {
  const store = new MemorySessionStore({ cap, ...(ttlS === undefined ? {} : { ttlS }) });
  return {
    store,
    isReady: () => true,
    size: () => store.size,
    close: async () => store.close(),
  };
}

/** The store keeps the sliding idle timeout; the cookie lasts the absolute timeout (session-lifecycle.ts). */
export function createSessionStore(config: StatefulConfig, logger: Logger): SessionStoreHandle {
  const { memoryCap, idleTimeoutS } = config.session;
  if (!config.redis) return memorySessionStore(memoryCap, idleTimeoutS);
  const redis = createRedisSessionStore(config.redis, logger, idleTimeoutS);
  return { store: redis.store, isReady: redis.isReady, close: redis.close };
}
