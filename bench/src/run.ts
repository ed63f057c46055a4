/**
 * Runs the selected scenarios, one variant at a time, each variant in its own lab (or against the
 * `--target` lab). A scenario that throws becomes a row with `failed`: a failed run is data too.
 */
import type { Variant } from '@statelab/cart-core';
import type { DrainMode } from '@statelab/lab';
import { collectEnvironment, drainOf, METHOD } from './environment.ts';
import { COMPOSE_URL, type LabTarget, openComposeLab, openNativeLab, openTargetLab } from './lab-target.ts';
import type { BenchOptions, ScenarioName } from './options.ts';
import type { Progress } from './progress.ts';
import { type Report, type ResultRow, SCHEMA_VERSION } from './report-record.ts';
import { cartSize } from './scenarios/cart-size.ts';
import { failedRow, type Scenario, type ScenarioContext } from './scenarios/common.ts';
import { concurrentUpdates } from './scenarios/concurrent-updates.ts';
import { kill } from './scenarios/kill.ts';
import { redisOutage } from './scenarios/redis-outage.ts';
import { rollingRestart } from './scenarios/rolling-restart.ts';
import { baselineSweep, scaling } from './scenarios/scaling.ts';
import { CLIENT_RETRIES } from './shopper.ts';
import { evaluateTargets } from './targets.ts';
import { notChecked } from './wrk.ts';

/** The order scenarios run in: scaling last, because it leaves instances stopped. */
export const SCENARIO_ORDER: ReadonlyArray<readonly [ScenarioName, Scenario]> = [
  ['concurrent-updates', concurrentUpdates],
  ['cart-size', cartSize],
  ['kill', kill],
  ['rolling-restart', rollingRestart],
  ['redis-outage', redisOutage],
  ['scaling', scaling],
];

export interface RunDeps {
  progress: Progress;
  /** Opens the system under test; tests and `--target` pass their own. */
  openLab?: (variant: Variant, baseline: number) => Promise<LabTarget>;
  /** The environment native labs inherit and wrk is looked up in (the CLI passes its own). */
  env: NodeJS.ProcessEnv;
}

async function guarded(
  ctx: ScenarioContext,
  name: ScenarioName,
  variant: Variant | 'baseline',
  run: () => Promise<ResultRow[]>,
): Promise<ResultRow[]> {
  try {
    return await run();
  } catch (err) {
    ctx.progress.line(`${name} ${variant} failed: ${err instanceof Error ? err.message : String(err)}`);
    return [failedRow(ctx, name, variant, err)];
  }
}

export async function runBench(options: BenchOptions, deps: RunDeps): Promise<Report> {
  const startedAt = new Date();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const results: ResultRow[] = [];
  const open =
    deps.openLab ??
    (options.runtime === 'compose'
      ? () => openComposeLab(options.target ?? COMPOSE_URL)
      : options.target
        ? () => openTargetLab(options.target!)
        : (variant: Variant, baseline: number) =>
            openNativeLab(
              { variant, instances: options.instances, baseline, drain: options.drain },
              { env: deps.env, report: (line) => deps.progress.line(line) },
            ));
  const wantsScaling = options.scenarios.includes('scaling');
  let baselineDone = !wantsScaling;
  let runtimeKind: 'native' | 'compose' = 'native';
  let drain: DrainMode | null = null;
  let loadGeneratorCheck = notChecked('no baseline scaling step in this run');

  for (const variant of options.variants) {
    const selected = SCENARIO_ORDER.filter(([name]) => options.scenarios.includes(name));
    const ownLab = options.runtime === 'native' && !options.target;
    deps.progress.line(
      `${variant}: ${ownLab ? 'starting its lab' : `using ${options.target ?? COMPOSE_URL}`}`,
    );
    let target: LabTarget;
    try {
      target = await open(variant, baselineDone ? 0 : options.instances);
    } catch (err) {
      const ctx = { options, variant, progress: deps.progress } as ScenarioContext;
      deps.progress.line(
        `${variant}: the lab did not start: ${err instanceof Error ? err.message : String(err)}`,
      );
      results.push(...selected.map(([name]) => failedRow(ctx, name, variant, err)));
      continue;
    }
    runtimeKind = target.runtime.kind;
    drain ??= drainOf(await target.runtime.list().catch(() => []));
    const ctx: ScenarioContext = {
      options,
      variant,
      target,
      progress: deps.progress,
      ownsLab: options.runtime === 'native' && !options.target,
    };
    try {
      if (!(await target.runtime.list()).some((i) => i.variant === variant)) {
        deps.progress.line(`${variant}: the target lab does not run it; skipped`);
        continue;
      }
      if (!baselineDone) {
        baselineDone = true;
        const hasBaseline = (await target.runtime.list()).some((i) => i.variant === 'baseline');
        if (hasBaseline)
          results.push(
            ...(await guarded(ctx, 'scaling', 'baseline', async () => {
              const sweep = await baselineSweep(ctx, deps.env);
              loadGeneratorCheck = sweep.check;
              return sweep.rows;
            })),
          );
        else
          deps.progress.line('no baseline instances in the target lab: the scaling ceiling is not measured');
      }
      for (const [name, scenario] of selected) {
        results.push(...(await guarded(ctx, name, variant, () => scenario(ctx))));
      }
    } finally {
      await target.close();
    }
  }

  const wallS = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const bench = {
    wallS: Math.round(wallS * 10) / 10,
    cpuMs,
    cpuPct: Math.round((cpuMs / 10 / Math.max(0.001, wallS)) * 10) / 10,
  };
  const environment = collectEnvironment(runtimeKind, options.target);
  const mispaired = results.filter((r) => (r.mispairedAnswers ?? 0) > 0);
  if (mispaired.length > 0) {
    environment.warnings.unshift(
      `The load generator credited answers to the wrong request (X-Request-Id mismatch) in ${mispaired
        .map((r) => `${r.variant} ${r.scenario} (${r.mispairedAnswers})`)
        .join(', ')}: those rows are suspect, as no ledger could check those answers.`,
    );
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: {
      ...environment,
      drain,
      loadGeneratorCheck,
      client: { idempotencyKeys: options.idempotency, retries: CLIENT_RETRIES },
    },
    method: [...METHOD],
    options: { ...options },
    results,
    bench,
    targets: evaluateTargets({ results, bench }),
  };
}
