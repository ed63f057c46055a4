/**
 * The direct script's workloads as shoppers of the bench's model, so that the bench's one load
 * driver (`startLoad`) runs them and the shopper's ledger checks every answer. Each shopper holds a
 * cart of `CART_LINES` (quantity 1 each): reads GET it; writes alternate POST (adds 1 to a line)
 * and PUT (that line back to 1), so every request is a real change and no line nears 99.
 */
import { CATALOG, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { step } from '../src/direct-client.ts';
import { type Action, createTally, discrepancies } from '../src/ledger.ts';
import { createCyclingShopper, type Shopper } from '../src/shopper.ts';

export type Workload = 'read' | 'write';

/** The three lines of every prepared cart. */
export const CART_LINES = CATALOG.slice(0, 3).map((p) => p.id);
const WRITE_LINE = CART_LINES[0]!;

/** What a shopper repeats under each workload. */
export const WORKLOADS: Readonly<Record<Workload, readonly Action[]>> = Object.freeze({
  read: [{ kind: 'get' }],
  write: [
    { kind: 'add', productId: WRITE_LINE, quantity: 1 },
    { kind: 'set', productId: WRITE_LINE, quantity: 1 },
  ],
});

/**
 * `count` shoppers of `variant` for `workload`, each with its own prepared cart, filled in parallel
 * straight at `url` (prefix `/`); any answer the ledger refuses fails the preparation.
 */
export async function prepareShoppers(
  url: string,
  variant: Variant,
  workload: Workload,
  count: number,
): Promise<Shopper[]> {
  const tally = createTally();
  const shoppers = Array.from({ length: count }, () => createCyclingShopper(variant, WORKLOADS[workload]));
  await Promise.all(
    shoppers.map(async (shopper) => {
      for (const productId of CART_LINES)
        await step(url, '/', shopper, { kind: 'add', productId, quantity: 1 }, tally);
    }),
  );
  const wrong = [
    ...(tally.errors > 0 ? [`errors ${tally.errors} ${JSON.stringify(tally.errorsByStatus)}`] : []),
    ...discrepancies(tally),
  ];
  if (wrong.length > 0) throw new Error(`preparing ${count} ${variant} carts: ${wrong.join(', ')}`);
  const { cookieName } = TOPOLOGY[variant];
  if (shoppers.some((s) => !s.jar.get(cookieName)))
    throw new Error(`preparing a cart: no ${cookieName} cookie was set`);
  return shoppers;
}
