/**
 * `npm run bench`: `main(argv, env, io) → exit code`. Flags are validated before anything starts;
 * report.json is written before the views; `render <dir>` re-renders the views from a report.json.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT } from '@statelab/cart-core';
import { OptionsError, parseOptions, USAGE } from './options.ts';
import { createProgress } from './progress.ts';
import { readReportJson, runDirName, writeReportJson } from './report.ts';
import type { Report } from './report-record.ts';
import { type RunDeps, runBench } from './run.ts';
import { evaluateThresholds, parseThresholds, type Threshold, ThresholdsError } from './thresholds.ts';
import { renderSummary } from './views/summary.ts';
import { writeViews } from './write-views.ts';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export interface MainDeps {
  /** Opens the system under test; by default a native lab per variant, or the `--target` lab. */
  openLab?: RunDeps['openLab'];
  now?: () => Date;
}

/** Relative paths are taken from where `npm run` was typed (INIT_CWD), not from the workspace. */
function resolveFrom(env: NodeJS.ProcessEnv, p: string): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), p);
}

async function render(dir: string, io: Io): Promise<number> {
  try {
    const report = await readReportJson(dir);
    const files = await writeViews(dir, report);
    io.stdout.write(renderSummary(report, dir));
    io.stdout.write(`rendered ${files.length} files in ${dir}\n`);
    return EXIT.ok;
  } catch (err) {
    io.stderr.write(`bench render: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.usage;
  }
}

async function loadThresholds(file: string | undefined): Promise<Threshold[]> {
  if (!file) return [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ThresholdsError([`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseThresholds(text);
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io,
  deps: MainDeps = {},
): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (argv[0] === 'render') {
    if (argv.length !== 2) {
      io.stderr.write(`bench render needs one folder holding report.json\n${USAGE}`);
      return EXIT.usage;
    }
    return render(resolveFrom(env, argv[1]!), io);
  }
  let options: ReturnType<typeof parseOptions>;
  let thresholds: Threshold[];
  try {
    options = parseOptions(argv);
    thresholds = await loadThresholds(options.thresholds && resolveFrom(env, options.thresholds));
  } catch (err) {
    if (err instanceof OptionsError || err instanceof ThresholdsError) {
      io.stderr.write(`bench: ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw err;
  }

  const started = (deps.now ?? (() => new Date()))();
  const dir = path.join(resolveFrom(env, options.out), runDirName(started));
  const progress = createProgress(io.stderr, Boolean((io.stderr as { isTTY?: boolean }).isTTY));
  let report: Report;
  try {
    report = await runBench(options, {
      progress,
      env,
      ...(deps.openLab ? { openLab: deps.openLab } : {}),
    });
  } catch (err) {
    io.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.unavailable;
  }
  await writeReportJson(dir, report);
  await writeViews(dir, report);
  io.stdout.write(renderSummary(report, dir));

  const failures = evaluateThresholds(report, thresholds);
  const failed = report.results.filter((r) => r.failed);
  if (failed.length) {
    io.stderr.write(
      `${failed.length} scenario run(s) failed:\n${failed.map((r) => `  ${r.variant} ${r.scenario}: ${r.failed}`).join('\n')}\n`,
    );
    return EXIT.failure;
  }
  if (failures.length) {
    io.stderr.write(`thresholds failed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    return EXIT.thresholdsFailed;
  }
  if (thresholds.length) io.stdout.write(`all ${thresholds.length} thresholds passed\n`);
  return EXIT.ok;
}
