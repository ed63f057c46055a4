/**
 * Sessions the memory store evicted at its cap during a run, read from each instance's own
 * `sessions_evicted_total` on its port or its Unix socket. The ledger cannot see them all: the
 * shopper whose cart was evicted may have left already, so the count is taken where the eviction
 * happened.
 */
import type { Variant } from '@statelab/cart-core';
import type { InstanceInfo, Runtime } from '@statelab/lab';
import { Agent, request } from 'undici';

/** The counter per instance process, `<id>@<pid>`: a restarted instance counts from its start. */
export type EvictionSample = Record<string, number>;
export type EvictionSource = () => Promise<EvictionSample>;

const METRIC = /^sessions_evicted_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m;
/** A /metrics read that takes longer than this is left out rather than holding up the run. */
const READ_TIMEOUT_MS = 2_000;

/** The counter's value in a Prometheus text answer; undefined when the app keeps no such counter. */
export function parseEvictedTotal(metrics: string): number | undefined {
  const match = METRIC.exec(metrics);
  return match ? Number(match[1]) : undefined;
}

async function readCounter(instance: InstanceInfo): Promise<number | undefined> {
  // One connection over the socket, closed after: the app's own drain waits for idle ones.
  const agent = instance.socket ? new Agent({ connect: { socketPath: instance.socket } }) : undefined;
  const url = agent ? 'http://localhost/metrics' : `http://127.0.0.1:${instance.port}/metrics`;
  try {
    const res = await request(url, {
      headersTimeout: READ_TIMEOUT_MS,
      bodyTimeout: READ_TIMEOUT_MS,
      ...(agent ? { dispatcher: agent } : {}),
    });
    const text = await res.body.text();
    return res.statusCode === 200 ? parseEvictedTotal(text) : undefined;
  } catch {
    // Down or killed mid-run: it has nothing to report any more.
    return undefined;
  } finally {
    await agent?.close();
  }
}

/** Reads the running instances of `variant` that list a port or a socket on this host. */
export function evictionSource(runtime: Runtime, variant: Variant | 'baseline'): EvictionSource {
  return async () => {
    const running = (await runtime.list()).filter(
      (i): i is InstanceInfo & { pid: number } =>
        i.variant === variant &&
        i.state === 'running' &&
        i.pid !== undefined &&
        (i.port !== undefined || i.socket !== undefined),
    );
    const sample: EvictionSample = {};
    const values = await Promise.all(running.map(readCounter));
    for (const [n, i] of running.entries()) {
      const value = values[n];
      if (value !== undefined) sample[`${i.id}@${i.pid}`] = value;
    }
    return sample;
  };
}

/**
 * Evictions between two samples; undefined when no instance reported the counter (the variant
 * keeps no sessions in memory, or its instances cannot be reached from here).
 */
export function evictionDelta(before: EvictionSample, after: EvictionSample): number | undefined {
  const keys = Object.keys(after);
  if (keys.length === 0 && Object.keys(before).length === 0) return undefined;
  let evicted = 0;
  for (const key of keys) evicted += Math.max(0, after[key]! - (before[key] ?? 0));
  return evicted;
}

/** Samples now; `since()` samples again and answers the evictions in between. */
export function countEvictions(source: EvictionSource): { since(): Promise<number | undefined> } {
  const first = source().catch((): EvictionSample => ({}));
  return {
    async since() {
      const after = await source().catch((): EvictionSample => ({}));
      return evictionDelta(await first, after);
    },
  };
}
