/**
 * The shape of report.json (contract section 6), the one record every view is rendered from: its
 * rows, environment and performance targets. Producers and views import it, never the reverse.
 */
import type { Variant } from '@statelab/cart-core';
import type { LatencySummary } from './latency.ts';
import type { SecondResult } from './load-record.ts';
import type { ScenarioName } from './options.ts';
import type { LoadGeneratorCheck } from './wrk.ts';

export const SCHEMA_VERSION = 1;

export interface PhaseRow {
  name: string;
  startS: number;
  endS: number;
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  errors: number;
  lostSessions: number;
  lostItems: number;
  duplicatedItems: number;
  /** Requests whose first try failed; writes among them are retried by the shopper (same key). */
  firstTryFailures?: number;
  /** Writes the shopper had to send again after a broken connection or a 502/503/504. */
  retriedWrites?: number;
  /** Requests that failed for good: not retried, or every retry failed. */
  finalErrors?: number;
  perInstance: Record<string, number>;
}

export interface CpuPerRequest {
  /** CPU ms per answered request, per group: app instances, nginx (master + workers), redis, the bench. */
  app: number;
  nginx?: number;
  redis?: number;
  bench: number;
  /** Everything but the bench: what serving one request costs the machine. */
  server: number;
}

export interface OutageFacts {
  killedAtS: number;
  restartedAtS: number;
  /** From the kill to the first 503. */
  timeToFirst503Ms: number | null;
  /** Failed answers while Redis was down, and how many were not a 503 JSON error. */
  failures: number;
  failuresNot503Json: number;
  /** The slowest failed answer while Redis was down: a fast 503 is the promise. */
  maxFailureLatencyMs: number;
  /** From Redis answering PING again to the first 2xx. */
  recoveryMs: number | null;
  /** From Redis answering PING again to the last failed answer (0: none): every instance serves again. */
  lastFailureMs: number;
}

export interface ConcurrencyFacts {
  shoppers: number;
  rounds: number;
  parallel: number;
  sent: number;
  acknowledged: number;
  survived: number;
  lostUpdates: number;
  lostUpdatePct: number;
}

export interface ResultRow {
  variant: Variant | 'baseline';
  scenario: ScenarioName;
  instances: number;
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  errors: number;
  sessions: number;
  lostSessions: number;
  lostItems: number;
  duplicatedItems: number;
  /** Requests whose first try failed; writes among them are retried by the shopper (same key). */
  firstTryFailures?: number;
  /** Writes the shopper had to send again after a broken connection or a 502/503/504. */
  retriedWrites?: number;
  /** Requests that failed for good: not retried, or every retry failed. */
  finalErrors?: number;
  perInstance: Record<string, number>;
  /** Set when the scenario could not run to the end; the numbers are what was measured until then. */
  failed?: string;
  loop?: 'closed' | 'open';
  rate?: number;
  errorsByStatus?: Record<string, number>;
  connectionErrors?: number;
  staleReads?: number;
  invalidBodies?: number;
  /** Answers credited to the wrong request by the load generator (X-Request-Id mismatch). */
  mispairedAnswers?: number;
  cpuMsPerRequest?: CpuPerRequest;
  phases?: PhaseRow[];
  series?: SecondResult[];
  events?: Array<{ t: number; label: string }>;
  cartLines?: number;
  bytesPerRequest?: { identity: number; request: number };
  /** Share of GETs among the requests sent in the measured window (the rest are cart writes). */
  readShare?: number;
  /** Per instance: from `start` resolving to the first answer it served (contract: within 15 s). */
  rejoinMs?: Record<string, number | null>;
  /**
   * kill: per killed instance, the shoppers whose cart it held at the kill (their last answer came
   * from it and their cart was not empty): what the kill put at stake.
   */
  cartsOnKilled?: Record<string, number>;
  outage?: OutageFacts;
  concurrency?: ConcurrencyFacts;
  /**
   * Sessions the instances evicted at their memory cap during the run (`sessions_evicted_total`):
   * carts lost to memory pressure, not to a fault. Only where the variant's instances count them.
   */
  sessionsEvicted?: number;
}

export interface Environment {
  cpus: number;
  cpuModel: string;
  memoryMb: number;
  os: string;
  node: string;
  nginx: string | null;
  redis: string | null;
  runtime: 'native' | 'compose';
  target: string | null;
  /** How the shoppers write: with keys and client retries, or `--no-idempotency`. */
  client?: { idempotencyKeys: boolean; retries: number };
  /**
   * How a stopping instance left nginx's rotation: `unlink` (apps on Unix sockets, unlinked first),
   * `close` (apps on TCP ports); null when the runtime does not say. Absent in older reports.
   */
  drain?: 'unlink' | 'close' | null;
  /** Plain warnings for readers, e.g. a 2-core machine cannot answer the scaling question. */
  warnings: string[];
  /** autocannon's req/s beside wrk's on the baseline's 1-instance scaling step. */
  loadGeneratorCheck?: LoadGeneratorCheck;
}

/** One reference: req/s over bare express's GET, for the variant's reads and writes. */
export interface Reference {
  read: number;
  write: number;
  why: string;
}

export interface TargetRule {
  /** The share of the reference ratio an app must reach with its logging, metrics and validation. */
  appAllowance: number;
  instances: number;
  references: Record<Variant, Reference>;
  /** The bench (autocannon and the shoppers) should stay below this many cores while it loads. */
  benchCpuCores: number;
}

export type TargetVerdict = 'met' | 'not met' | 'not measured';

export interface ThroughputTarget {
  variant: Variant;
  instances: number;
  connections: number | null;
  rps: number | null;
  baselineRps: number | null;
  /** Share of GETs among the requests sent in the measured window. */
  readShare: number | null;
  ratio: number | null;
  target: number | null;
  verdict: TargetVerdict;
  /** How the target was derived, or why it was not measured. */
  because: string;
}

export interface BenchCpuStep {
  variant: Variant | 'baseline';
  instances: number;
  cores: number;
}

export interface BenchCpuTarget {
  targetCores: number;
  /** The bench's cores during each measured scaling step (CPU ms per request × req/s). */
  steps: BenchCpuStep[];
  maxCores: number | null;
  /** Over the whole run, lab start-ups included: lower than under load. */
  runAverageCores: number;
  verdict: TargetVerdict;
}

export interface PerformanceTargets {
  rule: TargetRule;
  throughput: ThroughputTarget[];
  benchCpu: BenchCpuTarget;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  startedAt: string;
  finishedAt: string;
  environment: Environment;
  /** How the numbers were taken, in words, so the report stands on its own. */
  method: string[];
  options: Record<string, unknown>;
  results: ResultRow[];
  bench: { wallS: number; cpuMs: number; cpuPct: number };
  /** Each variant's req/s over the baseline's against its target, and the bench's own CPU. */
  targets?: PerformanceTargets;
}
