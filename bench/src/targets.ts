/**
 * Performance targets: each variant's req/s over the bare express baseline's, at one instance in the
 * same scaling run, against a target derived from reference servers; and the bench's own CPU.
 * A pure function of the results, stored in report.json so views render the run's own rule.
 */
import { type CartStoreKind, TOPOLOGY, VARIANTS, type Variant } from '@statelab/cart-core';
import type {
  BenchCpuTarget,
  PerformanceTargets,
  Reference,
  Report,
  ResultRow,
  TargetRule,
  ThroughputTarget,
} from './report-record.ts';

/**
 * From the issue: reference servers on this machine kind (express 5 minimal handlers, 50
 * connections, direct): memory session GET ≈ 0.72× bare express, Redis session ≈ 0.80× memory
 * session, JWT cart GET ≈ 1.2× and POST ≈ 1.0× memory session. The scaling load mixes reads and
 * writes, so a variant's target blends its read and write references by the load's measured read
 * share (see `mixTarget`). Keyed by where the cart lives, as the reference servers were built.
 */
const REFERENCES: Readonly<Record<CartStoreKind, Reference>> = Object.freeze({
  'memory-session': {
    read: 0.72,
    write: 0.72,
    why: 'memory session GET ≈ 0.72× bare express. No write reference: a write also saves the session (a Map set), taken as costing what a read costs.',
  },
  'redis-session': {
    read: 0.72 * 0.8,
    write: 0.72 * 0.8,
    why: 'Redis session ≈ 0.80× memory session. No write reference: taken as a read, which makes this target strict (a write adds a SET round trip to Redis).',
  },
  jwt: {
    read: 0.72 * 1.2,
    write: 0.72 * 1.0,
    why: 'JWT cart GET ≈ 1.2× memory session, POST ≈ 1.0× (the write re-signs the token).',
  },
});

/** Each variant takes the reference of where its cart lives. */
export const TARGET_RULE: Readonly<TargetRule> = Object.freeze({
  appAllowance: 0.85,
  instances: 1,
  references: Object.freeze(
    Object.fromEntries(VARIANTS.map((v) => [v, REFERENCES[TOPOLOGY[v].store]])) as Record<Variant, Reference>,
  ),
  benchCpuCores: 0.5,
});

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The target ratio for a load with `readShare` reads: each request takes its own time, so the
 * mix's req/s is the harmonic blend of the read and write req/s, scaled by the app allowance.
 */
export function mixTarget(ref: Reference, readShare: number, allowance: number): number {
  return allowance / (readShare / ref.read + (1 - readShare) / ref.write);
}

function formula(ref: Reference, readShare: number, allowance: number): string {
  const r = (n: number) => String(round3(n));
  if (ref.read === ref.write) return `${r(ref.read)} × ${allowance}`;
  return `${allowance} / (${r(readShare)} / ${r(ref.read)} + ${r(1 - readShare)} / ${r(ref.write)})`;
}

const scalingRow = (results: readonly ResultRow[], variant: Variant | 'baseline', instances: number) =>
  results.find((r) => r.scenario === 'scaling' && r.variant === variant && r.instances === instances);

function throughputTarget(
  results: readonly ResultRow[],
  variant: Variant,
  rule: TargetRule,
): ThroughputTarget | undefined {
  const row = scalingRow(results, variant, rule.instances);
  if (!row) return undefined;
  const base = scalingRow(results, 'baseline', rule.instances);
  const empty = {
    variant,
    instances: rule.instances,
    connections: row.connections,
    rps: null,
    baselineRps: null,
    readShare: null,
    ratio: null,
    target: null,
    verdict: 'not measured' as const,
  };
  if (row.failed) return { ...empty, because: `the ${variant} step failed: ${row.failed}` };
  if (!base || base.failed || base.rps <= 0)
    return { ...empty, rps: row.rps, because: 'no bare express baseline step at one instance in this run' };
  if (row.readShare === undefined)
    return { ...empty, rps: row.rps, because: 'the request mix of the step was not recorded' };
  const ref = rule.references[variant];
  const ratio = round3(row.rps / base.rps);
  const target = round3(mixTarget(ref, row.readShare, rule.appAllowance));
  return {
    variant,
    instances: rule.instances,
    connections: row.connections,
    rps: row.rps,
    baselineRps: base.rps,
    readShare: row.readShare,
    ratio,
    target,
    verdict: ratio >= target ? 'met' : 'not met',
    because: formula(ref, row.readShare, rule.appAllowance),
  };
}

function benchCpuTarget(report: Pick<Report, 'results' | 'bench'>, rule: TargetRule): BenchCpuTarget {
  const steps = report.results
    .filter((r) => r.scenario === 'scaling' && !r.failed && r.cpuMsPerRequest)
    .map((r) => ({
      variant: r.variant,
      instances: r.instances,
      cores: round3((r.cpuMsPerRequest!.bench * r.rps) / 1000),
    }));
  const maxCores = steps.length ? Math.max(...steps.map((s) => s.cores)) : null;
  return {
    targetCores: rule.benchCpuCores,
    steps,
    maxCores,
    runAverageCores: round3(report.bench.cpuPct / 100),
    verdict: maxCores === null ? 'not measured' : maxCores <= rule.benchCpuCores ? 'met' : 'not met',
  };
}

export function evaluateTargets(
  report: Pick<Report, 'results' | 'bench'>,
  rule: TargetRule = TARGET_RULE,
): PerformanceTargets {
  return {
    rule,
    throughput: VARIANTS.map((v) => throughputTarget(report.results, v, rule)).filter(
      (t): t is ThroughputTarget => t !== undefined,
    ),
    benchCpu: benchCpuTarget(report, rule),
  };
}
