/**
 * redis-outage (stateful-redis only): kill Redis under load, start it again. Contract: every failure
 * is a 503 JSON answered within 1 s; carts are served again within 10 s of Redis returning.
 */
import { REDIS_ID, TOPOLOGY } from '@statelab/cart-core';
import type { OutageFacts, ResultRow } from '../report-record.ts';
import { rowFromLoad, type ScenarioContext, sleep, underLoad, variantIds, waitUntil } from './common.ts';
import { phaseMs } from './faults.ts';

/** Contract: after Redis returns, carts are served again within 10 s. */
const RECOVERY_DEADLINE_MS = 10_000;

function isJsonError(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    return typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string';
  } catch {
    return false;
  }
}

export async function redisOutage(ctx: ScenarioContext): Promise<ResultRow[]> {
  const { options, target, variant } = ctx;
  if (!TOPOLOGY[variant].needsRedis) return [];
  if (!(await target.runtime.list()).some((i) => i.id === REDIS_ID)) throw new Error('the lab runs no redis');
  const instances = (await variantIds(target, variant)).length;
  const phase = phaseMs(options);
  const outage = Math.max(2000, phase);
  let killedAt = Number.POSITIVE_INFINITY;
  let restartedAt = Number.POSITIVE_INFINITY;
  let first503: number | undefined;
  let firstOkAfter: number | undefined;
  let lastFailureAfter: number | undefined;
  let failures = 0;
  let failuresNot503Json = 0;
  let maxFailureLatencyMs = 0;
  const spec = {
    label: `redis-outage ${variant}`,
    variant,
    mode: 'browse' as const,
    firstPhase: 'before',
    plannedS: (2 * phase + outage) / 1000 + 2,
    maxDurationS: (2 * phase + outage + RECOVERY_DEADLINE_MS) / 1000 + 30,
  };
  const result = await underLoad(ctx, spec, async (load) => {
    load.onAnswer((a) => {
      const ok = a.status !== undefined && a.status >= 200 && a.status < 300;
      if (a.t >= killedAt && a.status === 503 && first503 === undefined) first503 = a.t;
      if (a.t >= killedAt && a.t < restartedAt && !ok) {
        failures++;
        if (a.status !== 503 || !isJsonError(a.body)) failuresNot503Json++;
        maxFailureLatencyMs = Math.max(maxFailureLatencyMs, a.latencyMs);
      }
      if (a.t >= restartedAt && ok && firstOkAfter === undefined) firstOkAfter = a.t;
      if (a.t >= restartedAt && !ok) lastFailureAfter = a.t;
    });
    await sleep(phase);
    killedAt = load.now();
    const marked = load.mark('outage', 'kill redis');
    await target.runtime.kill(REDIS_ID);
    await marked;
    await sleep(outage);
    await target.runtime.start(REDIS_ID);
    restartedAt = load.now();
    await load.mark('recovery', 'redis answers PING');
    await waitUntil(
      'a 2xx after redis returned',
      RECOVERY_DEADLINE_MS,
      () => firstOkAfter !== undefined,
    ).catch(() => undefined);
    await sleep(phase);
  });
  const facts: OutageFacts = {
    killedAtS: Math.round(killedAt) / 1000,
    restartedAtS: Math.round(restartedAt) / 1000,
    timeToFirst503Ms: first503 === undefined ? null : Math.round(first503 - killedAt),
    failures,
    failuresNot503Json,
    maxFailureLatencyMs: Math.round(maxFailureLatencyMs),
    recoveryMs: firstOkAfter === undefined ? null : Math.round(firstOkAfter - restartedAt),
    lastFailureMs: lastFailureAfter === undefined ? 0 : Math.round(lastFailureAfter - restartedAt),
  };
  return [{ ...rowFromLoad(ctx, 'redis-outage', variant, instances, result), outage: facts }];
}
