/** report.html: one self-contained page (inline CSS and SVG, no script), rendered from report.json. */
import type { Report } from '../report-record.ts';
import type { Chart } from './charts.ts';
import { claims } from './claims.ts';
import { detailTables } from './detail-tables.ts';
import { escapeHtml as h, type Table } from './format.ts';
import { claimsTable, environmentLines, resultsTable } from './sections.ts';
import { targetsView } from './targets.ts';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #212529; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: 13px; }
th, td { border: 1px solid #dee2e6; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f5; }
.warning { background: #fff3bf; border-left: 4px solid #f59f00; padding: .6rem 1rem; }
.held { color: #2b8a3e; font-weight: 600; } .did-not-hold { color: #c92a2a; font-weight: 600; }
.depends { color: #e67700; font-weight: 600; } .not-measured { color: #868e96; font-weight: 600; }
.met { color: #2b8a3e; font-weight: 600; } .not-met { color: #c92a2a; font-weight: 600; }
figure { margin: 1rem 0; } figcaption { font-size: 12px; color: #495057; }
`;

function table(t: Table, level = 2, cellHtml?: (row: number, col: number, text: string) => string): string {
  const [head = [], ...body] = t.rows;
  return [
    `<h${level}>${h(t.title)}</h${level}>`,
    t.note ? `<p>${h(t.note)}</p>` : '',
    '<table>',
    `<thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...body.map(
      (r, i) => `<tr>${r.map((c, j) => `<td>${cellHtml ? cellHtml(i, j, c) : h(c)}</td>`).join('')}</tr>`,
    ),
    '</tbody></table>',
  ].join('\n');
}

export function renderHtml(report: Report, charts: readonly Chart[]): string {
  const verdicts = claims(report);
  const claimsT = claimsTable(report);
  const lastCol = claimsT.rows[0]!.length - 1;
  const claimCell = (row: number, col: number, text: string) => {
    if (col !== lastCol) return h(text);
    const v = verdicts[row]!;
    return `<span class="${v.verdict.replace(/ /g, '-')}">${h(v.verdict)}</span>: ${h(v.because)}`;
  };
  const targets = targetsView(report);
  const verdictCol = targets ? targets.throughput.rows[0]!.indexOf('verdict') : -1;
  const targetCell = (row: number, col: number, text: string) => {
    const verdict = report.targets!.throughput[row]!.verdict;
    if (col !== verdictCol || verdict === 'not measured') return h(text);
    return `<span class="${verdict.replace(/ /g, '-')}">${h(text)}</span>`;
  };
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>statelab bench ${h(report.startedAt)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>statelab bench, ${h(report.startedAt)}</h1>`,
    ...report.environment.warnings.map((w) => `<p class="warning"><strong>Warning:</strong> ${h(w)}</p>`),
    table(claimsT, 2, claimCell),
    ...(targets
      ? [table(targets.throughput, 2, targetCell), `<p>${h(targets.benchCpu)}</p>`, table(targets.rule, 3)]
      : []),
    '<h2>Environment</h2>',
    `<ul>${environmentLines(report)
      .map((l) => `<li>${h(l)}</li>`)
      .join('')}</ul>`,
    charts.length ? '<h2>Charts</h2>' : '',
    // The SVG comes from echarts, fed only our own numbers and labels.
    ...charts.map(
      (c) => `<figure id="chart-${h(c.id)}">${c.svg}<figcaption>${h(c.title)}</figcaption></figure>`,
    ),
    table(resultsTable(report)),
    ...detailTables(report).map((t) => table(t, 3)),
    '<h2>Method</h2>',
    `<ul>${report.method.map((m) => `<li>${h(m)}</li>`).join('')}</ul>`,
    '</body></html>',
    '',
  ].join('\n');
}
