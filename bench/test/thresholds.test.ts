import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Report } from '../src/report-record.ts';
import { evaluateThresholds, parseThresholds, ThresholdsError } from '../src/thresholds.ts';

const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as Report;
const check = (spec: Record<string, string>) =>
  evaluateThresholds(report, parseThresholds(JSON.stringify(spec)));

describe('thresholds', () => {
  const cases: Array<[string, Record<string, string>, number]> = [
    ['stateless kill lost no session: passes', { 'stateless.kill.lostSessions': '== 0' }, 0],
    ['stateful kill lost sessions: "== 0" fails', { 'stateful.kill.lostSessions': '== 0' }, 1],
    ['stateful kill lost sessions: "> 0" passes', { 'stateful.kill.lostSessions': '> 0' }, 0],
    [
      'nested field: p99 under 100 ms on every scaling row passes',
      { 'stateless.scaling.latencyMs.p99': '< 100' },
      0,
    ],
    [
      'one check over several rows fails once per failing row',
      { 'stateless.cart-size.bytesPerRequest.identity': '<= 500' },
      2,
    ],
    ['a row that failed to run fails its check', { 'stateful.rolling-restart.errors': '== 0' }, 1],
    ['a result that is not in the report fails', { 'stateless.redis-outage.errors': '== 0' }, 1],
    ['a field that is not a number fails', { 'stateless.kill.perInstance': '== 0' }, 1],
  ];
  for (const [name, spec, failures] of cases) {
    it(name, () => assert.equal(check(spec).length, failures, check(spec).join('\n')));
  }

  it('a failure names the row and the value', () => {
    assert.deepEqual(check({ 'stateful.kill.lostSessions': '== 0' }), [
      'stateful.kill.lostSessions == 0: stateful kill (2 inst.) is 7',
    ]);
  });

  it('every problem in a thresholds file is reported at once', () => {
    assert.throws(
      () =>
        parseThresholds(
          JSON.stringify({
            'nope.kill.errors': '== 0',
            'stateless.explode.errors': '== 0',
            'stateless.kill': '== 0',
            'stateless.kill.errors': 'zero',
          }),
        ),
      (e: unknown) => e instanceof ThresholdsError && e.problems.length === 4,
    );
  });

  it('refuses a file that is not a JSON object', () => {
    assert.throws(() => parseThresholds('[1]'), ThresholdsError);
    assert.throws(() => parseThresholds('{'), /not JSON/);
  });
});
