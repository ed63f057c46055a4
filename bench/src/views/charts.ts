/**
 * Charts as inline SVG, rendered server-side by echarts (no browser, no script in the page). Each
 * chart is a pure function of report.json; a chart without data is left out.
 */

import { VARIANTS, type Variant } from '@statelab/cart-core';
import * as echarts from 'echarts';
import type { Report, ResultRow } from '../report-record.ts';

export interface Chart {
  id: string;
  title: string;
  svg: string;
}

const WIDTH = 760;
const HEIGHT = 320;
/** Colours go to variants in the table's order (repeating past the palette); the baseline is grey. */
const PALETTE = ['#d9480f', '#1c7ed6', '#2b8a3e'];
const BASELINE_COLOR = '#868e96';
const color = (v: Variant | 'baseline') =>
  v === 'baseline' ? BASELINE_COLOR : PALETTE[VARIANTS.indexOf(v) % PALETTE.length];

function render(option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const ok = (r: ResultRow) => !r.failed;
const base = (title: string) => ({
  title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
  legend: { bottom: 0 },
  grid: { left: 64, right: 24, top: 48, bottom: 64 },
});

function scalingChart(report: Report): Chart | undefined {
  const rows = report.results.filter((r) => r.scenario === 'scaling' && ok(r));
  if (rows.length === 0) return undefined;
  const counts = [...new Set(rows.map((r) => r.instances))].sort((a, b) => a - b);
  const series = [...VARIANTS, 'baseline' as const]
    .filter((v) => rows.some((r) => r.variant === v))
    .map((v) => ({
      name: v === 'baseline' ? 'ceiling (bare express)' : v,
      type: 'line',
      color: color(v),
      lineStyle: v === 'baseline' ? { type: 'dashed' } : {},
      data: counts.map((n) => rows.find((r) => r.variant === v && r.instances === n)?.rps ?? null),
    }));
  const title = 'req/s by instance count';
  return {
    id: 'scaling',
    title,
    svg: render({
      ...base(title),
      xAxis: { type: 'category', name: 'instances', data: counts.map(String) },
      yAxis: { type: 'value', name: 'req/s' },
      series,
    }),
  };
}

function latencyChart(
  report: Report,
  scenario: 'kill' | 'rolling-restart' | 'redis-outage',
): Chart | undefined {
  const rows = report.results.filter((r) => r.scenario === scenario && ok(r) && r.series?.length);
  if (rows.length === 0) return undefined;
  const series = rows.map((r) => ({
    name: `${r.variant} p99`,
    type: 'line',
    showSymbol: false,
    color: color(r.variant),
    data: r.series!.map((s) => [s.t, s.p99]),
    markLine: {
      symbol: 'none',
      // Along the line, so markers of different variants at close times do not overwrite each other.
      label: { formatter: '{b}', fontSize: 10, position: 'insideEndTop' },
      lineStyle: { color: color(r.variant), type: 'dotted' },
      data: (r.events ?? []).map((e) => ({ name: `${r.variant}: ${e.label}`, xAxis: e.t })),
    },
  }));
  const title = `${scenario}: p99 latency per second, with fault markers`;
  return {
    id: `latency-${scenario}`,
    title,
    svg: render({
      ...base(title),
      xAxis: { type: 'value', name: 's', min: 0 },
      yAxis: { type: 'value', name: 'ms' },
      series,
    }),
  };
}

function lossesChart(report: Report): Chart | undefined {
  const measures: Array<[string, string, (r: ResultRow) => number]> = [
    ['kill', 'kill\nlost sessions', (r) => r.lostSessions],
    ['rolling-restart', 'rolling restart\nlost sessions', (r) => r.lostSessions],
    ['redis-outage', 'redis outage\nlost sessions', (r) => r.lostSessions],
    ['concurrent-updates', 'concurrent updates\nlost updates', (r) => r.lostItems],
  ];
  const present = measures.filter(([s]) => report.results.some((r) => r.scenario === s && ok(r)));
  if (present.length === 0) return undefined;
  const series = VARIANTS.filter((v) => report.results.some((r) => r.variant === v && ok(r))).map((v) => ({
    name: v,
    type: 'bar',
    color: color(v),
    data: present.map(([s, , value]) => {
      const row = report.results.find((r) => r.scenario === s && r.variant === v && ok(r));
      return row ? value(row) : null;
    }),
  }));
  const title = 'Losses per variant';
  return {
    id: 'losses',
    title,
    svg: render({
      ...base(title),
      xAxis: {
        type: 'category',
        data: present.map(([, label]) => label),
        axisLabel: { fontSize: 10, interval: 0 },
      },
      yAxis: { type: 'value', name: 'count' },
      series,
    }),
  };
}

function bytesChart(report: Report): Chart | undefined {
  const rows = report.results.filter(
    (r) => r.scenario === 'cart-size' && ok(r) && r.cartLines && r.bytesPerRequest,
  );
  if (rows.length === 0) return undefined;
  const sizes = [...new Set(rows.map((r) => r.cartLines!))].sort((a, b) => a - b);
  const series = VARIANTS.filter((v) => rows.some((r) => r.variant === v)).map((v) => ({
    name: v,
    type: 'bar',
    color: color(v),
    data: sizes.map(
      (n) => rows.find((r) => r.variant === v && r.cartLines === n)?.bytesPerRequest?.identity ?? null,
    ),
  }));
  const title = 'Identity bytes per request by cart size (Cookie or Authorization header)';
  return {
    id: 'bytes',
    title,
    svg: render({
      ...base(title),
      xAxis: { type: 'category', name: 'lines', data: sizes.map(String) },
      yAxis: { type: 'value', name: 'bytes' },
      series,
    }),
  };
}

export function charts(report: Report): Chart[] {
  return [
    scalingChart(report),
    latencyChart(report, 'kill'),
    latencyChart(report, 'rolling-restart'),
    latencyChart(report, 'redis-outage'),
    lossesChart(report),
    bytesChart(report),
  ].filter((c): c is Chart => c !== undefined);
}
