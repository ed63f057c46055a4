import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Report } from '../src/report-record.ts';
import { charts } from '../src/views/charts.ts';
import { claims } from '../src/views/claims.ts';
import { renderHtml } from '../src/views/html.ts';
import { renderMarkdown } from '../src/views/markdown.ts';
import { renderSummary } from '../src/views/summary.ts';
import { notChecked } from '../src/wrk.ts';

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
        stateful: '7 lost sessions of 40 (the killed instance held 8 carts)',
        'stateful-redis': '0 lost sessions of 40 (the killed instance held 9 carts)',
        stateless: '0 lost sessions of 40 (the killed instance held 10 carts)',
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

  it('Reliability says what clients saw during the kill: first-try failures / final errors / duplicated items', () => {
    assert.match(
      byName.Reliability!.because,
      /first-try failures \/ final errors \/ duplicated items: stateful 3\/0\/0, stateful-redis 0\/0\/0, stateless 0\/0\/0$/,
    );
    const older = { ...report, results: report.results.map(({ firstTryFailures: _, ...r }) => r) };
    assert.match(claims(older).find((c) => c.name === 'Reliability')!.because, /stateful —\/0\/0/);
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
      /\| Reliability: .* \| 7 lost sessions of 40 \(the killed instance held 8 carts\) \| 0 lost sessions of 40 \(the killed instance held 9 carts\) \| 0 lost sessions of 40 \(the killed instance held 10 carts\) \| held: /,
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

  it('All results has an evicted column: sessions_evicted_total over the run, — where a variant counts none', () => {
    const section = md.slice(md.indexOf('## All results'));
    const cells = (line: string) => line.split('|').map((c) => c.trim());
    const header = cells(section.split('\n').find((l) => l.startsWith('| variant |'))!);
    const column = header.indexOf('evicted');
    assert.ok(column > 0, header.join(' | '));
    const row = (variant: string, scenario: string) =>
      cells(section.split('\n').find((l) => l.startsWith(`| ${variant} | ${scenario} |`))!)[column];
    assert.equal(row('stateful', 'kill'), '12');
    assert.equal(row('stateful', 'rolling-restart'), '0');
    assert.equal(row('stateless', 'kill'), '—');
    assert.match(section, /evicted: sessions the instances evicted at their memory cap/);
    assert.match(html, /<th>evicted<\/th>/);
    assert.match(renderSummary(report), /^stateful\s+kill\s+(\S+\s+){11}12\s/m, 'the terminal summary too');
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

describe('performance targets and the load generator check, rendered from the fixture report.json', () => {
  const md = renderMarkdown(report);
  const html = renderHtml(report, []);
  const text = renderSummary(report);

  it('Markdown: a Performance targets section after the claims, per variant ratio, target and met / not met', () => {
    assert.ok(md.indexOf('## Claims') < md.indexOf('## Performance targets'));
    assert.ok(md.indexOf('## Performance targets') < md.indexOf('## Environment'));
    assert.match(md, /\| stateful \| 38% \| 1,500 \| 4,000 \| 0.38× \| 0.36× \| met \| 0.72 × 0.5 \|/);
    assert.match(
      md,
      /\| stateless \| 40% \| 1,400 \| 4,000 \| 0.35× \| 0.39× \| not met \| 0.5 \/ \(0.4 \/ 0.864 \+ 0.6 \/ 0.72\) \|/,
    );
  });

  it('the views say plainly that these numbers went through nginx while the references were direct', () => {
    for (const view of [md, html]) {
      assert.match(view, /These numbers go through nginx; the reference servers .* direct, without nginx/);
      assert.match(view, /The baseline sends only GETs; each variant runs the shopper mix/);
    }
    assert.match(text, /Performance targets \(1 instance, through nginx; the references were direct\):/);
  });

  it('the rule is the one stored in report.json (here a 0.5 allowance), with its reasoning per variant', () => {
    assert.match(md, /### How the targets are set/);
    assert.match(md, /must reach 0.50× of its reference/);
    assert.match(md, /\| stateful-redis \| 0.576 \| 0.576 \| Redis session ≈ 0.80× memory session\./);
    assert.match(md, /\| stateless \| 0.864 \| 0.720 \| JWT cart GET ≈ 1.2× memory session, POST ≈ 1.0×/);
  });

  it("the bench's own CPU under load against the 0.5 core target, in every view", () => {
    for (const view of [md, html, text]) {
      assert.match(
        view,
        /at most 0.35 core \(baseline, 2 inst.\), target ≤ 0.5 core: met; .* averaged 0.22 core/,
      );
    }
  });

  it('HTML marks each verdict', () => {
    assert.ok(html.indexOf('<h2>Claims</h2>') < html.indexOf('<h2>Performance targets</h2>'));
    assert.match(html, /<td><span class="met">met<\/span><\/td>/);
    assert.match(html, /<td><span class="not-met">not met<\/span><\/td>/);
  });

  it('the terminal summary has the targets table and both CPU and wrk lines', () => {
    assert.match(text, /^ {2}stateful-redis\s+38%\s+0.30×\s+0.29×\s+met$/m);
    assert.match(text, /^ {2}stateless\s+40%\s+0.35×\s+0.39×\s+not met$/m);
    assert.match(
      text,
      /autocannon 4,000 req\/s, wrk \(1 thread\) 4,400 req\/s, ratio 0.91: agrees within 15%/,
    );
  });

  it('the load generator check is in the environment part of both views', () => {
    for (const view of [md, html]) {
      const env = view.slice(view.indexOf('Environment'), view.indexOf('All results'));
      assert.match(env, /Load generator check \(bare express, 1 inst\., 20 connections; wrk for 2 s/);
      assert.match(env, /ratio 0.91: agrees within 15%/);
    }
  });

  it('without wrk the report says "not checked (wrk not installed)"; a disagreement is said plainly', () => {
    const withoutWrk = {
      ...report,
      environment: { ...report.environment, loadGeneratorCheck: notChecked('wrk not installed') },
    };
    for (const view of [renderMarkdown(withoutWrk), renderHtml(withoutWrk, []), renderSummary(withoutWrk)]) {
      assert.match(view, /Load generator check against wrk: not checked \(wrk not installed\)/);
    }
    const check = report.environment.loadGeneratorCheck!;
    assert.equal(check.status, 'checked');
    const apart = {
      ...report,
      environment: {
        ...report.environment,
        loadGeneratorCheck: { ...check, wrkRps: 5000, ratio: 0.8, agreesWithin15: false, wrkErrors: 3 },
      },
    };
    assert.match(renderMarkdown(apart), /ratio 0.80: does not agree within 15%; wrk saw 3 errors/);
  });

  it('the environment says how graceful stops left the rotation; an older report without it says nothing', () => {
    const cases = [
      ['unlink', /graceful stops: drain unlink, apps on Unix sockets/],
      ['close', /graceful stops: drain close, apps on TCP ports/],
      [null, /graceful stops: how the target takes an instance out of the rotation is not known/],
    ] as const;
    for (const [drain, said] of cases) {
      const run = { ...report, environment: { ...report.environment, drain } };
      for (const view of [renderMarkdown(run), renderHtml(run, []), renderSummary(run)])
        assert.match(view, said);
    }
    assert.equal(report.environment.drain, undefined, 'the fixture is an older report');
    assert.doesNotMatch(renderMarkdown(report), /graceful stops:/);
  });

  it('a report without targets (an older report.json, or no scaling run) renders without the section', () => {
    const { targets: _, ...older } = report;
    assert.doesNotMatch(renderMarkdown(older), /Performance targets/);
    assert.doesNotMatch(renderHtml(older, []), /Performance targets/);
    assert.doesNotMatch(renderSummary(older), /Performance targets/);
  });
});
