/** report.md: the claims table first, then environment, results, details and method. */
import type { Report } from '../report-record.ts';
import type { Chart } from './charts.ts';
import { detailTables } from './detail-tables.ts';
import { markdownTable, type Table } from './format.ts';
import { claimsTable, environmentLines, resultsTable } from './sections.ts';
import { targetsView } from './targets.ts';

function section(t: Table, level = 2): string {
  return [
    `${'#'.repeat(level)} ${t.title}`,
    '',
    ...(t.note ? [t.note, ''] : []),
    markdownTable(t.rows),
    '',
  ].join('\n');
}

/** `charts` are linked as files (`charts/<id>.svg`) written beside report.md. */
export function renderMarkdown(report: Report, charts: readonly Chart[] = []): string {
  const out = [`# statelab bench, ${report.startedAt}`, ''];
  for (const w of report.environment.warnings) out.push(`> **Warning:** ${w}`, '');
  out.push(section(claimsTable(report)));
  const targets = targetsView(report);
  if (targets) out.push(section(targets.throughput), targets.benchCpu, '', section(targets.rule, 3));
  out.push('## Environment', '', ...environmentLines(report).map((l) => `- ${l}`), '');
  if (charts.length) {
    out.push('## Charts', '');
    for (const c of charts) out.push(`![${c.title}](charts/${c.id}.svg)`, '');
  }
  out.push(section(resultsTable(report)));
  for (const t of detailTables(report)) out.push(section(t, 3));
  out.push('## Method', '', ...report.method.map((m) => `- ${m}`), '');
  return out.join('\n');
}
