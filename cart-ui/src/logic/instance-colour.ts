/**
 * One colour per instance number, the same in every variant, so "instance 2" always looks alike.
 * Every colour keeps white text readable (contrast >= 4.5:1); the id is always written beside it.
 */
import { REDIS_ID } from '@statelab/cart-core';

const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#7e22ce', '#be185d', '#0e7490', '#4d7c0f', '#9f1239'];
const REDIS = '#b91c1c';
const OTHER = '#475569';

/** The trailing number of an instance id (`stateful-redis-2` → 2); undefined when there is none. */
export function instanceNumber(id: string): number | undefined {
  const match = /-([1-9][0-9]*)$/.exec(id);
  return match ? Number(match[1]) : undefined;
}

export function instanceColour(id: string): string {
  if (id === REDIS_ID) return REDIS;
  const n = instanceNumber(id);
  return n === undefined ? OTHER : PALETTE[(n - 1) % PALETTE.length]!;
}

/** Orders ids by variant name, then by number (so `stateful-10` follows `stateful-9`). */
export function compareInstances(a: string, b: string): number {
  const base = (id: string) => id.replace(/-[1-9][0-9]*$/, '');
  return base(a).localeCompare(base(b)) || (instanceNumber(a) ?? 0) - (instanceNumber(b) ?? 0);
}
