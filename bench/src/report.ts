/**
 * report.json (docs/contract.md §6): the one record every view is rendered from. Written first,
 * before any Markdown or HTML, so a rendering bug never costs a measurement.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Variant } from '@statelab/cart-core';
import type { LatencySummary } from './latency.ts';
import type { SecondResult } from './load.ts';
import type { ScenarioName } from './options.ts';
import type { PerformanceTargets } from './targets.ts';
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
  perInstance: Record<string, number>;
  /** Set when the scenario could not run to the end; the numbers are what was measured until then. */
  failed?: string;
  loop?: 'closed' | 'open';
  rate?: number;
  errorsByStatus?: Record<string, number>;
  connectionErrors?: number;
  /** Connections reset after nginx announced `Connection: close`; not errors (see load.ts). */
  clientResets?: number;
  staleReads?: number;
  invalidBodies?: number;
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
  outage?: OutageFacts;
  concurrency?: ConcurrencyFacts;
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
  /** Plain warnings for readers, e.g. a 2-core machine cannot answer the scaling question. */
  warnings: string[];
  /** autocannon's req/s beside wrk's on the baseline's 1-instance scaling step. */
  loadGeneratorCheck?: LoadGeneratorCheck;
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

/** `bench-results/2026-01-01T00-00-00Z`: sortable, and safe in every file system. */
export function runDirName(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

export async function writeReportJson(dir: string, report: Report): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'report.json');
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export async function readReportJson(dir: string): Promise<Report> {
  const text = await readFile(path.join(dir, 'report.json'), 'utf8');
  const report = JSON.parse(text) as Report;
  if (report?.schemaVersion !== SCHEMA_VERSION || !Array.isArray(report.results)) {
    throw new Error(
      `${path.join(dir, 'report.json')} is not a statelab report (schemaVersion ${SCHEMA_VERSION})`,
    );
  }
  return report;
}
