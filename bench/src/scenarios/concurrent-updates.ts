/**
 * concurrent-updates: each shopper first puts one product in its cart (so the cart exists: a burst
 * from a client without one would start K sessions, not update one cart), then sends K additions
 * of other products at once, then reads its cart. Every addition was answered 2xx; those missing
 * afterwards are lost updates. Measured, not hidden: a session store or a token that is read,
 * changed and written back loses them.
 */
import { CATALOG, DEFAULT_LIMITS } from '@statelab/cart-core';
import { book, send, step } from '../direct-client.ts';
import { countEvictions } from '../evictions.ts';
import { createLatencyRecorder } from '../latency.ts';
import { type Action, applyAction, createTally, recordAnswer } from '../ledger.ts';
import type { ConcurrencyFacts, ResultRow } from '../report-record.ts';
import { createShopper, firstSend, keepIdentity, parseCart } from '../shopper.ts';
import { prefixOf, type ScenarioContext, tallyFields, variantIds } from './common.ts';

const MAX_SHOPPERS = 20;

export async function concurrentUpdates(ctx: ScenarioContext): Promise<ResultRow[]> {
  const { options, target, variant } = ctx;
  const prefix = prefixOf(variant);
  const parallel = options.parallelUpdates;
  const shoppers = Math.min(options.connections, MAX_SHOPPERS);
  // Room for the rounds' products and the first one within the line limit.
  const rounds = Math.max(
    1,
    Math.min(options.quick ? 1 : 3, Math.floor((DEFAULT_LIMITS.maxLines - 1) / parallel)),
  );
  const tally = createTally();
  const latency = createLatencyRecorder();
  const facts: ConcurrencyFacts = {
    shoppers,
    rounds,
    parallel,
    sent: 0,
    acknowledged: 0,
    survived: 0,
    lostUpdates: 0,
    lostUpdatePct: 0,
  };
  const evictions = countEvictions(target.evictions(variant));
  const started = performance.now();

  await Promise.all(
    Array.from({ length: shoppers }, async () => {
      // No client retries: a burst measures what the store does with concurrent writes, raw.
      const shopper = createShopper(variant, 'browse', Infinity, { retries: 0 });
      latency.record((await step(target.baseUrl, prefix, shopper, { kind: 'get' }, tally)).latencyMs);
      const first: Action = { kind: 'add', productId: CATALOG[rounds * parallel]!.id, quantity: 1 };
      latency.record((await step(target.baseUrl, prefix, shopper, first, tally)).latencyMs);
      for (let round = 0; round < rounds; round++) {
        const actions: Action[] = CATALOG.slice(round * parallel, (round + 1) * parallel).map((p) => ({
          kind: 'add',
          productId: p.id,
          quantity: 1,
        }));
        facts.sent += actions.length;
        // All K leave with the same cookie or token; answers are taken in arrival order, as a browser would.
        const acked: Action[] = [];
        await Promise.all(
          actions.map(async (action) => {
            const sent = firstSend(shopper, action);
            const answer = await send(target.baseUrl, prefix, shopper, sent);
            latency.record(answer.latencyMs);
            if (answer.status === undefined || answer.status < 200 || answer.status >= 300) {
              book(shopper, sent, answer, tally);
              return;
            }
            recordAnswer(tally, answer.status, [answer.headers['x-served-by']].flat()[0]);
            keepIdentity(shopper, { status: answer.status, headers: answer.headers, body: answer.body });
            acked.push(action);
          }),
        );
        facts.acknowledged += acked.length;
        shopper.exp = { ...shopper.exp, lines: acked.reduce(applyAction, new Map(shopper.exp.lines)) };
        const final = await step(target.baseUrl, prefix, shopper, { kind: 'get' }, tally);
        latency.record(final.latencyMs);
        const seen = parseCart(final.body, undefined);
        for (const action of acked) {
          if (action.kind === 'add' && seen?.lines.has(action.productId)) facts.survived++;
        }
      }
    }),
  );

  const durationS = (performance.now() - started) / 1000;
  const sessionsEvicted = await evictions.since();
  facts.lostUpdates = facts.acknowledged - facts.survived;
  facts.lostUpdatePct = facts.acknowledged
    ? Math.round((facts.lostUpdates / facts.acknowledged) * 1000) / 10
    : 0;
  return [
    {
      variant,
      scenario: 'concurrent-updates',
      instances: (await variantIds(target, variant)).length,
      connections: shoppers,
      durationS: Math.round(durationS * 1000) / 1000,
      requests: tally.requests,
      rps: Math.round((tally.requests / Math.max(0.001, durationS)) * 10) / 10,
      latencyMs: latency.summary(),
      ...tallyFields(tally),
      sessions: tally.sessions,
      errorsByStatus: tally.errorsByStatus,
      concurrency: facts,
      ...(sessionsEvicted === undefined ? {} : { sessionsEvicted }),
    },
  ];
}
