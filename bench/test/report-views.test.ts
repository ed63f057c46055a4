import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Report } from '../src/report.ts';
import { charts } from '../src/views/charts.ts';
import { claims } from '../src/views/claims.ts';
import { renderHtml } from '../src/views/html.ts';
import { renderMarkdown } from '../src/views/markdown.ts';
import { renderSummary } from '../src/views/summary.ts';

const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as Report;

describe('claims from the fixture report.json', () => {
  const byName = Object.fromEntries(claims(report).map((c) => [c.name, c]));

  it('five claims, in the order of the table', () => {
    assert.deepEqual(Object.keys(byName), [
      'Scaling',
      'Performance',
      'Reliability',
      'Payload',
      'Consistency',
    ]);
  });

  const expected: Array<[string, string, Record<string, string>]> = [
    ['Scaling', 'depends', { stateful: '×1.07 req/s (1→2 inst.)', stateless: '×1.07 req/s (1→2 inst.)' }],
    [
      'Performance',
      'did not hold',
      { stateful: '400 µs CPU/req', 'stateful-redis': '550 µs CPU/req', stateless: '450 µs CPU/req' },
    ],
    [
      'Reliability',
      'held',
      {
        stateful: '7 lost sessions of 40',
        'stateful-redis': '0 lost sessions of 40',
        stateless: '0 lost sessions of 40',
      },
    ],
    ['Payload', 'held', { stateful: '90 B/req at 50 lines', stateless: '1,378 B/req at 50 lines' }],
    ['Consistency', 'did not hold', { stateful: '40.0% lost updates', stateless: '90.0% lost updates' }],
  ];
  for (const [name, verdict, cells] of expected) {
    it(`${name}: ${verdict}, each cell a number with its unit`, () => {
      const c = byName[name]!;
      assert.equal(c.verdict, verdict, c.because);
      for (const [variant, text] of Object.entries(cells)) assert.equal(c.cells[variant as 'stateful'], text);
      assert.ok(c.because.length > 10);
    });
  }

  it('a 2-core machine says why scaling cannot be answered here', () => {
    assert.match(byName.Scaling!.because, /2, so more instances cannot add capacity/);
    assert.match(byName.Scaling!.because, /ceiling went ×1.10/);
  });

  it('claims with no data say "not measured" instead of guessing', () => {
    const empty = claims({ ...report, results: [] });
    assert.deepEqual(new Set(empty.map((c) => c.verdict)), new Set(['not measured']));
  });

  it('a failed row is never taken as a measurement', () => {
    const onlyFailed = claims({ ...report, results: report.results.map((r) => ({ ...r, failed: 'x' })) });
    assert.ok(onlyFailed.every((c) => c.verdict === 'not measured'));
  });
});

describe('views of the fixture report.json', () => {
  const rendered = charts(report);
  const md = renderMarkdown(report, rendered);
  const html = renderHtml(report, rendered);

  it('charts: req/s by instances, latency over time per fault, losses, bytes per request, as SVG', () => {
    assert.deepEqual(
      rendered.map((c) => c.id),
      ['scaling', 'latency-kill', 'latency-rolling-restart', 'latency-redis-outage', 'losses', 'bytes'],
    );
    for (const c of rendered) assert.match(c.svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(rendered.find((c) => c.id === 'latency-kill')!.svg, /kill x-1/, 'fault markers are drawn');
    assert.match(rendered.find((c) => c.id === 'scaling')!.svg, /ceiling/);
  });

  it('Markdown opens with the warning and the claims table, then environment, results and method', () => {
    const order = [
      '> **Warning:** This machine has 2 CPU cores',
      '## Claims',
      '## Environment',
      '## Charts',
      '## All results',
      '### Scaling',
      '## Method',
    ];
    let at = -1;
    for (const marker of order) {
      const i = md.indexOf(marker);
      assert.ok(i > at, `${marker} after the previous section`);
      at = i;
    }
    assert.match(md, /\| Claim \| stateful \| stateful-redis \| stateless \| Verdict \|/);
    assert.match(
      md,
      /\| Reliability: .* \| 7 lost sessions of 40 \| 0 lost sessions of 40 \| 0 lost sessions of 40 \| held: /,
    );
    assert.match(md, /did not hold: /);
    assert.match(md, /depends: /);
    assert.match(md, /!\[req\/s by instance count\]\(charts\/scaling.svg\)/);
    assert.match(md, /FAILED: timed out after 15000 ms/);
    assert.match(md, /Node v20.0.0, nginx 1.22.1, Redis 7.0.15/);
  });

  it('Markdown has the per-scenario details: phases, outage facts, cart sizes, lost updates', () => {
    assert.match(md, /### Kill one instance/);
    assert.match(md, /\| stateful \| during \| 2.0 \| 4.0 \|/);
    assert.match(md, /\| stateful-redis \| 12 ms \| 1,500 \| 0 \| 503 ms \| 850 ms \| 1,200 ms \|/);
    assert.match(md, /\| stateless \| 50 \| 1,378 \|/);
    assert.match(md, /\| stateless \| 20 \| 1 \| 10 \| 200 \| 200 \| 20 \| 180 \| 90.0% \|/);
  });

  it('HTML is one self-contained page: claims table first, verdicts marked, charts inline as <svg>, no script', () => {
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.indexOf('<h2>Claims</h2>') < html.indexOf('<h2>Environment</h2>'));
    assert.equal(html.match(/<svg/g)?.length, rendered.length);
    assert.doesNotMatch(html, /<script|<link|src="http/);
    assert.match(html, /<span class="held">held<\/span>/);
    assert.match(html, /<span class="did-not-hold">did not hold<\/span>/);
    assert.match(html, /<span class="depends">depends<\/span>/);
    assert.match(html, /class="warning"/);
  });

  it('HTML escapes text taken from the report', () => {
    assert.match(html, /Fixture: &lt;hand-written&gt; numbers &amp; labels/);
    assert.doesNotMatch(html, /<hand-written>/);
  });

  it('the terminal summary holds the claims and one line per result', () => {
    const text = renderSummary(report, '/tmp/x');
    assert.match(text, /WARNING: This machine has 2 CPU cores/);
    assert.match(
      text,
      /Consistency\s+40.0% lost updates\s+50.0% lost updates\s+90.0% lost updates\s+did not hold/,
    );
    assert.equal(
      text.split('\n').filter((l) => /^(baseline|stateful-redis|stateful|stateless)\s/.test(l)).length,
      report.results.length,
    );
    assert.match(text, /report: \/tmp\/x\/report\.\{json,md,html\}/);
  });
});
