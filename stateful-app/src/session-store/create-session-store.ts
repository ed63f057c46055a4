/** Picks where sessions live for the variant: this process's memory, or Redis. */
import type { Logger } from '@statelab/cart-core/http';
import type { Store } from 'express-session';
import type { StatefulConfig } from '../config.ts';
import { type EvictionReport, evictionReport } from './eviction-report.ts';
import { MemorySessionStore } from './memory-store.ts';
import { createRedisSessionStore } from './redis-store.ts';

export interface SessionStoreHandle {
  readonly store: Store;
  /** Whether the store can serve sessions now (`/readyz`). */
  isReady(): boolean;
  /** Sessions held in this process, when they are held here. */
  size?(): number;
  /** Unexpired sessions evicted at the cap so far, where the store has one. */
  evicted?(): number;
  close(): Promise<void>;
}

export function memorySessionStore(
  cap: number,
  ttlS?: number,
  evictions?: EvictionReport,
): SessionStoreHandle {
  const store = new MemorySessionStore({
    cap,
    ...(ttlS === undefined ? {} : { ttlS }),
    ...(evictions ? { onEvict: evictions.record } : {}),
  });
  return {
    store,
    isReady: () => true,
    size: () => store.size,
    ...(evictions ? { evicted: evictions.total } : {}),
    async close() {
      store.close();
      evictions?.close();
    },
  };
}

/** The store keeps the sliding idle timeout; the cookie lasts the absolute timeout (session-lifecycle.ts). */
export function createSessionStore(config: StatefulConfig, logger: Logger): SessionStoreHandle {
  const { memoryCap, idleTimeoutS, evictionWarnEveryS } = config.session;
  if (!config.redis) {
    const evictions = evictionReport({ logger, cap: memoryCap, warnEveryMs: evictionWarnEveryS * 1000 });
    return memorySessionStore(memoryCap, idleTimeoutS, evictions);
  }
  const redis = createRedisSessionStore(config.redis, logger, idleTimeoutS);
  return { store: redis.store, isReady: redis.isReady, close: redis.close };
}
