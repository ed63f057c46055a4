import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Report, ResultRow } from '../src/report-record.ts';
import { evaluateTargets, mixTarget, TARGET_RULE } from '../src/targets.ts';

const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as Report;
const round2 = (n: number) => Math.round(n * 100) / 100;
const { references, appAllowance } = TARGET_RULE;

describe('performance targets: the rule', () => {
  it('reads only: stateful 0.72×0.85 = 0.61, stateful-redis 0.72×0.80×0.85 = 0.49, stateless 0.72×1.2×0.85 = 0.73', () => {
    assert.equal(round2(mixTarget(references.stateful, 1, appAllowance)), 0.61);
    assert.equal(round2(mixTarget(references['stateful-redis'], 1, appAllowance)), 0.49);
    assert.equal(round2(mixTarget(references.stateless, 1, appAllowance)), 0.73);
  });

  it('writes only: stateless POST ≈ memory session, 0.72×1.0×0.85 = 0.61', () => {
    assert.equal(round2(mixTarget(references.stateless, 0, appAllowance)), 0.61);
  });

  it('a mix blends read and write req/s harmonically (each request takes its own time)', () => {
    // 40% reads at 0.864, 60% writes at 0.72: 0.85 / (0.4/0.864 + 0.6/0.72) = 0.656
    assert.equal(Math.round(mixTarget(references.stateless, 0.4, appAllowance) * 1000) / 1000, 0.656);
    const sessions = mixTarget(references.stateful, 0.4, appAllowance);
    assert.equal(sessions, mixTarget(references.stateful, 1, appAllowance), 'one reference for sessions');
  });
});

describe('performance targets from scaling rows', () => {
  const targets = evaluateTargets(report);

  it('each variant at 1 instance over the baseline at 1 instance, against its target: met / not met', () => {
    assert.deepEqual(
      targets.throughput.map((t) => [t.variant, t.ratio, t.target, t.verdict]),
      [
        ['stateful', 0.375, 0.612, 'not met'],
        ['stateful-redis', 0.3, 0.49, 'not met'],
        ['stateless', 0.35, 0.656, 'not met'],
      ],
    );
    const stateless = targets.throughput[2]!;
    assert.equal(stateless.readShare, 0.4);
    assert.equal(stateless.baselineRps, 4000);
    assert.equal(stateless.because, '0.85 / (0.4 / 0.864 + 0.6 / 0.72)');
  });

  it('a ratio at or above the target is met', () => {
    const fast = report.results.map((r) =>
      r.scenario === 'scaling' && r.variant === 'stateful' && r.instances === 1 ? { ...r, rps: 2448 } : r,
    );
    const stateful = evaluateTargets({ ...report, results: fast }).throughput[0]!;
    assert.equal(stateful.ratio, 0.612);
    assert.equal(stateful.verdict, 'met');
  });

  it('the bench CPU under load is CPU ms per request × req/s, against 0.5 core', () => {
    assert.equal(targets.benchCpu.maxCores, 0.352, '0.08 ms × 4,400 req/s');
    assert.equal(targets.benchCpu.verdict, 'met');
    assert.equal(targets.benchCpu.runAverageCores, 0.222);
    const busy = report.results.map((r) =>
      r.scenario === 'scaling' && r.cpuMsPerRequest
        ? { ...r, cpuMsPerRequest: { ...r.cpuMsPerRequest, bench: 0.2 } }
        : r,
    );
    assert.equal(evaluateTargets({ ...report, results: busy }).benchCpu.verdict, 'not met');
  });

  it('without a baseline step, a failed step or a recorded mix, a target is "not measured" and says why', () => {
    const noBaseline = report.results.filter((r) => r.variant !== 'baseline');
    const failed: ResultRow[] = report.results.map((r) =>
      r.variant === 'stateless' && r.scenario === 'scaling' ? { ...r, failed: 'lab did not start' } : r,
    );
    const noMix = report.results.map(({ readShare: _, ...r }) => r);
    const cases: Array<[ResultRow[], RegExp]> = [
      [noBaseline, /no bare express baseline step/],
      [failed, /the stateless step failed: lab did not start/],
      [noMix, /request mix of the step was not recorded/],
    ];
    for (const [results, because] of cases) {
      const stateless = evaluateTargets({ ...report, results }).throughput.find(
        (t) => t.variant === 'stateless',
      )!;
      assert.equal(stateless.verdict, 'not measured');
      assert.equal(stateless.ratio, null);
      assert.match(stateless.because, because);
    }
  });

  it('a variant without a scaling run has no target row; no scaling at all: bench CPU not measured', () => {
    const none = evaluateTargets({
      ...report,
      results: report.results.filter((r) => r.scenario !== 'scaling'),
    });
    assert.deepEqual(none.throughput, []);
    assert.equal(none.benchCpu.verdict, 'not measured');
  });

  it("the fixture's stored targets are what the rule it stores gives for its results", () => {
    assert.deepEqual(evaluateTargets(report, report.targets!.rule), report.targets);
  });
});
