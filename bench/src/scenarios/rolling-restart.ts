/**
 * rolling-restart: restart every instance in turn under load (graceful stop, start, then wait until
 * it serves again before the next, as an orchestrator would). Contract: no client sees an error.
 */
import type { ResultRow } from '../report-record.ts';
import { rowFromLoad, type ScenarioContext, sleep, underLoad, variantIds } from './common.ts';
import { answersFrom, phaseMs, REJOIN_DEADLINE_MS, timeToRejoin } from './faults.ts';

/** Upper bound per instance: a drain (apps' shutdown deadline, 15 s), a start, and the rejoin wait. */
const PER_INSTANCE_MAX_S = 15 + 20 + REJOIN_DEADLINE_MS / 1000;

export async function rollingRestart(ctx: ScenarioContext): Promise<ResultRow[]> {
  const { options, target, variant } = ctx;
  const ids = (await variantIds(target, variant)).slice(0, options.instances);
  if (ids.length === 0) throw new Error(`the lab runs no ${variant} instance`);
  const phase = phaseMs(options);
  const rejoinMs: Record<string, number | null> = {};
  const spec = {
    label: `rolling-restart ${variant}`,
    variant,
    mode: 'browse' as const,
    firstPhase: 'before',
    plannedS: (2 * phase) / 1000 + ids.length * 6,
    maxDurationS: (2 * phase) / 1000 + ids.length * PER_INSTANCE_MAX_S,
  };
  const result = await underLoad(ctx, spec, async (load) => {
    const answers = answersFrom(load);
    await sleep(phase);
    await load.mark('rolling');
    for (const id of ids) {
      load.event(`restart ${id}`);
      await target.runtime.restart(id);
      rejoinMs[id] = await timeToRejoin(answers, id);
    }
    await load.mark('after', 'all restarted');
    await sleep(phase);
  });
  return [{ ...rowFromLoad(ctx, 'rolling-restart', variant, ids.length, result), rejoinMs }];
}
