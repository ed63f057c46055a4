/** Picks where sessions live for the variant: this process's memory, or Redis. */
import type { Logger } from '@statelab/cart-core';
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

export function memorySessionStore(cap: number): SessionStoreHandle {
  const store = new MemorySessionStore({ cap });
  return {
    store,
    isReady: () => true,
    size: () => store.size,
    close: async () => store.close(),
  };
}

export function createSessionStore(config: StatefulConfig, logger: Logger): SessionStoreHandle {
  if (!config.redis) return memorySessionStore(config.session.memoryCap);
  const redis = createRedisSessionStore(config.redis, logger);
  return { store: redis.store, isReady: redis.isReady, close: redis.close };
}
