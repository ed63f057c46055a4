/** Helpers for scenarios that break something under load: phase lengths, and seeing an instance serve again. */
import type { LoadHandle } from '../load.ts';
import type { BenchOptions } from '../options.ts';
import { waitUntil } from './common.ts';

/** Contract: a restarted instance receives traffic again within 15 s. */
export const REJOIN_DEADLINE_MS = 15_000;

/** Each of before / during / after gets a third of --duration, at least one second. */
export function phaseMs(options: BenchOptions): number {
  return Math.max(1000, Math.round((options.durationS * 1000) / 3));
}

/** Counts answers per instance from now on, so a scenario can wait for an instance to serve again. */
export function answersFrom(load: LoadHandle): { since(id: string): number; mark(): void } {
  const counts = new Map<string, number>();
  let base = new Map<string, number>();
  load.onAnswer((a) => {
    if (a.servedBy) counts.set(a.servedBy, (counts.get(a.servedBy) ?? 0) + 1);
  });
  return {
    mark() {
      base = new Map(counts);
    },
    since: (id) => (counts.get(id) ?? 0) - (base.get(id) ?? 0),
  };
}

/**
 * Per instance, the shoppers whose cart it holds right now: their last answer came from it and
 * their cart has something in it. What a kill of that instance puts at stake.
 */
export function cartsHeld(load: LoadHandle): (id: string) => number {
  const last = new Map<number, { servedBy: string | undefined; holdsCart: boolean }>();
  load.onAnswer((a) => last.set(a.connection, { servedBy: a.servedBy, holdsCart: a.holdsCart }));
  return (id) => [...last.values()].filter((s) => s.holdsCart && s.servedBy === id).length;
}

/** ms from now until `id` answers a shopper, or null when it does not within the contract's 15 s. */
export async function timeToRejoin(
  answers: ReturnType<typeof answersFrom>,
  id: string,
): Promise<number | null> {
  answers.mark();
  try {
    return await waitUntil(`${id} to serve again`, REJOIN_DEADLINE_MS, () => answers.since(id) > 0);
  } catch {
    return null;
  }
}
