/**
 * Each scenario, briefly, on a real lab (nginx, 2 instances, Redis where the variant needs it):
 * the fields are there and the losses are what docs/contract.md §3 says.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Variant } from '@statelab/cart-core';
import { processHost } from '@statelab/lab';
import { type LabTarget, openNativeLab } from '../src/lab-target.ts';
import { parseOptions } from '../src/options.ts';
import { createProgress } from '../src/progress.ts';
import type { ResultRow } from '../src/report-record.ts';
import { cartSize } from '../src/scenarios/cart-size.ts';
import { rowFromLoad, type ScenarioContext, startMeasuredLoad } from '../src/scenarios/common.ts';
import { concurrentUpdates } from '../src/scenarios/concurrent-updates.ts';
import { kill } from '../src/scenarios/kill.ts';
import { redisOutage } from '../src/scenarios/redis-outage.ts';
import { rollingRestart } from '../src/scenarios/rolling-restart.ts';
import { baselineSweep, scaling } from '../src/scenarios/scaling.ts';
import { evaluateTargets } from '../src/targets.ts';

const OPTIONS = parseOptions([
  '--instances',
  '2',
  '--duration',
  '1.5',
  '--warmup',
  '0.3',
  '--connections',
  '8',
  '--cart-sizes',
  '1,50',
  '--parallel-updates',
  '5',
]);

function labFor(variant: Variant, baseline = 0, appEnv?: Record<string, string>): () => ScenarioContext {
  let ctx: ScenarioContext | undefined;
  let target: LabTarget | undefined;
  before(async () => {
    target = await openNativeLab(
      { variant, instances: OPTIONS.instances, baseline, ...(appEnv ? { appEnv } : {}) },
      processHost(),
    );
    ctx = {
      options: OPTIONS,
      variant,
      target,
      progress: createProgress(new PassThrough().resume(), false),
      ownsLab: true,
    };
  });
  after(() => target?.close());
  return () => ctx!;
}

function assertRow(row: ResultRow | undefined, variant: string, scenario: string): asserts row is ResultRow {
  assert.ok(row, `a ${scenario} row`);
  assert.equal(row.failed, undefined, row.failed);
  assert.equal(row.variant, variant);
  assert.equal(row.scenario, scenario);
  for (const field of [
    'instances',
    'connections',
    'durationS',
    'requests',
    'rps',
    'errors',
    'sessions',
    'lostSessions',
    'lostItems',
    'duplicatedItems',
  ] as const) {
    assert.equal(typeof row[field], 'number', field);
  }
  assert.ok(row.requests > 0, 'requests were answered');
  assert.ok(row.rps > 0);
  for (const p of ['p50', 'p90', 'p99', 'max'] as const) assert.ok(row.latencyMs[p] > 0, `latency ${p}`);
  assert.ok(Object.keys(row.perInstance).length > 0);
  assert.equal(row.invalidBodies ?? 0, 0, 'every 2xx was a well-formed cart from the instance that said so');
  assert.equal(row.duplicatedItems, 0);
}

const phaseNames = (row: ResultRow) => row.phases?.map((p) => p.name);

describe('scenarios on a real stateless lab', () => {
  const ctx = labFor('stateless', 2);

  it('kill: phases before / during / after with markers; no session and no item lost; it serves again within 15 s', async () => {
    const [row] = await kill(ctx());
    assertRow(row, 'stateless', 'kill');
    assert.deepEqual(phaseNames(row), ['before', 'during', 'after']);
    assert.deepEqual(
      row.events?.map((e) => e.label),
      ['kill stateless-1', 'start stateless-1'],
    );
    assert.equal(row.lostSessions, 0);
    assert.equal(row.lostItems, 0);
    assert.deepEqual([row.firstTryFailures, row.finalErrors, row.duplicatedItems], [0, 0, 0]);
    assert.equal(row.sessionsEvicted, undefined, 'no stateless instance keeps sessions to evict');
    // `during` ends as the start is asked for, so every answer from stateless-1 in it came from the
    // killed process: at most one in flight per connection.
    const late = row.phases![1]!.perInstance['stateless-1'] ?? 0;
    assert.ok(late <= OPTIONS.connections, `the killed instance answered only what was in flight (${late})`);
    assert.equal(typeof row.rejoinMs?.['stateless-1'], 'number');
    assert.ok(row.series && row.series.length >= 3);
  });

  it('rolling-restart: no client sees an error, nothing lost, each instance serves again', async () => {
    const [row] = await rollingRestart(ctx());
    assertRow(row, 'stateless', 'rolling-restart');
    assert.deepEqual(phaseNames(row), ['before', 'rolling', 'after']);
    assert.equal(row.errors, 0, JSON.stringify(row.errorsByStatus));
    assert.equal(row.lostSessions, 0);
    assert.equal(row.lostItems, 0);
    for (const id of ['stateless-1', 'stateless-2']) assert.equal(typeof row.rejoinMs?.[id], 'number', id);
  });

  it('cart-size: the bearer token grows with the cart', async () => {
    const rows = await cartSize(ctx());
    assert.deepEqual(
      rows.map((r) => r.cartLines),
      [1, 50],
    );
    for (const r of rows) {
      assertRow(r, 'stateless', 'cart-size');
      assert.equal(r.errors, 0);
      assert.equal(r.lostItems, 0);
    }
    assert.ok(
      rows[1]!.bytesPerRequest!.identity > 2 * rows[0]!.bytesPerRequest!.identity,
      JSON.stringify(rows.map((r) => r.bytesPerRequest)),
    );
  });

  it('concurrent-updates: every addition is counted as survived or lost', async () => {
    const [row] = await concurrentUpdates(ctx());
    assertRow(row, 'stateless', 'concurrent-updates');
    const c = row.concurrency!;
    assert.equal(c.sent, 8 * 3 * 5);
    assert.equal(c.acknowledged, c.sent, 'every addition answered 2xx');
    assert.equal(c.survived + c.lostUpdates, c.acknowledged);
    assert.equal(row.lostItems, c.lostUpdates, 'the ledger agrees with the count');
    assert.ok(c.lostUpdates > 0, 'a token per answer keeps only the last of parallel updates');
  });

  it('open loop: --rate bounds the requests sent, and the row says so', async () => {
    const options = parseOptions(['--rate', '100', '--connections', '4', '--duration', '2']);
    const { done } = startMeasuredLoad(
      { ...ctx(), options },
      { label: 'open loop', variant: 'stateless', mode: 'browse', maxDurationS: 2 },
    );
    const row = rowFromLoad({ ...ctx(), options }, 'kill', 'stateless', 2, await done);
    assert.equal(row.loop, 'open');
    assert.equal(row.rate, 100);
    assert.ok(row.requests <= 2 * 100 + 4, `${row.requests} requests at 100/s for 2 s`);
    assert.ok(row.requests >= 100, `${row.requests} requests at 100/s for 2 s`);
    assert.equal(row.errors, 0);
  });

  it('scaling: 1 and 2 instances with CPU per request, and the same sweep on the baseline ceiling; wrk checks the load generator', async () => {
    const { rows: ceiling, check } = await baselineSweep(ctx(), process.env);
    const rows = await scaling(ctx());
    for (const [variant, list] of [
      ['baseline', ceiling],
      ['stateless', rows],
    ] as const) {
      assert.deepEqual(
        list.map((r) => r.instances),
        [1, 2],
      );
      for (const r of list) {
        assertRow(r, variant, 'scaling');
        assert.equal(r.errors, 0);
        assert.ok(
          r.cpuMsPerRequest!.app > 0 && r.cpuMsPerRequest!.nginx! > 0 && r.cpuMsPerRequest!.bench > 0,
        );
        assert.equal(Object.keys(r.perInstance).length, r.instances, 'every running instance served');
      }
    }
    assert.ok(
      ceiling.every((r) => r.readShare === 1),
      'the baseline sends only GETs',
    );
    assert.ok(
      rows.every((r) => r.readShare! > 0.2 && r.readShare! < 0.6),
      'the shopper mix reads and writes',
    );

    assert.equal(check.status, 'checked', JSON.stringify(check));
    if (check.status !== 'checked') return;
    assert.equal(check.url, `${ctx().target.baseUrl}/baseline/api/cart`);
    assert.deepEqual([check.instances, check.connections, check.durationS], [1, OPTIONS.connections, 2]);
    assert.equal(check.autocannonRps, ceiling[0]!.rps, "the 1-instance step's req/s");
    assert.ok(check.wrkRps > 0);
    assert.equal(check.wrkErrors, 0);
    assert.equal(check.ratio, Math.round((check.autocannonRps / check.wrkRps) * 1000) / 1000);
    assert.equal(check.agreesWithin15, Math.abs(check.autocannonRps / check.wrkRps - 1) <= 0.15);

    const [target] = evaluateTargets({
      results: [...ceiling, ...rows],
      bench: { wallS: 1, cpuMs: 0, cpuPct: 0 },
    }).throughput;
    assert.equal(target?.variant, 'stateless');
    assert.notEqual(target?.verdict, 'not measured', target?.because);
    assert.equal(target?.ratio, Math.round((rows[0]!.rps / ceiling[0]!.rps) * 1000) / 1000);
  });
});

describe('scenarios on a real stateful lab', () => {
  const ctx = labFor('stateful');

  it('kill: the sessions the killed instance held are lost; those clients are served by a live instance', async () => {
    const [row] = await kill(ctx());
    assertRow(row, 'stateful', 'kill');
    const held = row.cartsOnKilled?.['stateful-1'] ?? 0;
    assert.ok(held > 0, 'the kill waited for the victim to hold carts');
    assert.ok(row.lostSessions > 0, 'sessions lost');
    assert.ok(
      row.lostSessions <= held,
      `only carts the killed instance held (${row.lostSessions} of ${held})`,
    );
    assert.ok(
      (row.phases![1]!.perInstance['stateful-1'] ?? 0) <= OPTIONS.connections,
      'only answers in flight',
    );
    assert.equal(row.phases![2]!.lostSessions, 0, 'an instance that comes back costs no one a session again');
    // nginx replays the keyed writes the kill cut off on a fallback: a lost cart there, not an error.
    assert.equal(row.finalErrors, 0, JSON.stringify(row.errorsByStatus));
    assert.equal(row.phases![2]!.errors, 0, 'no error once the instance is back');
    assert.equal(row.sessionsEvicted, 0, 'counted, and nothing evicted far below the cap');
  });

  it('rolling-restart: no client sees an error, but in-memory sessions do not survive a restart', async () => {
    const [row] = await rollingRestart(ctx());
    assertRow(row, 'stateful', 'rolling-restart');
    assert.equal(row.errors, 0, JSON.stringify(row.errorsByStatus));
    assert.ok(row.lostSessions > 0);
  });
});

describe('a real stateful lab at SESSION_MEMORY_CAP=10', () => {
  const ctx = labFor('stateful', 0, { SESSION_MEMORY_CAP: '10' });

  it("shoppers that keep leaving fill the cap: the row counts the instances' evictions", async () => {
    // Three requests per shopper: a new session every few requests on each instance.
    const options = { ...OPTIONS, actionsPerShopper: 3 };
    const { done } = startMeasuredLoad(
      { ...ctx(), options },
      { label: 'evictions', variant: 'stateful', mode: 'browse', maxDurationS: 2 },
    );
    const row = rowFromLoad({ ...ctx(), options }, 'scaling', 'stateful', 2, await done);
    assert.equal(row.errors, 0, JSON.stringify(row.errorsByStatus));
    assert.ok(row.sessions > 2 * 10, `${row.sessions} shoppers`);
    assert.ok((row.sessionsEvicted ?? 0) > 0, `sessionsEvicted ${row.sessionsEvicted}`);
  });
});

describe('scenarios on a real stateful-redis lab', () => {
  const ctx = labFor('stateful-redis');

  it('kill: no session lost', async () => {
    const [row] = await kill(ctx());
    assertRow(row, 'stateful-redis', 'kill');
    assert.ok((row.cartsOnKilled?.['stateful-redis-1'] ?? 0) > 0, 'carts were at stake');
    assert.equal(row.lostSessions, 0);
    assert.equal(row.lostItems, 0);
    // Keyed writes cut off by the kill are replayed by nginx on the other instance, from the receipt.
    assert.deepEqual(
      [row.firstTryFailures, row.finalErrors, row.duplicatedItems],
      [0, 0, 0],
      JSON.stringify(row.errorsByStatus),
    );
  });

  it('redis-outage: a 503 JSON within 1 s, every failure a fast 503 JSON, serving again within 10 s', async () => {
    const [row] = await redisOutage(ctx());
    assertRow(row, 'stateful-redis', 'redis-outage');
    assert.deepEqual(phaseNames(row), ['before', 'outage', 'recovery']);
    const o = row.outage!;
    assert.ok(
      o.timeToFirst503Ms !== null && o.timeToFirst503Ms <= 1000,
      `first 503 after ${o.timeToFirst503Ms} ms`,
    );
    assert.ok(o.failures > 0);
    assert.equal(o.failuresNot503Json, 0);
    assert.ok(o.maxFailureLatencyMs <= 1000, `slowest failure ${o.maxFailureLatencyMs} ms`);
    assert.ok(o.recoveryMs !== null && o.recoveryMs <= 10_000, `recovered after ${o.recoveryMs} ms`);
    assert.ok(o.lastFailureMs <= 10_000, `last failure ${o.lastFailureMs} ms after Redis returned`);
    assert.ok(row.errorsByStatus?.['503'], '503s counted as errors');
  });

  it('redis-outage is a stateful-redis scenario only', async () => {
    assert.deepEqual(await redisOutage({ ...ctx(), variant: 'stateless' }), []);
  });
});
