/**
 * The record of one load run: phases (each with its own tally, latency histogram, bytes and CPU
 * time), the per-second series and the fault markers, summarised into a `LoadResult` at the end.
 */
import type autocannon from 'autocannon';
import { type CpuGroups, type CpuSample, cpuDelta, sampleCpu } from './cpu.ts';
import { createLatencyRecorder, type LatencyRecorder, type LatencySummary } from './latency.ts';
import { createTally, mergeTallies, type Tally } from './ledger.ts';

export interface PhaseResult {
  name: string;
  measured: boolean;
  startS: number;
  endS: number;
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  tally: Tally;
  cpuMs: Record<string, number>;
  identityBytes: number;
  requestBytes: number;
}

export interface SecondResult {
  t: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
}

export interface LoadResult {
  /** Seconds of measured phases. */
  durationS: number;
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  tally: Tally;
  phases: PhaseResult[];
  series: SecondResult[];
  events: Array<{ t: number; label: string }>;
  cpuMs: Record<string, number>;
  identityBytesPerRequest: number;
  requestBytesPerRequest: number;
  /** Share of GETs among the requests sent in measured phases. */
  readShare: number;
  autocannon: { requests: number; non2xx: number; errors: number; timeouts: number };
  /** Resets of a connection nginx had announced closing: the load generator's doing, not an error. */
}

export interface Phase {
  name: string;
  measured: boolean;
  start: number;
  end?: number;
  tally: Tally;
  latency: LatencyRecorder;
  cpuBefore?: CpuSample;
  cpuMs: Record<string, number>;
  identityBytes: number;
  requestBytes: number;
  sent: number;
  /** GETs among `sent`. */
  reads: number;
}

export interface Second {
  requests: number;
  errors: number;
  latency: LatencyRecorder;
}

export interface RunRecord {
  current(): Phase;
  second(t: number): Second;
  /**
   * Ends the current phase and opens the next at once (answers from now on land in it); resolves
   * once CPU time has been sampled for the boundary.
   */
  openPhase(name: string, measured: boolean): Promise<void>;
  /** Ends the last phase and samples CPU time. */
  finish(): Promise<void>;
  event(label: string): void;
  tally(): Tally;
  /** Answers in the last complete second. */
  lastRps(): number;
  summarize(result: autocannon.Result): LoadResult;
}

export function createRunRecord(now: () => number, cpu: CpuGroups | undefined): RunRecord {
  const phases: Phase[] = [];
  const seconds: Second[] = [];
  const events: Array<{ t: number; label: string }> = [];
  const current = () => phases[phases.length - 1]!;
  let cpuChain: Promise<void> = Promise.resolve();
  return {
    current,
    second(t) {
      const i = Math.floor(t / 1000);
      for (let k = seconds.length; k <= i; k++)
        seconds.push({ requests: 0, errors: 0, latency: createLatencyRecorder() });
      return seconds[i]!;
    },
    openPhase(name, measured) {
      const previous = phases[phases.length - 1];
      const t = now();
      if (previous) previous.end = t;
      const phase: Phase = {
        name,
        measured,
        start: t,
        tally: createTally(),
        latency: createLatencyRecorder(),
        cpuMs: {},
        identityBytes: 0,
        requestBytes: 0,
        sent: 0,
        reads: 0,
      };
      phases.push(phase);
      // One CPU sample ends the previous phase and starts this one; samples are taken in order.
      cpuChain = cpuChain.then(async () => {
        if (!cpu) return;
        const sample = await sampleCpu(cpu);
        if (previous?.cpuBefore) previous.cpuMs = cpuDelta(previous.cpuBefore, sample);
        phase.cpuBefore = sample;
      });
      return cpuChain;
    },
    finish() {
      const last = current();
      last.end = now();
      cpuChain = cpuChain.then(async () => {
        if (cpu && last.cpuBefore) last.cpuMs = cpuDelta(last.cpuBefore, await sampleCpu(cpu));
      });
      return cpuChain;
    },
    event(label) {
      events.push({ t: Math.round(now()) / 1000, label });
    },
    tally: () => mergeTallies(phases.map((p) => p.tally)),
    lastRps() {
      const last = seconds.length >= 2 ? seconds[seconds.length - 2]! : seconds[0];
      return last?.requests ?? 0;
    },
    summarize: (result) => summarize(phases, seconds, events, result),
  };
}

function phaseResult(p: Phase): PhaseResult {
  const startS = p.start / 1000;
  const endS = (p.end ?? p.start) / 1000;
  const span = Math.max(0.001, endS - startS);
  return {
    name: p.name,
    measured: p.measured,
    startS: Math.round(startS * 1000) / 1000,
    endS: Math.round(endS * 1000) / 1000,
    requests: p.tally.requests,
    rps: Math.round((p.tally.requests / span) * 10) / 10,
    latencyMs: p.latency.summary(),
    tally: p.tally,
    cpuMs: p.cpuMs,
    identityBytes: p.identityBytes,
    requestBytes: p.requestBytes,
  };
}

function summarize(
  phases: Phase[],
  seconds: Second[],
  events: Array<{ t: number; label: string }>,
  result: autocannon.Result,
): LoadResult {
  const measured = phases.filter((p) => p.measured);
  const latency = createLatencyRecorder();
  for (const p of measured) latency.add(p.latency);
  const tally = mergeTallies(measured.map((p) => p.tally));
  const durationS = measured.reduce((s, p) => s + ((p.end ?? p.start) - p.start) / 1000, 0);
  const sent = measured.reduce((s, p) => s + p.sent, 0) || 1;
  const cpuMs: Record<string, number> = {};
  for (const p of measured) for (const [g, ms] of Object.entries(p.cpuMs)) cpuMs[g] = (cpuMs[g] ?? 0) + ms;
  return {
    durationS: Math.round(durationS * 1000) / 1000,
    requests: tally.requests,
    rps: Math.round((tally.requests / Math.max(0.001, durationS)) * 10) / 10,
    latencyMs: latency.summary(),
    tally,
    phases: phases.map(phaseResult),
    series: seconds.map((s, t) => ({
      t,
      requests: s.requests,
      errors: s.errors,
      ...pick(s.latency.summary()),
    })),
    events,
    cpuMs,
    identityBytesPerRequest: Math.round(measured.reduce((s, p) => s + p.identityBytes, 0) / sent),
    requestBytesPerRequest: Math.round(measured.reduce((s, p) => s + p.requestBytes, 0) / sent),
    readShare: Math.round((measured.reduce((s, p) => s + p.reads, 0) / sent) * 1000) / 1000,
    autocannon: {
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    },
  };
}

function pick(s: LatencySummary): { p50: number; p99: number } {
  return { p50: s.p50, p99: s.p99 };
}
