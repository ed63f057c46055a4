/**
 * The Idempotency-Key part of the contract (docs/contract.md §2), run inside the cart contract
 * suite against every store: a repeat is answered as the first time and changes nothing; the key
 * on another request is 422; a repeat of a cart's first write, sent as a client that never got
 * the answer would send it, gets the same cart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOG } from '../catalog.ts';
import { cartTravelsWithClient, type Variant } from '../topology.ts';
import { createTestClient, type RequestOptions, type TestClient, type TestResponse } from './test-client.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];

interface Write {
  name: string;
  method: string;
  path: string;
  json?: unknown;
}

/** Every keyed write, each from a cart holding 2 × A. */
const WRITES: readonly Write[] = [
  { name: 'POST /api/cart/items', method: 'POST', path: '/api/cart/items', json: { productId: B.id } },
  { name: 'PUT /api/cart/items/:id', method: 'PUT', path: `/api/cart/items/${A.id}`, json: { quantity: 5 } },
  { name: 'DELETE /api/cart/items/:id', method: 'DELETE', path: `/api/cart/items/${A.id}` },
  { name: 'DELETE /api/cart', method: 'DELETE', path: '/api/cart' },
];

let keys = 0;
const newKey = () => `contract-${process.pid}-${Date.now()}-${++keys}`;

function keyed(key: string, json?: unknown): RequestOptions {
  return { headers: { 'idempotency-key': key }, ...(json === undefined ? {} : { json }) };
}

/** What a repeat must give back exactly: the status and the cart. */
function outcome(res: TestResponse) {
  return { status: res.status, cartId: res.body?.cartId, rev: res.body?.rev, items: res.body?.items };
}

export function idempotencyContract(target: () => { baseUrl: string; variant: Variant }): void {
  describe('Idempotency-Key', () => {
    let client: TestClient;
    const fresh = async () => {
      client = createTestClient(target().baseUrl);
      await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 2 } });
    };
    const get = async () => (await client.request('GET', '/api/cart')).body;

    for (const write of WRITES) {
      it(`${write.name}: a repeat with the key → the first answer again, Idempotent-Replayed, nothing changed`, async () => {
        await fresh();
        const key = newKey();
        const first = await client.request(write.method, write.path, keyed(key, write.json));
        assert.equal(first.status, 200, first.text);
        assert.equal(first.headers.get('idempotent-replayed'), null, 'a first answer is no replay');
        const after = await get();
        const again = await client.request(write.method, write.path, keyed(key, write.json));
        assert.deepEqual(outcome(again), outcome(first));
        assert.equal(again.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(await get(), after, 'the repeat changed nothing');
      });
    }

    it('the same key on another body, path or method → 422 idempotency_key_reused, nothing changed', async () => {
      await fresh();
      const key = newKey();
      await client.request('POST', '/api/cart/items', keyed(key, { productId: B.id }));
      const before = await get();
      for (const [method, path, json] of [
        ['POST', '/api/cart/items', { productId: B.id, quantity: 2 }],
        ['PUT', `/api/cart/items/${B.id}`, { quantity: 1 }],
        ['DELETE', `/api/cart/items/${B.id}`, undefined],
      ] as const) {
        const res = await client.request(method, path, keyed(key, json));
        assert.equal(res.status, 422, `${method} ${path}: ${res.text}`);
        assert.equal(res.body?.error?.code, 'idempotency_key_reused');
      }
      assert.deepEqual(await get(), before);
    });

    it('the same JSON with other whitespace is the same request', async () => {
      await fresh();
      const key = newKey();
      const headers = { 'idempotency-key': key, 'content-type': 'application/json' };
      const first = await client.request('POST', '/api/cart/items', {
        headers,
        body: `{"productId":"${B.id}"}`,
      });
      const again = await client.request('POST', '/api/cart/items', {
        headers,
        body: `{ "productId" : "${B.id}" }\n`,
      });
      assert.deepEqual(outcome(again), outcome(first));
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
    });

    it('a repeat after later writes → the outcome of its own write, and the cart keeps the later ones', async () => {
      await fresh();
      const key = newKey();
      const first = await client.request('POST', '/api/cart/items', keyed(key, { productId: B.id }));
      await client.request('PUT', `/api/cart/items/${A.id}`, keyed(newKey(), { quantity: 7 }));
      const now = await get();
      const again = await client.request('POST', '/api/cart/items', keyed(key, { productId: B.id }));
      assert.equal(again.status, 200);
      if (cartTravelsWithClient(target().variant)) {
        // A token remembers only its last write: an older key is a new request, as without a key.
        assert.equal(again.headers.get('idempotent-replayed'), null);
        return;
      }
      assert.deepEqual(outcome(again), outcome(first));
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await get(), now, 'the later writes stand');
    });

    it("a repeat of a cart's first write from a client that never got the answer → the same cartId, rev and items", async () => {
      const key = newKey();
      const one = createTestClient(target().baseUrl);
      const first = await one.request('POST', '/api/cart/items', keyed(key, { productId: B.id }));
      // A second client: no cookie, no token, as when the first answer (and its Set-Cookie) was lost.
      const two = createTestClient(target().baseUrl);
      const again = await two.request('POST', '/api/cart/items', keyed(key, { productId: B.id }));
      assert.deepEqual(outcome(again), outcome(first));
    });

    it('two writes with two keys are two writes', async () => {
      await fresh();
      await client.request('POST', '/api/cart/items', keyed(newKey(), { productId: B.id }));
      await client.request('POST', '/api/cart/items', keyed(newKey(), { productId: B.id }));
      const lines = (await get()).items.map((i: { productId: string; quantity: number }) => [
        i.productId,
        i.quantity,
      ]);
      assert.deepEqual(lines, [
        [A.id, 2],
        [B.id, 2],
      ]);
    });
  });
}
