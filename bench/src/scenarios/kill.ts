/**
 * kill: SIGKILL one instance under load, keep it down for a phase, start it again. Shows what the
 * variant loses (docs/contract.md §3) and that a returning instance costs nobody a second session.
 * Phases: before; during, from the kill until the start is asked for (only the killed process's
 * in-flight answers can come from the victim then); after.
 * The kill waits (briefly) for a moment when the victim holds carts: with few shoppers, every one
 * of them can be on the other instances at an instant, and a kill then shows nothing.
 */
import type { ResultRow } from '../report-record.ts';
import { rowFromLoad, type ScenarioContext, sleep, underLoad, variantIds, waitUntil } from './common.ts';
import { answersFrom, cartsHeld, phaseMs, REJOIN_DEADLINE_MS, timeToRejoin } from './faults.ts';

export async function kill(ctx: ScenarioContext): Promise<ResultRow[]> {
  const { options, target, variant } = ctx;
  const ids = (await variantIds(target, variant)).slice(0, options.instances);
  const victim = ids[0];
  if (!victim) throw new Error(`the lab runs no ${variant} instance`);
  const phase = phaseMs(options);
  let rejoinMs: number | null = null;
  let held = 0;
  const spec = {
    label: `kill ${variant}`,
    variant,
    mode: 'browse' as const,
    firstPhase: 'before',
    plannedS: (3 * phase) / 1000,
    maxDurationS: (3 * phase + REJOIN_DEADLINE_MS) / 1000 + 30,
  };
  const result = await underLoad(ctx, spec, async (load) => {
    const answers = answersFrom(load);
    const holding = cartsHeld(load);
    await sleep(phase);
    await waitUntil(`${victim} to hold a cart`, phase, () => holding(victim) > 0).catch(() => {});
    held = holding(victim);
    // The phase opens first, so answers failed by the kill are booked in it.
    const marked = load.mark('during', `kill ${victim}`);
    await target.runtime.kill(victim);
    await marked;
    await sleep(phase);
    // `after` opens as the start is asked for: the new process may serve before `start` resolves
    // (it publishes its socket once ready; the lab sees that only at its next probe), and its
    // answers, under the same X-Served-By, must not count as the killed one's.
    await load.mark('after', `start ${victim}`);
    await target.runtime.start(victim);
    rejoinMs = await timeToRejoin(answers, victim);
    await sleep(phase);
  });
  return [
    {
      ...rowFromLoad(ctx, 'kill', variant, ids.length, result),
      rejoinMs: { [victim]: rejoinMs },
      cartsOnKilled: { [victim]: held },
    },
  ];
}
