/** The summary printed at the end of a run: claims, then one line per result. */
import type { Report } from '../report-record.ts';
import { fmt, textTable } from './format.ts';
import { claimsTable, drainSentence, resultsTable } from './sections.ts';
import { loadGeneratorSentence, targetsView } from './targets.ts';

export function renderSummary(report: Report, dir?: string): string {
  const claimsT = claimsTable(report);
  const results = resultsTable(report);
  const out = [
    '',
    ...report.environment.warnings.map((w) => `WARNING: ${w}`),
    '',
    textTable(claimsT.rows.map((r) => [r[0]!.split(':')[0]!, ...r.slice(1)])),
    '',
    textTable(results.rows),
    '',
    `bench: ${fmt(report.bench.wallS, 1)} s wall, ${fmt(report.bench.cpuPct, 1)}% of one core for the load generator`,
    ...(report.environment.drain === undefined ? [] : [drainSentence(report.environment.drain)]),
  ];
  const targets = targetsView(report);
  if (targets) {
    // variant, reads, ratio, target, verdict: the rest is in report.md.
    const pickCols = (r: string[]) => [r[0]!, r[1]!, r[4]!, r[5]!, r[6]!];
    out.push(
      '',
      `Performance targets (${report.targets!.rule.instances} instance, through nginx; the references were direct):`,
      textTable(targets.throughput.rows.map(pickCols)).replace(/^/gm, '  '),
      targets.benchCpu,
    );
  }
  const check = loadGeneratorSentence(report.environment.loadGeneratorCheck);
  if (check) out.push(check);
  if (dir) out.push(`report: ${dir}/report.{json,md,html}`);
  return `${out.join('\n')}\n`;
}
