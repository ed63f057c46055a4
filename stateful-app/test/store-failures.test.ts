/**
 * A store that fails on purpose (our own Store interface, in memory): a failed save answers 503
 * and leaves the stored cart as it was; a failed load answers 503, never an empty cart.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CATALOG, TOPOLOGY } from '@statelab/cart-core';
import { createTestClient, type TestResponse } from '@statelab/cart-core/testing';
import type { SessionData } from 'express-session';
import { MemorySessionStore } from '../src/session-store/memory-store.ts';
import { type StartedApp, startApp } from './support/in-process-app.ts';

const NAME = TOPOLOGY.stateful.cookieName;
const [A, B] = [CATALOG[0]!, CATALOG[1]!];

class FailingStore extends MemorySessionStore {
  failSets = false;
  failGets = false;
  failTouches = false;
  calls = { set: 0, touch: 0 };
  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    this.calls.set += 1;
    if (this.failSets) callback?.(new Error('set refused on purpose'));
    else super.set(sid, sess, callback);
  }
  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    this.calls.touch += 1;
    if (this.failTouches)
      (callback as ((err: unknown) => void) | undefined)?.(new Error('touch refused on purpose'));
    else super.touch(sid, sess, callback);
  }
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    if (this.failGets) callback(new Error('get refused on purpose'));
    else super.get(sid, callback);
  }
}

function assertUnavailable(res: TestResponse): void {
  assert.equal(res.status, 503, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.body.error.code, 'store_unavailable');
  assert.equal(res.headers.get('retry-after'), '1');
  assert.equal(res.headers.get('x-served-by'), 'stateful-1');
}

describe('when the session store fails', () => {
  let app: StartedApp;
  let store: FailingStore;
  before(async () => {
    store = new FailingStore({ cap: 1_000 });
    app = await startApp({ sessions: { store, isReady: () => true, close: async () => store.close() } });
  });
  after(() => app?.close());
  beforeEach(() => {
    store.failSets = false;
    store.failGets = false;
    store.failTouches = false;
  });

  const mutations: Array<[string, string, string, { json?: unknown }]> = [
    ['POST /api/cart/items', 'POST', '/api/cart/items', { json: { productId: B.id } }],
    ['PUT /api/cart/items/:id', 'PUT', `/api/cart/items/${A.id}`, { json: { quantity: 9 } }],
    ['DELETE /api/cart/items/:id', 'DELETE', `/api/cart/items/${A.id}`, {}],
    ['DELETE /api/cart', 'DELETE', '/api/cart', {}],
  ];
  for (const [name, method, path, options] of mutations) {
    it(`${name} whose save fails → 503 store_unavailable, the stored cart unchanged`, async () => {
      const client = createTestClient(app.baseUrl);
      const before = (
        await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 2 } })
      ).body;
      store.failSets = true;
      assertUnavailable(await client.request(method, path, options));
      store.failSets = false;
      const after = await client.request('GET', '/api/cart');
      assert.deepEqual(after.body, before);
    });
  }

  it("a new client's first change whose save fails → 503, and no cookie for a cart never stored; its reads need no save", async () => {
    const sessionsBefore = store.size;
    store.calls = { set: 0, touch: 0 };
    store.failSets = true;
    const client = createTestClient(app.baseUrl);
    assertUnavailable(await client.request('POST', '/api/cart/items', { json: { productId: A.id } }));
    assert.equal(client.jar.get(NAME), undefined);
    const read = await client.request('GET', '/api/cart');
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.items, []);
    assert.equal(store.calls.set, 1, 'the read tried no save');
    store.failSets = false;
    assert.equal(store.size, sessionsBefore, 'no session stored afterwards either');
  });

  it('a load that fails → 503 store_unavailable, never an empty cart in its place', async () => {
    const client = createTestClient(app.baseUrl);
    await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
    store.failGets = true;
    assertUnavailable(await client.request('GET', '/api/cart'));
    assertUnavailable(await client.request('POST', '/api/cart/items', { json: { productId: B.id } }));
    store.failGets = false;
    const after = (await client.request('GET', '/api/cart')).body;
    assert.deepEqual(
      after.items.map((i: { productId: string }) => i.productId),
      [A.id],
    );
  });

  it('a change is written once, before the answer; nothing is written or touched after it', async () => {
    const client = createTestClient(app.baseUrl);
    await client.request('GET', '/api/cart');
    store.calls = { set: 0, touch: 0 };
    await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
    assert.deepEqual(store.calls, { set: 1, touch: 0 });
    await client.request('GET', '/api/cart');
    assert.deepEqual(store.calls, { set: 1, touch: 0 }, 'a read slides the expiry as it loads the session');
  });

  it('with every store write failing, reads still answer 200 on a keep-alive connection that stays usable', async (t) => {
    const client = createTestClient(app.baseUrl);
    await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
    const cookie = client.jar.header()!;
    const logsBefore = app.logs().length;
    store.failSets = true;
    store.failTouches = true;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = http.get(`${app.baseUrl}/api/cart`, { agent, headers: { cookie } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    assert.equal((await get()).status, 200);
    // Give a destroyed socket the chance to show: the next request would then need a new one.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await get(), { status: 200, reused: true });
    assert.doesNotMatch(app.logs().slice(logsBefore), /refused on purpose/);
  });

  it('the server stays up and keeps serving after store failures', async () => {
    store.failSets = true;
    assertUnavailable(
      await createTestClient(app.baseUrl).request('POST', '/api/cart/items', { json: { productId: A.id } }),
    );
    store.failSets = false;
    const res = await createTestClient(app.baseUrl).request('GET', '/api/cart');
    assert.equal(res.status, 200);
    assert.doesNotMatch(app.logs(), /unhandled error/);
  });
});

describe('a stored session holding garbage', () => {
  it('reads as no cart: a fresh cart, not an error', async (t) => {
    const store = new MemorySessionStore({ cap: 100 });
    const app = await startApp({
      sessions: { store, isReady: () => true, close: async () => store.close() },
    });
    t.after(() => app.close());
    const client = createTestClient(app.baseUrl);
    const first = (await client.request('POST', '/api/cart/items', { json: { productId: A.id } })).body;
    const sid = decodeURIComponent(client.jar.get(NAME)!).slice(2).split('.').slice(0, 2).join('.');
    const stored = await new Promise<SessionData>((resolve) => store.get(sid, (_e, s) => resolve(s!)));
    const garbage = {
      ...stored,
      cart: { cartId: first.cartId, rev: 1, lines: [{ productId: A.id, quantity: 1e9 }] },
    };
    await new Promise<void>((resolve) => store.set(sid, garbage as SessionData, () => resolve()));
    const res = await client.request('GET', '/api/cart');
    assert.equal(res.status, 200);
    assert.notEqual(res.body.cartId, first.cartId);
    assert.deepEqual(res.body.items, []);
  });
});
