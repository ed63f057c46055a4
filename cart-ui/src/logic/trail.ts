/** The per-variant trail of recent requests and the spread of those requests over instances. */
import { compareInstances } from './instance-colour.ts';

export interface TrailEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `X-Served-By`; absent when no instance answered (network error, load balancer's own reply). */
  readonly instance?: string;
  readonly latencyMs: number;
  readonly at: number;
  /** Tries a write took (the client retried it with the same Idempotency-Key), when more than one. */
  readonly tries?: number;
  /** The answer came from the server's receipt of an earlier try (`Idempotent-Replayed`). */
  readonly replayed?: boolean;
}

export const TRAIL_LENGTH = 30;

/** "3 tries, replayed": what the careful client and the server's receipt did for this write. */
export function retryNote(entry: TrailEntry): string {
  return [entry.tries ? `${entry.tries} tries` : '', entry.replayed ? 'replayed' : '']
    .filter(Boolean)
    .join(', ');
}

/** Newest first, at most `max` entries. */
export function pushTrail(trail: readonly TrailEntry[], entry: TrailEntry, max = TRAIL_LENGTH): TrailEntry[] {
  return [entry, ...trail].slice(0, max);
}

export interface SpreadBar {
  /** Instance id, or undefined for answers no instance gave. */
  readonly instance: string | undefined;
  readonly count: number;
  /** Share of the trail, 0..1. */
  readonly share: number;
}

/** How the trail's requests spread over instances, in instance order; unanswered requests last. */
export function spread(trail: readonly TrailEntry[]): SpreadBar[] {
  const counts = new Map<string | undefined, number>();
  for (const entry of trail) counts.set(entry.instance, (counts.get(entry.instance) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => (a === undefined ? 1 : b === undefined ? -1 : compareInstances(a, b)))
    .map(([instance, count]) => ({ instance, count, share: count / trail.length }));
}
