/**
 * cart-size: the same load with carts of 1, 10, 25 and 50 lines. A session cookie stays the same
 * size; a stateless token carries the cart, so every request grows with it.
 */
import { CATALOG } from '@statelab/cart-core';
import { step } from '../direct-client.ts';
import { createTally } from '../ledger.ts';
import type { ResultRow } from '../report-record.ts';
import { createShopper, type Shopper } from '../shopper.ts';
import { prefixOf, rowFromLoad, type ScenarioContext, startMeasuredLoad, variantIds } from './common.ts';

/** Fills `count` carts with `lines` lines each through the load balancer, shoppers in parallel. */
async function fillCarts(
  ctx: ScenarioContext,
  count: number,
  lines: number,
): Promise<{ shoppers: Shopper[]; errors: number }> {
  const { target, variant, options } = ctx;
  const prefix = prefixOf(variant);
  const tally = createTally();
  const shoppers = Array.from({ length: count }, () =>
    createShopper(variant, 'fixed-cart', Infinity, { keyed: options.idempotency }),
  );
  await Promise.all(
    shoppers.map(async (shopper) => {
      await step(target.baseUrl, prefix, shopper, { kind: 'get' }, tally);
      for (const product of CATALOG.slice(0, lines)) {
        await step(
          target.baseUrl,
          prefix,
          shopper,
          { kind: 'add', productId: product.id, quantity: 1 },
          tally,
        );
      }
    }),
  );
  return { shoppers, errors: tally.errors + tally.lostSessions + tally.lostItems };
}

export async function cartSize(ctx: ScenarioContext): Promise<ResultRow[]> {
  const { options, variant, target } = ctx;
  const instances = (await variantIds(target, variant)).length;
  const rows: ResultRow[] = [];
  for (const lines of options.cartSizes) {
    const filled = await fillCarts(ctx, options.connections, lines);
    if (filled.errors > 0)
      throw new Error(
        `filling ${options.connections} carts with ${lines} lines failed ${filled.errors} times`,
      );
    const { done } = startMeasuredLoad(ctx, {
      label: `cart-size ${variant} ${lines} lines`,
      variant,
      mode: 'fixed-cart',
      warmupS: options.warmupS,
      maxDurationS: options.warmupS + options.durationS,
      makeShopper: (i) =>
        filled.shoppers[i] ?? createShopper(variant, 'fixed-cart', Infinity, { keyed: options.idempotency }),
    });
    const row = rowFromLoad(ctx, 'cart-size', variant, instances, await done);
    rows.push({ ...row, cartLines: lines, sessions: filled.shoppers.length });
  }
  return rows;
}
