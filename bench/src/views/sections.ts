/**
 * The report's content as plain tables, shared by the Markdown, HTML and terminal views so they
 * never disagree. Pure functions of report.json; per-scenario tables are in detail-tables.ts.
 */
import { VARIANTS } from '@statelab/cart-core';
import type { Report, ResultRow } from '../report-record.ts';
import { claims } from './claims.ts';
import { counted, fmt, type Table } from './format.ts';
import { loadGeneratorSentence } from './targets.ts';

/** CPU ms per request shown in microseconds. */
export const us = (ms: number | undefined) => (ms === undefined ? '—' : fmt(ms * 1000));

export function spread(perInstance: Record<string, number>): string {
  const total = Object.values(perInstance).reduce((a, b) => a + b, 0);
  if (total === 0) return '—';
  return Object.entries(perInstance)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([id, n]) => `${id} ${fmt((n / total) * 100)}%`)
    .join(' · ');
}

export function claimsTable(report: Report): Table {
  const rows = [['Claim', ...VARIANTS, 'Verdict']];
  for (const c of claims(report)) {
    rows.push([
      `${c.name}: ${c.claim}`,
      ...VARIANTS.map((v) => c.cells[v] ?? '—'),
      `${c.verdict}: ${c.because}`,
    ]);
  }
  return { title: 'Claims', rows };
}

export function resultsTable(report: Report): Table {
  const rows = [
    [
      'variant',
      'scenario',
      'inst.',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'errors',
      'final errors',
      'sessions',
      'lost sessions',
      'lost items',
      'dup. items',
      'evicted',
      'CPU µs/req',
      'note',
    ],
  ];
  for (const r of report.results) {
    rows.push([
      r.variant,
      r.scenario + (r.cartLines ? ` (${r.cartLines} line${r.cartLines === 1 ? '' : 's'})` : ''),
      String(r.instances),
      fmt(r.rps),
      fmt(r.latencyMs.p50, 1),
      fmt(r.latencyMs.p99, 1),
      fmt(r.latencyMs.max, 1),
      fmt(r.errors),
      counted(r.finalErrors),
      fmt(r.sessions),
      fmt(r.lostSessions),
      fmt(r.lostItems),
      fmt(r.duplicatedItems),
      r.sessionsEvicted === undefined ? '—' : fmt(r.sessionsEvicted),
      us(r.cpuMsPerRequest?.server),
      r.failed ? `FAILED: ${r.failed}` : '',
    ]);
  }
  return {
    title: 'All results',
    note: "errors: tries that failed; final errors: requests that still failed after the shoppers' retries (a write is sent again, with the same Idempotency-Key, after a broken connection or a 502/503/504, up to 3 times). evicted: sessions the instances evicted at their memory cap during the run (sessions_evicted_total), each a lost cart; — where the variant's instances keep no such count.",
    rows,
  };
}

/** Which way a graceful stop took an instance out of nginx's rotation, in a sentence. */
export function drainSentence(drain: 'unlink' | 'close' | null): string {
  if (drain === 'unlink')
    return 'graceful stops: drain unlink, apps on Unix sockets that unlink theirs before they stop accepting (nginx sends even a POST elsewhere)';
  if (drain === 'close')
    return 'graceful stops: drain close, apps on TCP ports whose closing listener resets its backlog (a POST nginx already sent there is a 502)';
  return 'graceful stops: how the target takes an instance out of the rotation is not known';
}

export function environmentLines(report: Report): string[] {
  const e = report.environment;
  const check = loadGeneratorSentence(e.loadGeneratorCheck);
  return [
    `${e.cpus} CPUs (${e.cpuModel}), ${fmt(e.memoryMb)} MB memory, ${e.os}`,
    `Node ${e.node}, nginx ${e.nginx ?? 'not found'}, Redis ${e.redis ?? 'not found'}`,
    `runtime ${e.runtime}${e.target ? `, target ${e.target}` : ''}`,
    ...(e.drain === undefined ? [] : [drainSentence(e.drain)]),
    ...(e.client ? [clientSentence(e.client)] : []),
    `bench: ${fmt(report.bench.wallS, 1)} s wall, ${fmt(report.bench.cpuMs)} ms CPU (${fmt(report.bench.cpuPct, 1)}% of one core): the load generator's own cost`,
    ...(check ? [check] : []),
  ];
}

function clientSentence(client: NonNullable<Report['environment']['client']>): string {
  const retries = `a write whose connection broke or that got 502/503/504 is sent again up to ${client.retries} times`;
  return client.idempotencyKeys
    ? `shoppers: an Idempotency-Key on every write; ${retries} with the same key, and nginx may replay a keyed write on another instance`
    : `shoppers: no Idempotency-Key (--no-idempotency); ${retries}, and nginx replays only stateless writes already sent`;
}

export function failedRows(report: Report): ResultRow[] {
  return report.results.filter((r) => r.failed);
}
