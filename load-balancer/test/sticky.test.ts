import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOPOLOGY } from '@statelab/cart-core';
import { createTestClient, type TestClient } from '@statelab/cart-core/testing';
import { freePort, type ManagedProcess, waitUntilReady } from '@statelab/processes';
import { startStatefulApp } from './support/app-process.ts';
import { cleanupStack, type RunningNginx, startNginx, tempDir } from './support/nginx.ts';

const { cleanup, runAll } = cleanupStack();
after(runAll);
const prefix = TOPOLOGY.stateful.prefix;
const ids = ['stateful-1', 'stateful-2', 'stateful-3'];
const apps = new Map<string, ManagedProcess>();
const ports = new Map<string, number>();
let nginx: RunningNginx;

interface Shopper {
  client: TestClient;
  home: string;
  cartId: string;
}
const shoppers: Shopper[] = [];

before(async () => {
  for (const id of ids) ports.set(id, await freePort());
  for (const id of ids) apps.set(id, (await startStatefulApp(cleanup, id, ports.get(id)!)).process);
  const uiRoot = await tempDir(cleanup, 'ui');
  nginx = await startNginx(cleanup, (listen, prefixDir) => ({
    mode: 'native',
    listen,
    prefixDir,
    variants: [
      { variant: 'stateful', servers: ids.map((id) => ({ id, host: '127.0.0.1', port: ports.get(id)! })) },
    ],
    uiRoot,
  }));
});

async function cart(client: TestClient): Promise<{ instance: string; cartId: string; itemCount: number }> {
  const res = await client.request('GET', `${prefix}api/cart`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-served-by'), res.body.servedBy.instance);
  return { instance: res.body.servedBy.instance, cartId: res.body.cartId, itemCount: res.body.itemCount };
}

/** A write: the first one stores the session (a read stores none) and sets its cookie. */
async function addItem(client: TestClient): Promise<{ instance: string; cartId: string; itemCount: number }> {
  const products = await client.request('GET', `${prefix}api/products`);
  const res = await client.request('POST', `${prefix}api/cart/items`, {
    json: { productId: products.body.products[0].id, quantity: 1 },
  });
  assert.equal(res.status, 200, res.text);
  return { instance: res.body.servedBy.instance, cartId: res.body.cartId, itemCount: res.body.itemCount };
}

const countBy = (homes: string[]) =>
  Object.fromEntries(ids.map((id) => [id, homes.filter((h) => h === id).length]));

describe('stateful sticky routing (real stateful-app instances)', () => {
  test('30 new shoppers spread over 3 instances (each >= 15%); every later request lands on its home', async () => {
    for (let i = 0; i < 30; i++) {
      const client = createTestClient(nginx.baseUrl);
      const first = await addItem(client);
      assert.match(
        client.jar.get(TOPOLOGY.stateful.cookieName) ?? '',
        new RegExp(`^s%3A[^.]+\\.${first.instance}\\.`),
      );
      shoppers.push({ client, home: first.instance, cartId: first.cartId });
    }
    const spread = countBy(shoppers.map((s) => s.home));
    for (const id of ids) assert.ok(spread[id]! >= 0.15 * 30, `spread ${JSON.stringify(spread)}`);
    for (const shopper of shoppers) {
      for (let i = 0; i < 3; i++) {
        const now = await cart(shopper.client);
        assert.deepEqual([now.instance, now.cartId, now.itemCount], [shopper.home, shopper.cartId, 1]);
      }
    }
  });

  test('a cookie naming an unknown instance goes to the pool and gets a session there', async () => {
    const client = createTestClient(nginx.baseUrl);
    client.jar.set(TOPOLOGY.stateful.cookieName, 's%3Aforged.stateful-9.sig');
    const first = await addItem(client);
    assert.ok(ids.includes(first.instance));
    assert.match(client.jar.get(TOPOLOGY.stateful.cookieName)!, new RegExp(`\\.${first.instance}\\.`));
    assert.equal((await cart(client)).cartId, first.cartId);
  });

  test('home killed: its shoppers are served by a live instance (new cart there) and stay on it', async () => {
    await apps.get('stateful-1')!.kill();
    const orphans = shoppers.filter((s) => s.home === 'stateful-1');
    assert.ok(orphans.length > 0);
    for (const shopper of orphans) {
      const moved = await cart(shopper.client);
      assert.notEqual(moved.instance, 'stateful-1');
      assert.notEqual(
        moved.cartId,
        shopper.cartId,
        'sessions held by the killed instance are lost (contract)',
      );
      const added = await addItem(shopper.client);
      assert.notEqual(added.instance, 'stateful-1');
      shopper.home = added.instance;
      shopper.cartId = added.cartId;
      for (let i = 0; i < 3; i++) {
        const now = await cart(shopper.client);
        assert.deepEqual([now.instance, now.cartId, now.itemCount], [shopper.home, shopper.cartId, 1]);
      }
    }
    assert.ok(new Set(orphans.map((s) => s.home)).size >= 1);
    for (const shopper of shoppers.filter((s) => !orphans.includes(s))) {
      const now = await cart(shopper.client);
      assert.deepEqual([now.instance, now.cartId], [shopper.home, shopper.cartId], 'others keep their carts');
    }
  });

  test('home back: new shoppers reach it again within 15 s, moved shoppers stay on their fallback', async () => {
    apps.set('stateful-1', (await startStatefulApp(cleanup, 'stateful-1', ports.get('stateful-1')!)).process);
    await waitUntilReady(
      apps.get('stateful-1')!,
      'stateful-1 receiving new shoppers through nginx',
      async () => (await cart(createTestClient(nginx.baseUrl))).instance === 'stateful-1',
      15_000,
    );
    for (const shopper of shoppers) {
      const now = await cart(shopper.client);
      assert.deepEqual([now.instance, now.cartId, now.itemCount], [shopper.home, shopper.cartId, 1]);
    }
  });
});
