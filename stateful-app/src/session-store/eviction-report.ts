/**
 * Evictions at the memory cap made visible: a running total (for `sessions_evicted_total`) and a
 * warning at most once per interval carrying how many were evicted since the last one, so a flood
 * is one line per interval rather than one per request, and the count of a last burst is not lost.
 */
import type { Logger } from '@statelab/cart-core/http';

export interface EvictionReportOptions {
  logger: Logger;
  /** The cap the store holds to, for the warning. */
  cap: number;
  /** At most one warning per this many ms. */
  warnEveryMs: number;
  now?: () => number;
}

export interface EvictionReport {
  /** Books `count` live sessions evicted just now. */
  record(count: number): void;
  /** Live sessions evicted since the store was created. */
  total(): number;
  /** Stops the timer; a count not yet warned about is logged now. */
  close(): void;
}

export function evictionReport(options: EvictionReportOptions): EvictionReport {
  const { logger, cap, warnEveryMs } = options;
  const now = options.now ?? Date.now;
  let total = 0;
  let unreported = 0;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;

  function warn(): void {
    timer = undefined;
    if (unreported === 0) return;
    logger.warn(
      { evicted: unreported, evictedTotal: total, cap },
      'live sessions evicted at SESSION_MEMORY_CAP: those clients lost their carts',
    );
    unreported = 0;
    lastWarnAt = now();
  }

  return {
    record(count) {
      total += count;
      unreported += count;
      if (timer) return;
      const wait = lastWarnAt + warnEveryMs - now();
      if (wait <= 0) {
        warn();
        return;
      }
      timer = setTimeout(warn, wait);
      // A pending warning must never keep the process alive; close() logs it.
      timer.unref();
    },
    total: () => total,
    close() {
      clearTimeout(timer);
      warn();
    },
  };
}
