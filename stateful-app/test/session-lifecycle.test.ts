/**
 * What a request costs the session store, counted through an in-memory store of our own over real
 * HTTP: a write is one serialisation beyond the load and one store write, a read writes nothing,
 * and a new client costs the store nothing until its first change.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CATALOG, TOPOLOGY } from '@statelab/cart-core';
import { createTestClient, type TestClient, type TestResponse } from '@statelab/cart-core/testing';
import type { SessionData } from 'express-session';
import { MemorySessionStore } from '../src/session-store/memory-store.ts';
import { type StartedApp, startApp } from './support/in-process-app.ts';

const NAME = TOPOLOGY.stateful.cookieName;
const [A, B] = [CATALOG[0]!, CATALOG[1]!];

/**
 * Every session it hands out carries a probe whose toJSON counts each serialisation of the whole
 * session (express-session's change hash, a store's stringify); the probe itself is never stored.
 */
class CountingStore extends MemorySessionStore {
  calls = { set: 0, touch: 0, destroy: 0, serialisations: 0 };
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    super.get(sid, (err, sess) => {
      const probe = {
        toJSON: () => {
          this.calls.serialisations += 1;
          return undefined;
        },
      };
      callback(err, sess ? ({ ...sess, probe } as SessionData) : sess);
    });
  }
  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    this.calls.set += 1;
    super.set(sid, sess, callback);
  }
  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    this.calls.touch += 1;
    super.touch(sid, sess, callback);
  }
  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.calls.destroy += 1;
    super.destroy(sid, callback);
  }
}

function setsCookie(res: TestResponse): boolean {
  return res.headers.getSetCookie().some((c) => c.startsWith(`${NAME}=`));
}

describe('the session store, per request', () => {
  let app: StartedApp;
  let store: CountingStore;
  let now = Date.now();
  before(async () => {
    store = new CountingStore({ cap: 1_000 });
    app = await startApp({
      env: { SESSION_ABSOLUTE_TIMEOUT_S: '3600' },
      sessions: { store, isReady: () => true, close: async () => store.close() },
      now: () => now,
    });
  });
  after(() => app?.close());

  let client: TestClient;
  beforeEach(async () => {
    client = createTestClient(app.baseUrl);
    await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 2 } });
    store.calls = { set: 0, touch: 0, destroy: 0, serialisations: 0 };
  });

  const writes: Array<[string, string, string, { json?: unknown }]> = [
    ['POST /api/cart/items', 'POST', '/api/cart/items', { json: { productId: B.id } }],
    ['PUT /api/cart/items/:id', 'PUT', `/api/cart/items/${A.id}`, { json: { quantity: 9 } }],
    ['DELETE /api/cart/items/:id', 'DELETE', `/api/cart/items/${A.id}`, {}],
    ['DELETE /api/cart', 'DELETE', '/api/cart', {}],
  ];
  for (const [name, method, path, options] of writes) {
    it(`${name} → one store write, the session serialised once beyond its load, and its cookie`, async () => {
      const res = await client.request(method, path, options);
      assert.equal(res.status, 200, res.text);
      // Counted once the answer is in: express-session holds an answer's last byte for its own writes.
      assert.deepEqual(store.calls, { set: 1, touch: 0, destroy: 0, serialisations: 2 });
      assert.ok(setsCookie(res), 'a stored change carries the cookie');
    });
  }

  it('GET /api/cart of an existing session → no store write or touch, no cookie; serialised only as it loads', async () => {
    const res = await client.request('GET', '/api/cart');
    assert.equal(res.status, 200);
    assert.deepEqual(store.calls, { set: 0, touch: 0, destroy: 0, serialisations: 1 });
    assert.equal(setsCookie(res), false);
  });

  it('a rejected change (400) → no store write or touch, no cookie', async () => {
    const res = await client.request('PUT', `/api/cart/items/${A.id}`, { json: { quantity: 0.5 } });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(store.calls, { set: 0, touch: 0, destroy: 0, serialisations: 1 });
    assert.equal(setsCookie(res), false);
  });

  const nothingStored = { set: 0, touch: 0, destroy: 0, serialisations: 0 };
  const newClientNoOps: Array<
    [string, string, string, { json?: unknown; headers?: Record<string, string> }]
  > = [
    ['GET /api/cart', 'GET', '/api/cart', {}],
    [
      'GET /api/cart with a forged cookie',
      'GET',
      '/api/cart',
      { headers: { cookie: `${NAME}=s%3Aforged.stateful-1.sig` } },
    ],
    ['DELETE /api/cart', 'DELETE', '/api/cart', {}],
    ['DELETE /api/cart/items/:id (a line it does not have)', 'DELETE', `/api/cart/items/${B.id}`, {}],
    ['PUT /api/cart/items/:id with quantity 0', 'PUT', `/api/cart/items/${B.id}`, { json: { quantity: 0 } }],
  ];
  for (const [name, method, path, options] of newClientNoOps) {
    it(`a new client's ${name} → an empty cart at rev 0; nothing stored, no cookie`, async () => {
      const sizeBefore = store.size;
      const res = await createTestClient(app.baseUrl).request(method, path, options);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.rev, 0);
      assert.deepEqual(res.body.items, []);
      assert.deepEqual(store.calls, nothingStored);
      assert.equal(store.size, sizeBefore);
      assert.equal(setsCookie(res), false);
    });
  }

  it("a new client's first change → its cart stored once, with the cookie", async () => {
    const fresh = createTestClient(app.baseUrl);
    await fresh.request('GET', '/api/cart');
    const res = await fresh.request('POST', '/api/cart/items', { json: { productId: B.id } });
    assert.equal(res.status, 200);
    assert.deepEqual(store.calls, { ...nothingStored, set: 1 });
    assert.ok(setsCookie(res));
  });

  it('GET /api/cart past the absolute timeout → the old session destroyed, nothing stored until a change', async (t) => {
    now += 3_601_000;
    t.after(() => {
      now = Date.now();
    });
    const res = await client.request('GET', '/api/cart');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items, []);
    assert.deepEqual(store.calls, { set: 0, touch: 0, destroy: 1, serialisations: 1 });
    assert.equal(setsCookie(res), false);
    const added = await client.request('POST', '/api/cart/items', { json: { productId: B.id } });
    assert.equal(store.calls.set, 1);
    assert.ok(setsCookie(added), 'the new session id is sent with the first change');
  });
});
