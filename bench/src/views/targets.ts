/**
 * The performance targets section and the load generator check, as plain tables and sentences
 * shared by the Markdown, HTML and terminal views. Pure functions of report.json.
 */
import type { BenchCpuTarget, Report, ThroughputTarget } from '../report-record.ts';
import type { LoadGeneratorCheck } from '../wrk.ts';
import { fmt, type Table } from './format.ts';

export interface TargetsView {
  throughput: Table;
  benchCpu: string;
  rule: Table;
}

const times = (n: number | null) => (n === null ? '—' : `${fmt(n, 2)}×`);
const pct = (share: number | null) => (share === null ? '—' : `${fmt(share * 100)}%`);

function verdictText(t: ThroughputTarget): string {
  return t.verdict === 'not measured' ? `not measured: ${t.because}` : t.verdict;
}

function benchCpuSentence(b: BenchCpuTarget): string {
  const average = `over the whole run, lab start-ups included, it averaged ${fmt(b.runAverageCores, 2)} core`;
  if (b.maxCores === null)
    return `The bench's own CPU under load: not measured (no scaling step); ${average}.`;
  const peak = b.steps.find((s) => s.cores === b.maxCores)!;
  return `The bench's own CPU under load (autocannon and the shoppers): at most ${fmt(b.maxCores, 2)} core (${peak.variant}, ${peak.instances} inst.), target ≤ ${fmt(b.targetCores, 1)} core: ${b.verdict}; ${average}.`;
}

export function targetsView(report: Report): TargetsView | undefined {
  const t = report.targets;
  // Reports from before targets existed, and runs without a scaling scenario, have none to show.
  if (!t || t.throughput.length === 0) return undefined;
  const connections = [...new Set(t.throughput.map((r) => r.connections).filter((c) => c !== null))];
  const rows = [
    [
      'variant',
      'reads in the load',
      'req/s',
      'bare express req/s',
      'ratio',
      'target',
      'verdict',
      'target from',
    ],
  ];
  for (const r of t.throughput) {
    rows.push([
      r.variant,
      pct(r.readShare),
      r.rps === null ? '—' : fmt(r.rps),
      r.baselineRps === null ? '—' : fmt(r.baselineRps),
      times(r.ratio),
      times(r.target),
      verdictText(r),
      r.verdict === 'not measured' ? '—' : r.because,
    ]);
  }
  const ruleRows = [['variant', 'reads × bare express', 'writes × bare express', 'why']];
  for (const [variant, ref] of Object.entries(t.rule.references)) {
    ruleRows.push([variant, fmt(ref.read, 3), fmt(ref.write, 3), ref.why]);
  }
  return {
    throughput: {
      title: 'Performance targets',
      note: `Each variant's req/s at ${t.rule.instances} instance over the bare express baseline's at ${t.rule.instances} instance, in the same run (scaling scenario, ${connections.join(' / ') || '—'} connections). These numbers go through nginx; the reference servers the targets come from were measured direct, without nginx (nginx costs about nothing at these rates, but on a small machine it shares the cores). The baseline sends only GETs; each variant runs the shopper mix (reads in the load; the rest are cart writes), so its target blends its read and write references.`,
      rows,
    },
    benchCpu: benchCpuSentence(t.benchCpu),
    rule: {
      title: 'How the targets are set',
      note: `References measured on this machine kind with express 5 minimal handlers, 50 connections, direct. Each app, with its logging, metrics and validation, must reach ${fmt(t.rule.appAllowance, 2)}× of its reference. Requests take their own time, so a mix's req/s is the harmonic blend: target = ${fmt(t.rule.appAllowance, 2)} / (reads / read ratio + writes / write ratio).`,
      rows: ruleRows,
    },
  };
}

/** One sentence on autocannon against wrk; undefined for reports from before the check existed. */
export function loadGeneratorSentence(check: LoadGeneratorCheck | undefined): string | undefined {
  if (!check) return undefined;
  if (check.status === 'not checked')
    return `Load generator check against wrk: not checked (${check.reason})`;
  const errors = check.wrkErrors ? `; wrk saw ${fmt(check.wrkErrors)} errors` : '';
  return `Load generator check (bare express, ${check.instances} inst., ${check.connections} connections; wrk for ${check.durationS} s right after autocannon's step): autocannon ${fmt(check.autocannonRps)} req/s, wrk (1 thread) ${fmt(check.wrkRps)} req/s, ratio ${fmt(check.ratio, 2)}: ${check.agreesWithin15 ? 'agrees within 15%' : 'does not agree within 15%'}${errors}`;
}
