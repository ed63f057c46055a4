/**
 * scaling: req/s, latency and CPU per request at 1..N instances, measured from N down to 1 by
 * stopping one instance at a time (a stopped instance leaves nginx's rotation at once; one that
 * starts may wait out nginx's fail_timeout). The same sweep on the bare express baseline is the
 * machine's ceiling.
 */
import type { Variant } from '@statelab/cart-core';
import type { ResultRow } from '../report.ts';
import { ensureServing, rowFromLoad, type ScenarioContext, startMeasuredLoad, variantIds } from './common.ts';

export async function sweep(ctx: ScenarioContext, variant: Variant | 'baseline'): Promise<ResultRow[]> {
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
    rows.unshift(rowFromLoad(ctx, 'scaling', variant, n, await done));
    if (n > 1) await target.runtime.stop(ids[n - 1]!);
  }
  // A lab the bench started closes next (scaling runs last); someone else's lab is left as found.
  if (!ctx.ownsLab) await ensureServing(target, variant, ids);
  return rows;
}

export function scaling(ctx: ScenarioContext): Promise<ResultRow[]> {
  return sweep(ctx, ctx.variant);
}
