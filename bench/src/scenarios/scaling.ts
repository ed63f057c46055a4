/**
 * scaling: req/s, latency and CPU per request at 1..N instances, measured from N down to 1 by
 * stopping one instance at a time (a stopped instance leaves nginx's rotation at once; one that
 * starts may wait out nginx's fail_timeout). The same sweep on the bare express baseline is the
 * machine's ceiling; at its 1-instance step wrk runs too, to check the load generator.
 */
import type { Variant } from '@statelab/cart-core';
import { findExecutable } from '@statelab/processes';
import type { ResultRow } from '../report-record.ts';
import { checkWithWrk, type LoadGeneratorCheck, notChecked } from '../wrk.ts';
import {
  ensureServing,
  prefixOf,
  rowFromLoad,
  type ScenarioContext,
  startMeasuredLoad,
  variantIds,
} from './common.ts';

type AfterStep = (instances: number, row: ResultRow) => Promise<void>;

async function steps(
  ctx: ScenarioContext,
  variant: Variant | 'baseline',
  afterStep?: AfterStep,
): Promise<ResultRow[]> {
  const { options, target } = ctx;
  const ids = (await variantIds(target, variant)).slice(0, options.instances);
  if (ids.length === 0) throw new Error(`the lab runs no ${variant} instance`);
  await ensureServing(target, variant, ids);
  const rows: ResultRow[] = [];
  for (let n = ids.length; n >= 1; n--) {
    const { done } = startMeasuredLoad(ctx, {
      label: `scaling ${variant} ×${n}`,
      variant,
      mode: variant === 'baseline' ? 'probe' : 'browse',
      warmupS: options.warmupS,
      maxDurationS: options.warmupS + options.durationS,
    });
    const row = rowFromLoad(ctx, 'scaling', variant, n, await done);
    rows.unshift(row);
    await afterStep?.(n, row);
    if (n > 1) await target.runtime.stop(ids[n - 1]!);
  }
  // A lab the bench started closes next (scaling runs last); someone else's lab is left as found.
  if (!ctx.ownsLab) await ensureServing(target, variant, ids);
  return rows;
}

export function sweep(ctx: ScenarioContext, variant: Variant | 'baseline'): Promise<ResultRow[]> {
  return steps(ctx, variant);
}

export interface BaselineSweep {
  rows: ResultRow[];
  check: LoadGeneratorCheck;
}

/** The baseline sweep; its 1-instance step is also run by wrk, looked up in `env`. */
export async function baselineSweep(ctx: ScenarioContext, env: NodeJS.ProcessEnv): Promise<BaselineSweep> {
  const { options } = ctx;
  let check = notChecked('the baseline sweep did not reach its 1-instance step');
  const rows = await steps(ctx, 'baseline', async (n, row) => {
    if (n !== 1) return;
    if (options.rate) {
      check = notChecked('open loop (--rate): autocannon sent at a fixed rate, wrk cannot');
      return;
    }
    ctx.progress.line(`load generator check: wrk for ${Math.max(1, Math.round(options.durationS))} s`);
    check = await checkWithWrk({
      command: findExecutable('wrk', env),
      url: `${ctx.target.baseUrl}${prefixOf('baseline')}api/cart`,
      instances: n,
      connections: options.connections,
      durationS: options.durationS,
      autocannonRps: row.rps,
    });
  });
  return { rows, check };
}

export function scaling(ctx: ScenarioContext): Promise<ResultRow[]> {
  return sweep(ctx, ctx.variant);
}
