/** Per-scenario tables: scaling, phases of each fault, the Redis outage, cart sizes, lost updates. */
import type { Report } from '../report-record.ts';
import { counted, fmt, type Table } from './format.ts';
import { spread, us } from './sections.ts';

function scalingTable(report: Report): Table | undefined {
  const list = report.results.filter((r) => r.scenario === 'scaling' && !r.failed);
  if (list.length === 0) return undefined;
  const rows = [
    [
      'variant',
      'inst.',
      'req/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'errors',
      'app µs/req',
      'nginx µs/req',
      'redis µs/req',
      'bench µs/req',
      'spread',
    ],
  ];
  for (const r of list) {
    const c = r.cpuMsPerRequest;
    rows.push([
      r.variant,
      String(r.instances),
      fmt(r.rps),
      fmt(r.latencyMs.p50, 1),
      fmt(r.latencyMs.p90, 1),
      fmt(r.latencyMs.p99, 1),
      fmt(r.latencyMs.max, 1),
      fmt(r.errors),
      us(c?.app),
      us(c?.nginx),
      us(c?.redis),
      us(c?.bench),
      spread(r.perInstance),
    ]);
  }
  return {
    title: 'Scaling',
    note: 'CPU time per answered request, from /proc/<pid>/stat. `baseline` is a bare express handler: the ceiling of this machine.',
    rows,
  };
}

function phasesTable(
  report: Report,
  scenario: 'kill' | 'rolling-restart' | 'redis-outage',
  title: string,
): Table | undefined {
  const list = report.results.filter((r) => r.scenario === scenario && !r.failed && r.phases);
  if (list.length === 0) return undefined;
  const rows = [
    [
      'variant',
      'phase',
      'from s',
      'to s',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'errors',
      'first-try failures',
      'retried writes',
      'final errors',
      'lost sessions',
      'lost items',
      'dup. items',
      'served by',
    ],
  ];
  for (const r of list) {
    for (const p of r.phases!) {
      rows.push([
        r.variant,
        p.name,
        fmt(p.startS, 1),
        fmt(p.endS, 1),
        fmt(p.rps),
        fmt(p.latencyMs.p50, 1),
        fmt(p.latencyMs.p99, 1),
        fmt(p.latencyMs.max, 1),
        fmt(p.errors),
        counted(p.firstTryFailures),
        counted(p.retriedWrites),
        counted(p.finalErrors),
        fmt(p.lostSessions),
        fmt(p.lostItems),
        fmt(p.duplicatedItems),
        spread(p.perInstance),
      ]);
    }
  }
  const rejoin = list
    .filter((r) => r.rejoinMs)
    .map(
      (r) =>
        `${r.variant}: ${Object.entries(r.rejoinMs!)
          .map(([id, ms]) => `${id} ${ms === null ? 'did not serve within 15 s' : `${fmt(ms)} ms`}`)
          .join(', ')}`,
    );
  const held = list
    .filter((r) => r.cartsOnKilled)
    .map(
      (r) =>
        `${r.variant}: ${Object.entries(r.cartsOnKilled!)
          .map(([id, n]) => `${id} ${fmt(n)}`)
          .join(', ')}`,
    );
  const notes = [
    ...(held.length ? [`Carts the killed instance held at the kill: ${held.join('; ')}.`] : []),
    ...(rejoin.length ? [`Back in rotation after start: ${rejoin.join('; ')}.`] : []),
  ];
  return { title, ...(notes.length ? { note: notes.join(' ') } : {}), rows };
}

function cartSizeTable(report: Report): Table | undefined {
  const list = report.results.filter((r) => r.scenario === 'cart-size' && !r.failed);
  if (list.length === 0) return undefined;
  const rows = [
    [
      'variant',
      'lines',
      'identity B/req',
      'request B/req',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'CPU µs/req',
    ],
  ];
  for (const r of list) {
    rows.push([
      r.variant,
      String(r.cartLines ?? '—'),
      fmt(r.bytesPerRequest?.identity ?? 0),
      fmt(r.bytesPerRequest?.request ?? 0),
      fmt(r.rps),
      fmt(r.latencyMs.p50, 1),
      fmt(r.latencyMs.p99, 1),
      fmt(r.errors),
      us(r.cpuMsPerRequest?.server),
    ]);
  }
  return { title: 'Cart size', rows };
}

function outageTable(report: Report): Table | undefined {
  const list = report.results.filter((r) => r.scenario === 'redis-outage' && !r.failed && r.outage);
  if (list.length === 0) return undefined;
  const rows = [
    [
      'variant',
      'first 503 after kill',
      'failures',
      'not a 503 JSON',
      'slowest failure',
      'first 2xx after Redis returned',
      'last failure after Redis returned',
      'lost sessions',
      'lost items',
    ],
  ];
  for (const r of list) {
    const o = r.outage!;
    rows.push([
      r.variant,
      o.timeToFirst503Ms === null ? 'none' : `${fmt(o.timeToFirst503Ms)} ms`,
      fmt(o.failures),
      fmt(o.failuresNot503Json),
      `${fmt(o.maxFailureLatencyMs)} ms`,
      o.recoveryMs === null ? 'not within 10 s' : `${fmt(o.recoveryMs)} ms`,
      o.lastFailureMs === undefined ? '—' : `${fmt(o.lastFailureMs)} ms`,
      fmt(r.lostSessions),
      fmt(r.lostItems),
    ]);
  }
  return {
    title: 'Redis outage',
    note: 'Contract: 503 within 1 s, every failure a 503 JSON, serving again within 10 s of Redis returning.',
    rows,
  };
}

function concurrencyTable(report: Report): Table | undefined {
  const list = report.results.filter(
    (r) => r.scenario === 'concurrent-updates' && !r.failed && r.concurrency,
  );
  if (list.length === 0) return undefined;
  const rows = [
    [
      'variant',
      'shoppers',
      'rounds',
      'in parallel',
      'sent',
      'acknowledged',
      'survived',
      'lost updates',
      'lost %',
    ],
  ];
  for (const r of list) {
    const c = r.concurrency!;
    rows.push([
      r.variant,
      fmt(c.shoppers),
      fmt(c.rounds),
      fmt(c.parallel),
      fmt(c.sent),
      fmt(c.acknowledged),
      fmt(c.survived),
      fmt(c.lostUpdates),
      `${fmt(c.lostUpdatePct, 1)}%`,
    ]);
  }
  return { title: 'Concurrent updates', rows };
}

export function detailTables(report: Report): Table[] {
  return [
    scalingTable(report),
    phasesTable(report, 'kill', 'Kill one instance'),
    phasesTable(report, 'rolling-restart', 'Rolling restart'),
    outageTable(report),
    phasesTable(report, 'redis-outage', 'Redis outage, by phase'),
    cartSizeTable(report),
    concurrencyTable(report),
  ].filter((t): t is Table => t !== undefined);
}
