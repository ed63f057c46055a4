/**
 * `--thresholds FILE`: pass/fail checks on report.json, k6 style. Keys are
 * `<variant>.<scenario>.<field path>` (e.g. `stateless.kill.lostSessions`, `stateful.scaling.latencyMs.p99`),
 * values are `<op> <number>`. A check applies to every row it names; a row it names must exist.
 */
import { isVariant } from '@statelab/cart-core';
import { SCENARIOS, type ScenarioName } from './options.ts';
import type { Report, ResultRow } from './report-record.ts';

const OPS = {
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
} as const;
type Op = keyof typeof OPS;

export interface Threshold {
  key: string;
  variant: string;
  scenario: ScenarioName;
  field: string[];
  op: Op;
  value: number;
}

export class ThresholdsError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid thresholds: ${problems.join('; ')}`);
    this.name = 'ThresholdsError';
    this.problems = problems;
  }
}

/** Parses the thresholds JSON; every problem in one error. */
export function parseThresholds(text: string): Threshold[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ThresholdsError([`not JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ThresholdsError(['must be a JSON object such as {"stateless.kill.lostSessions": "== 0"}']);
  }
  const problems: string[] = [];
  const out: Threshold[] = [];
  for (const [key, expr] of Object.entries(data)) {
    const [variant = '', scenario = '', ...field] = key.split('.');
    const match =
      typeof expr === 'string' ? /^\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expr) : null;
    const bad: string[] = [];
    if (!isVariant(variant) && variant !== 'baseline') bad.push(`unknown variant "${variant}"`);
    if (!(SCENARIOS as readonly string[]).includes(scenario)) bad.push(`unknown scenario "${scenario}"`);
    if (field.length === 0) bad.push('no field (for example lostSessions)');
    if (!match)
      bad.push(`"${String(expr)}" is not "<op> <number>" with op one of ${Object.keys(OPS).join(' ')}`);
    if (bad.length) {
      problems.push(`${key}: ${bad.join(', ')}`);
      continue;
    }
    out.push({
      key,
      variant,
      scenario: scenario as ScenarioName,
      field,
      op: match![1] as Op,
      value: Number(match![2]),
    });
  }
  if (problems.length) throw new ThresholdsError(problems);
  return out;
}

function read(row: ResultRow, field: readonly string[]): unknown {
  let value: unknown = row;
  for (const part of field) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

function describe(row: ResultRow): string {
  return `${row.variant} ${row.scenario} (${row.instances} inst.${row.cartLines ? `, ${row.cartLines} lines` : ''})`;
}

/** The failures, as lines a person can act on; empty when every check passed. */
export function evaluateThresholds(report: Report, thresholds: readonly Threshold[]): string[] {
  const failures: string[] = [];
  for (const t of thresholds) {
    const rows = report.results.filter((r) => r.variant === t.variant && r.scenario === t.scenario);
    if (rows.length === 0) {
      failures.push(`${t.key} ${t.op} ${t.value}: no ${t.variant} ${t.scenario} result in the report`);
      continue;
    }
    for (const row of rows) {
      if (row.failed) {
        failures.push(`${t.key} ${t.op} ${t.value}: ${describe(row)} failed to run: ${row.failed}`);
        continue;
      }
      const value = read(row, t.field);
      if (typeof value !== 'number')
        failures.push(`${t.key} ${t.op} ${t.value}: ${describe(row)} has no number at ${t.field.join('.')}`);
      else if (!OPS[t.op](value, t.value))
        failures.push(`${t.key} ${t.op} ${t.value}: ${describe(row)} is ${value}`);
    }
  }
  return failures;
}
