/**
 * docs/contract.md §3 with real processes: shoppers on every variant, then a kill, a restart, a
 * graceful stop under load and a Redis outage, each checked against every shopper's ledger.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { CATALOG, TOPOLOGY, VARIANTS, type Variant } from '@statelab/cart-core';
import { type LabHandle, processHost, startLab } from '../src/index.ts';
import { type Answer, createShopper, linesOf, type Shopper } from './support/shopper.ts';

const SHOPPERS_PER_VARIANT = 9;
let lab: LabHandle;
let shoppers: Shopper[];

before(async () => {
  // The drain's idle grace must outlast nginx's 4 s upstream keepalive_timeout (no reused socket is cut).
  lab = await startLab(
    {
      port: 0,
      instances: 3,
      appEnv: { SHUTDOWN_IDLE_GRACE_MS: '4500', LOG_LEVEL: 'warn' },
    },
    processHost(),
  );
  shoppers = VARIANTS.flatMap((variant) =>
    Array.from({ length: SHOPPERS_PER_VARIANT }, (_, i) =>
      createShopper(lab.baseUrl, variant, `${variant}#${i + 1}`),
    ),
  );
  for (const [i, shopper] of shoppers.entries()) {
    for (const product of [CATALOG[i % CATALOG.length]!, CATALOG[(i + 7) % CATALOG.length]!]) {
      const answer = await shopper.add(product.id);
      assert.equal(answer.status, 200, `${shopper.name}: ${JSON.stringify(answer.body)}`);
    }
  }
});
after(() => lab?.close());

function ofVariant(variant: Variant): Shopper[] {
  return shoppers.filter((s) => s.variant === variant);
}

function assertKept(shopper: Shopper, answer: Answer, cartId: string | undefined): void {
  assert.equal(answer.status, 200, `${shopper.name}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.cartId, cartId, `${shopper.name} kept its cart`);
  assert.deepEqual(linesOf(answer.body), shopper.ledger, `${shopper.name} sees every item it added`);
}

/** Polls new clients until one is served by `id`: a restarted instance gets traffic again. */
async function untilServedBy(variant: Variant, id: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const answer = await createShopper(lab.baseUrl, variant, 'probe').getCart();
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    if (answer.servedBy === id) return Date.now() - started;
  }
  assert.fail(`${id} got no traffic within ${timeoutMs} ms`);
}

test('kill one instance of each variant → only stateful shoppers homed there get a new cartId, served by a live instance; no request fails', async () => {
  const homes = new Map(shoppers.map((s) => [s, s.servedBy]));
  const cartIds = new Map(shoppers.map((s) => [s, s.cartId]));
  const killed = VARIANTS.map((v) => `${v}-1`);
  assert.ok(
    ofVariant('stateful').some((s) => s.servedBy === 'stateful-1'),
    'some stateful sessions live on stateful-1',
  );
  await Promise.all(killed.map((id) => lab.runtime.kill(id)));

  let lost = 0;
  for (const shopper of shoppers) {
    const answer = await shopper.getCart();
    assert.equal(answer.status, 200, `${shopper.name}: ${JSON.stringify(answer.body)}`);
    assert.ok(
      !killed.includes(answer.servedBy!),
      `${shopper.name} served by a live instance, not ${answer.servedBy}`,
    );
    if (shopper.variant === 'stateful' && homes.get(shopper) === 'stateful-1') {
      assert.notEqual(
        answer.body.cartId,
        cartIds.get(shopper),
        `${shopper.name} lost its session with stateful-1`,
      );
      assert.deepEqual(answer.body.items, []);
      lost++;
    } else {
      assertKept(shopper, answer, cartIds.get(shopper));
      if (shopper.variant === 'stateful')
        assert.equal(answer.servedBy, homes.get(shopper), 'sticky: same home');
    }
    const added = await shopper.add(CATALOG[3]!.id);
    assert.equal(added.status, 200, `${shopper.name}: ${JSON.stringify(added.body)}`);
    assert.deepEqual(linesOf(added.body), shopper.ledger);
  }
  assert.ok(lost > 0);
});

test('start the killed instances → they get traffic again within 15 s, and nobody loses a session a second time', async (t) => {
  const cartIds = new Map(shoppers.map((s) => [s, s.cartId]));
  const homes = new Map(shoppers.map((s) => [s, s.servedBy]));
  await Promise.all(VARIANTS.map((v) => lab.runtime.start(`${v}-1`)));
  for (const variant of VARIANTS) {
    const ms = await untilServedBy(variant, `${variant}-1`, 15_000);
    t.diagnostic(`${variant}-1 served again ${ms} ms after its start`);
  }
  for (let round = 0; round < 3; round++) {
    for (const shopper of shoppers) {
      const answer = await shopper.getCart();
      assertKept(shopper, answer, cartIds.get(shopper));
      if (shopper.variant === 'stateful')
        assert.equal(answer.servedBy, homes.get(shopper), `${shopper.name} stays on its new home`);
    }
  }
});

test('SIGTERM one instance of each variant under steady load → zero client errors; only stateful sessions on it are lost', async (t) => {
  const stopped = VARIANTS.map((v) => `${v}-2`);
  const loopers = VARIANTS.flatMap((v) => ofVariant(v).slice(0, 3));
  const homes = new Map(shoppers.map((s) => [s, s.servedBy]));
  const failures: string[] = [];
  const lossesBefore = new Map(shoppers.map((s) => [s, s.losses]));
  let requests = 0;
  let stopDone = false;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const counted = () => {
    requests++;
    for (const w of waiters.filter((w) => requests >= w.count)) w.resolve();
  };
  const afterRequests = (more: number) =>
    new Promise<void>((resolve) => waiters.push({ count: requests + more, resolve }));
  const hardDeadline = Date.now() + 30_000;

  async function loop(shopper: Shopper): Promise<void> {
    for (let i = 0; !stopDone || i % 2 === 1; i++) {
      if (Date.now() > hardDeadline) return;
      const answer =
        i % 2 === 0 ? await shopper.add(CATALOG[i % CATALOG.length]!.id) : await shopper.getCart();
      counted();
      if (answer.status !== 200)
        failures.push(`${shopper.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      else if (!isDeepStrictEqual(linesOf(answer.body), shopper.ledger))
        failures.push(`${shopper.name}: items differ`);
    }
  }

  const load = Promise.all(loopers.map(loop));
  // Let the load run on every instance first, then stop one of each variant while it runs.
  // Racing `load`: if the loops hit their hard deadline, nothing waits forever.
  await Promise.race([afterRequests(60), load]);
  const infos = await Promise.all(stopped.map((id) => lab.runtime.stop(id)));
  await Promise.race([afterRequests(30), load]);
  stopDone = true;
  await load;

  assert.deepEqual(
    infos.map((i) => i.state),
    ['stopped', 'stopped', 'stopped'],
  );
  assert.deepEqual(failures, [], 'no client saw an error');
  // Everyone else looks once too: a stop loses exactly the sessions the stopped stateful instance held.
  for (const shopper of shoppers.filter((s) => !loopers.includes(s))) {
    const answer = await shopper.getCart();
    assert.equal(answer.status, 200, `${shopper.name}: ${JSON.stringify(answer.body)}`);
    assert.deepEqual(linesOf(answer.body), shopper.ledger, `${shopper.name} sees its items`);
  }
  const lostCarts = shoppers.filter((s) => s.losses > lossesBefore.get(s)!);
  const heldThere = shoppers.filter((s) => s.variant === 'stateful' && homes.get(s) === 'stateful-2');
  assert.deepEqual(
    new Set(lostCarts),
    new Set(heldThere),
    'every session stateful-2 held, and no other, is lost',
  );
  t.diagnostic(`${requests} requests during the stop, ${lostCarts.length} stateful sessions lost`);
  // The fresh cart a read showed them is not stored (contract §2); a change stores it again.
  for (const shopper of lostCarts.filter((s) => !loopers.includes(s))) {
    assert.equal((await shopper.add(CATALOG[5]!.id)).status, 200, shopper.name);
  }
  await Promise.all(stopped.map((id) => lab.runtime.start(id)));
});

test('kill redis → stateful-redis answers 503 JSON fast, writes fail, stateless and stateful are unaffected; start redis → it serves again within 10 s', async (t) => {
  const others = shoppers.filter((s) => !TOPOLOGY[s.variant].needsRedis);
  const cartIds = new Map(others.map((s) => [s, s.cartId]));
  const redisShopper = ofVariant('stateful-redis')[0]!;
  await lab.runtime.kill('redis');

  const read = await redisShopper.getCart();
  assert.equal(read.status, 503, JSON.stringify(read.body));
  assert.equal(read.body.error.code, 'store_unavailable');
  assert.ok(read.ms < 1000, `503 within 1 s (took ${read.ms} ms)`);
  const write = await redisShopper.request('POST', 'api/cart/items', { productId: CATALOG[0]!.id });
  assert.equal(write.status, 503, 'no success answer for a write the store did not take');
  for (const shopper of others) assertKept(shopper, await shopper.getCart(), cartIds.get(shopper));

  await lab.runtime.start('redis');
  const started = Date.now();
  let answer = await redisShopper.getCart();
  while (answer.status !== 200 && Date.now() - started < 10_000) answer = await redisShopper.getCart();
  assert.equal(answer.status, 200, `stateful-redis serves again within 10 s: ${JSON.stringify(answer.body)}`);
  t.diagnostic(`stateful-redis served again ${Date.now() - started} ms after redis was ready`);
});
