/** What every scenario shares: its context, readiness waits, and turning a load result into a row. */
import { BASELINE_PREFIX, instanceIds, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { request } from 'undici';
import { countEvictions } from '../evictions.ts';
import type { LabTarget } from '../lab-target.ts';
import type { Tally } from '../ledger.ts';
import type { LoadHandle, LoadResult, LoadSpec } from '../load.ts';
import { startLoad } from '../load.ts';
import type { BenchOptions, ScenarioName } from '../options.ts';
import type { Progress } from '../progress.ts';
import type { CpuPerRequest, PhaseRow, ResultRow } from '../report-record.ts';
import { createShopper, type ShopperMode } from '../shopper.ts';

export interface ScenarioContext {
  readonly options: BenchOptions;
  readonly variant: Variant;
  readonly target: LabTarget;
  readonly progress: Progress;
  /** The bench started this lab and closes it after the variant's scenarios. */
  readonly ownsLab: boolean;
}

export type Scenario = (ctx: ScenarioContext) => Promise<ResultRow[]>;

export function prefixOf(variant: Variant | 'baseline'): string {
  return variant === 'baseline' ? BASELINE_PREFIX : TOPOLOGY[variant].prefix;
}

/** Scheduling a fault at a planned time; never used to wait for readiness. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` under a deadline; resolves with the ms it took. */
export async function waitUntil(
  what: string | (() => string),
  deadlineMs: number,
  check: () => Promise<boolean> | boolean,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > deadlineMs) {
      throw new Error(
        `timed out after ${deadlineMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await sleep(50);
  }
}

/** The ids of the variant's instances as the runtime lists them (`stateful-1`...). */
export async function variantIds(target: LabTarget, variant: Variant | 'baseline'): Promise<string[]> {
  const all = await target.runtime.list();
  const ids = all.filter((i) => i.variant === variant).map((i) => i.id);
  return ids.sort((a, b) => Number(a.split('-').pop()) - Number(b.split('-').pop()));
}

/** Starts whatever is down, then waits until the load balancer sends new clients to each of them. */
export async function ensureServing(
  target: LabTarget,
  variant: Variant | 'baseline',
  ids: readonly string[],
): Promise<void> {
  const all = await target.runtime.list();
  for (const id of ids) {
    if (all.find((i) => i.id === id)?.state !== 'running') await target.runtime.start(id);
  }
  const seen = new Set<string>();
  const url = `${target.baseUrl}${prefixOf(variant)}api/cart`;
  // nginx skips a round-robin instance for a while after it failed (fail_timeout): wait until it is tried again.
  await waitUntil(
    () => `${ids.join(', ')} to serve through the load balancer (seen: ${[...seen].join(', ')})`,
    20_000,
    async () => {
      for (let i = 0; i < ids.length * 2; i++) {
        const res = await request(url, { method: 'GET' });
        await res.body.dump();
        const by = res.headers['x-served-by'];
        if (res.statusCode === 200 && typeof by === 'string') seen.add(by);
      }
      return ids.every((id) => seen.has(id));
    },
  );
}

export function defaultIds(variant: Variant, count: number): string[] {
  return instanceIds(variant, count);
}

export interface MeasureSpec {
  label: string;
  variant: Variant | 'baseline';
  mode: ShopperMode;
  maxDurationS: number;
  /** What the progress line announces when the run usually ends before its upper bound. */
  plannedS?: number;
  warmupS?: number;
  firstPhase?: string;
  makeShopper?: LoadSpec['makeShopper'];
}

/** A load's result with what the instances counted themselves over the same run. */
export interface MeasuredResult extends LoadResult {
  /** Sessions evicted at the memory cap, warm-up included; absent where no instance counts them. */
  sessionsEvicted?: number;
}

/** Starts a load for the scenario with progress shown; the caller drives phases and awaits `done`. */
export function startMeasuredLoad(
  ctx: ScenarioContext,
  spec: MeasureSpec,
): { load: LoadHandle; done: Promise<MeasuredResult> } {
  const { options, target } = ctx;
  const evictions = countEvictions(target.evictions(spec.variant));
  const load = startLoad({
    baseUrl: target.baseUrl,
    prefix: prefixOf(spec.variant),
    connections: options.connections,
    maxDurationS: spec.maxDurationS,
    rate: options.rate,
    warmupS: spec.warmupS ?? 0,
    ...(spec.firstPhase ? { firstPhase: spec.firstPhase } : {}),
    cpu: target.cpuGroups(spec.variant),
    makeShopper:
      spec.makeShopper ??
      (() =>
        createShopper(
          spec.variant,
          spec.mode,
          spec.mode === 'browse' ? options.actionsPerShopper : Infinity,
          { keyed: options.idempotency },
        )),
  });
  const stopWatch = ctx.progress.watch(spec.label, spec.plannedS ?? spec.maxDurationS, () => load.live());
  const done = load.done.finally(stopWatch).then(async (result): Promise<MeasuredResult> => {
    const sessionsEvicted = await evictions.since();
    return sessionsEvicted === undefined ? result : { ...result, sessionsEvicted };
  });
  return { load, done };
}

/**
 * Runs `script` (the faults and phase marks) under a load, then stops the load. When the script
 * throws, the load is still stopped and awaited before the error goes on.
 */
export async function underLoad(
  ctx: ScenarioContext,
  spec: MeasureSpec,
  script: (load: LoadHandle) => Promise<void>,
): Promise<MeasuredResult> {
  const { load, done } = startMeasuredLoad(ctx, spec);
  try {
    await script(load);
  } catch (err) {
    load.stop();
    await done.catch(() => undefined);
    throw err;
  }
  load.stop();
  return done;
}

function perRequest(ms: number | undefined, requests: number): number | undefined {
  if (ms === undefined) return undefined;
  return Math.round((ms / Math.max(1, requests)) * 1000) / 1000;
}

export function cpuPerRequest(cpuMs: Record<string, number>, requests: number): CpuPerRequest {
  const app = perRequest(cpuMs.app ?? 0, requests) ?? 0;
  const nginx = perRequest(cpuMs.nginx, requests);
  const redis = perRequest(cpuMs.redis, requests);
  const bench = perRequest(cpuMs.bench ?? 0, requests) ?? 0;
  const server = Math.round((app + (nginx ?? 0) + (redis ?? 0)) * 1000) / 1000;
  return {
    app,
    ...(nginx !== undefined ? { nginx } : {}),
    ...(redis !== undefined ? { redis } : {}),
    bench,
    server,
  };
}

/** The loss and error counts every row and phase reports, from one shopper tally. */
export function tallyFields(tally: Tally) {
  return {
    errors: tally.errors,
    lostSessions: tally.lostSessions,
    lostItems: tally.lostItems,
    duplicatedItems: tally.duplicatedItems,
    firstTryFailures: tally.firstTryFailures,
    retriedWrites: tally.retriedWrites,
    finalErrors: tally.finalErrors,
    perInstance: tally.perInstance,
  };
}

export function phaseRows(result: LoadResult): PhaseRow[] {
  return result.phases
    .filter((p) => p.measured)
    .map((p) => ({
      name: p.name,
      startS: p.startS,
      endS: p.endS,
      requests: p.requests,
      rps: p.rps,
      latencyMs: p.latencyMs,
      ...tallyFields(p.tally),
    }));
}

export function rowFromLoad(
  ctx: ScenarioContext,
  scenario: ScenarioName,
  variant: Variant | 'baseline',
  instances: number,
  result: MeasuredResult,
): ResultRow {
  const { tally } = result;
  return {
    variant,
    scenario,
    instances,
    connections: ctx.options.connections,
    durationS: result.durationS,
    requests: result.requests,
    rps: result.rps,
    latencyMs: result.latencyMs,
    ...tallyFields(tally),
    sessions: tally.sessions,
    loop: ctx.options.rate ? 'open' : 'closed',
    ...(ctx.options.rate ? { rate: ctx.options.rate } : {}),
    errorsByStatus: tally.errorsByStatus,
    connectionErrors: tally.connectionErrors,
    staleReads: tally.staleReads,
    invalidBodies: tally.invalidBodies,
    mispairedAnswers: tally.mispairedAnswers,
    cpuMsPerRequest: cpuPerRequest(result.cpuMs, result.requests),
    phases: phaseRows(result),
    series: result.series,
    events: result.events,
    bytesPerRequest: { identity: result.identityBytesPerRequest, request: result.requestBytesPerRequest },
    readShare: result.readShare,
    ...(result.sessionsEvicted === undefined ? {} : { sessionsEvicted: result.sessionsEvicted }),
  };
}

/** A row for a scenario that could not run: a failed run is still data. */
export function failedRow(
  ctx: ScenarioContext,
  scenario: ScenarioName,
  variant: Variant | 'baseline',
  error: unknown,
): ResultRow {
  return {
    variant,
    scenario,
    instances: ctx.options.instances,
    connections: ctx.options.connections,
    durationS: 0,
    requests: 0,
    rps: 0,
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
    errors: 0,
    sessions: 0,
    lostSessions: 0,
    lostItems: 0,
    duplicatedItems: 0,
    perInstance: {},
    failed: error instanceof Error ? error.message : String(error),
  };
}
