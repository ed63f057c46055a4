import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evictionDelta, parseEvictedTotal } from '../src/evictions.ts';

describe("sessions evicted during a run, from the instances' own counters", () => {
  it('reads sessions_evicted_total from Prometheus text; undefined when the app keeps none', () => {
    const text = [
      '# HELP sessions_evicted_total Unexpired sessions evicted',
      '# TYPE sessions_evicted_total counter',
      'sessions_evicted_total{instance="stateful-1",variant="stateful"} 42',
      'sessions_in_memory{instance="stateful-1",variant="stateful"} 100',
    ].join('\n');
    assert.equal(parseEvictedTotal(text), 42);
    assert.equal(parseEvictedTotal('sessions_evicted_total 7\n'), 7);
    assert.equal(parseEvictedTotal('http_requests_total{route="/api/cart"} 3\n'), undefined);
  });

  const cases: Array<[string, Record<string, number>, Record<string, number>, number | undefined]> = [
    [
      'growth per instance process is summed',
      { 'stateful-1@10': 5, 'stateful-2@11': 0 },
      { 'stateful-1@10': 9, 'stateful-2@11': 3 },
      7,
    ],
    [
      'a restarted instance (new pid) counts from its start',
      { 'stateful-1@10': 5 },
      { 'stateful-1@12': 2 },
      2,
    ],
    ['nothing evicted is 0, not absent', { 'stateful-1@10': 5 }, { 'stateful-1@10': 5 }, 0],
    ['no instance counting anything is absent', {}, {}, undefined],
  ];
  for (const [name, before, after, want] of cases) {
    it(name, () => {
      assert.equal(evictionDelta(before, after), want);
    });
  }
});
