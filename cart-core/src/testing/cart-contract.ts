/**
 * The contract suite of docs/contract.md §2, run by every app against every place a cart can
 * live (memory session, Redis session, JWT). It starts from a running app's base URL, so it tests
 * the real HTTP surface: flow, rev semantics, every error status, and "nothing changed" after each
 * rejected request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CART_ID_PATTERN } from '../cart.ts';
import { CATALOG } from '../catalog.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import type { Variant } from '../topology.ts';
import { TOPOLOGY } from '../topology.ts';
import { createTestClient, type RequestOptions, type TestClient, type TestResponse } from './test-client.ts';

export interface ContractTarget {
  baseUrl: string;
  variant: Variant;
  instance: string;
  close(): Promise<void>;
}

export interface BadRequest {
  name: string;
  method: string;
  path: string;
  options?: RequestOptions;
  status: number;
  code: string;
}

const [A, B, C] = [CATALOG[0]!, CATALOG[1]!, CATALOG[2]!];

/** Rejected requests that every variant must answer the same way, leaving the cart unchanged. */
export const BAD_REQUESTS: readonly BadRequest[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: '{"productId":', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'JSON null body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: 'null', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'JSON array body',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: [{ productId: A.id }] },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'JSON string body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: '"mug-ink"', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_body',
  },
  { name: 'no body', method: 'POST', path: '/api/cart/items', status: 400, code: 'invalid_body' },
  {
    name: 'productId a number',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: 5 } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'productId missing',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { quantity: 1 } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'productId with path characters',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: '../etc/passwd' } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, priceCents: 1 } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: '__proto__ key',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","__proto__":{"polluted":true}}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'constructor.prototype key',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","constructor":{"prototype":{"polluted":true}}}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'quantity 0 on add',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: 0 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity 100',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: 100 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity negative',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: -3 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity 1.5',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: 1.5 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity a string',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: '2' } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity 1e400',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","quantity":1e400}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity beyond 2^53',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","quantity":9007199254740993}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity null',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: null } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'unknown product',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: 'no-such-thing' } },
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'text/plain body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: `{"productId":"${A.id}"}`, headers: { 'content-type': 'text/plain' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'form body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: `productId=${A.id}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'body without content type',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: `{"productId":"${A.id}"}`, headers: { 'content-type': '' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'gzip content encoding',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}"}`,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'latin1 charset',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}"}`,
      headers: { 'content-type': 'application/json; charset=latin1' },
    },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'invalid UTF-8 bytes',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: new Uint8Array([0x7b, 0x22, 0x70, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'body over 16 KiB',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, pad: 'x'.repeat(17 * 1024) } },
    status: 413,
    code: 'body_too_large',
  },
  {
    name: 'deeply nested JSON',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `${'['.repeat(2000)}${']'.repeat(2000)}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'PUT quantity 100',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: 100 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'PUT quantity -1',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: -1 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'PUT without quantity',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: {} },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'PUT extra field',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: 1, productId: B.id } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'PUT unknown product',
    method: 'PUT',
    path: '/api/cart/items/no-such-thing',
    options: { json: { quantity: 1 } },
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'PUT product id with encoded slash',
    method: 'PUT',
    path: '/api/cart/items/..%2F..%2Fetc',
    options: { json: { quantity: 1 } },
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'DELETE unknown product',
    method: 'DELETE',
    path: '/api/cart/items/NOPE',
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'malformed percent escape',
    method: 'DELETE',
    path: '/api/cart/items/%E0%A4%A',
    status: 400,
    code: 'bad_request',
  },
  { name: 'unknown route', method: 'GET', path: '/api/nope', status: 404, code: 'not_found' },
  {
    name: 'wrong method on a known path',
    method: 'PATCH',
    path: '/api/cart',
    options: { json: {} },
    status: 404,
    code: 'not_found',
  },
];

function assertJsonError(res: TestResponse, status: number, code: string, instance: string): void {
  assert.equal(res.status, status, `status for ${code}: ${res.text.slice(0, 200)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.body?.error?.code, code, res.text.slice(0, 200));
  assert.equal(typeof res.body.error.message, 'string');
  assert.doesNotMatch(res.text, /\bat .+\.(ts|js):\d+/, 'no stack trace');
  assert.equal(res.headers.get('x-served-by'), instance);
}

function lines(cart: { items: Array<{ productId: string; quantity: number }> }): Array<[string, number]> {
  return cart.items.map((i) => [i.productId, i.quantity]);
}

export function cartContract(label: string, start: () => Promise<ContractTarget>): void {
  describe(`cart contract: ${label}`, () => {
    let target: ContractTarget;
    let client: TestClient;
    before(async () => {
      target = await start();
    });
    after(() => target?.close());
    const fresh = () => {
      client = createTestClient(target.baseUrl);
      return client;
    };
    const get = async () => (await client.request('GET', '/api/cart')).body;

    it('GET /api/products → 200 with every catalog product, prices in cents', async () => {
      const res = await fresh().request('GET', '/api/products');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/);
      assert.ok(res.body.products.length >= 50);
      for (const p of res.body.products) {
        assert.deepEqual(Object.keys(p).sort(), ['id', 'name', 'priceCents']);
        assert.ok(Number.isInteger(p.priceCents) && p.priceCents > 0);
      }
    });

    it('GET /api/cart for a new client → empty cart, rev 0, a stable cartId and a cookie', async () => {
      fresh();
      const first = await client.request('GET', '/api/cart');
      assert.equal(first.status, 200);
      assert.match(first.body.cartId, CART_ID_PATTERN);
      assert.equal(first.body.rev, 0);
      assert.deepEqual(first.body.items, []);
      assert.equal(first.body.itemCount, 0);
      assert.equal(first.body.totalCents, 0);
      assert.deepEqual(first.body.servedBy, { instance: target.instance, variant: target.variant });
      assert.ok(client.jar.get(TOPOLOGY[target.variant].cookieName), 'identity cookie set');
      const second = await get();
      assert.equal(second.cartId, first.body.cartId);
      assert.equal(second.rev, 0);
    });

    it('the identity cookie is HttpOnly, SameSite=Lax, Path=/ and named for the variant', async () => {
      const res = await fresh().request('GET', '/api/cart');
      const cookie = res.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${TOPOLOGY[target.variant].cookieName}=`));
      assert.ok(cookie, `Set-Cookie ${TOPOLOGY[target.variant].cookieName}`);
      assert.match(cookie, /;\s*HttpOnly/i);
      assert.match(cookie, /;\s*SameSite=Lax/i);
      assert.match(cookie, /;\s*Path=\/(;|$)/i);
      assert.ok(!cookie.includes(res.body.cartId), 'the cartId is never the cookie value');
    });

    it('POST /api/cart/items adds to a line, quantity defaults to 1, prices come from the catalog', async () => {
      fresh();
      const empty = await get();
      const one = await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
      assert.equal(one.status, 200);
      assert.equal(one.body.cartId, empty.cartId);
      assert.equal(one.body.rev, 1);
      assert.deepEqual(one.body.items, [
        {
          productId: A.id,
          name: A.name,
          quantity: 1,
          unitPriceCents: A.priceCents,
          lineTotalCents: A.priceCents,
        },
      ]);
      const more = await client.request('POST', '/api/cart/items', {
        json: { productId: A.id, quantity: 4 },
      });
      assert.equal(more.body.rev, 2);
      assert.deepEqual(lines(more.body), [[A.id, 5]]);
      const other = await client.request('POST', '/api/cart/items', {
        json: { productId: B.id, quantity: 2 },
      });
      assert.equal(other.body.rev, 3);
      assert.equal(other.body.itemCount, 7);
      assert.equal(other.body.totalCents, 5 * A.priceCents + 2 * B.priceCents);
      const again = await get();
      assert.deepEqual(lines(again), [
        [A.id, 5],
        [B.id, 2],
      ]);
      assert.equal(again.rev, 3);
    });

    it('PUT /api/cart/items/:id sets, creates, keeps rev on no change, and removes with 0', async () => {
      fresh();
      await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
      const set = await client.request('PUT', `/api/cart/items/${A.id}`, { json: { quantity: 7 } });
      assert.equal(set.status, 200);
      assert.deepEqual(lines(set.body), [[A.id, 7]]);
      assert.equal(set.body.rev, 2);
      const same = await client.request('PUT', `/api/cart/items/${A.id}`, { json: { quantity: 7 } });
      assert.equal(same.body.rev, 2, 'no change, no new rev');
      const created = await client.request('PUT', `/api/cart/items/${C.id}`, { json: { quantity: 3 } });
      assert.deepEqual(lines(created.body), [
        [A.id, 7],
        [C.id, 3],
      ]);
      assert.equal(created.body.rev, 3);
      const removed = await client.request('PUT', `/api/cart/items/${A.id}`, { json: { quantity: 0 } });
      assert.deepEqual(lines(removed.body), [[C.id, 3]]);
      assert.equal(removed.body.rev, 4);
      const absent = await client.request('PUT', `/api/cart/items/${A.id}`, { json: { quantity: 0 } });
      assert.equal(absent.body.rev, 4);
    });

    it('DELETE /api/cart/items/:id removes a line; a line that is not there changes nothing', async () => {
      fresh();
      await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 2 } });
      await client.request('POST', '/api/cart/items', { json: { productId: B.id } });
      const removed = await client.request('DELETE', `/api/cart/items/${A.id}`);
      assert.equal(removed.status, 200);
      assert.deepEqual(lines(removed.body), [[B.id, 1]]);
      assert.equal(removed.body.rev, 3);
      const none = await client.request('DELETE', `/api/cart/items/${A.id}`);
      assert.equal(none.status, 200);
      assert.equal(none.body.rev, 3);
      assert.deepEqual(lines(none.body), [[B.id, 1]]);
    });

    it('DELETE /api/cart → empty cart with a fresh cartId and rev 0', async () => {
      fresh();
      const added = await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
      const cleared = await client.request('DELETE', '/api/cart');
      assert.equal(cleared.status, 200);
      assert.notEqual(cleared.body.cartId, added.body.cartId);
      assert.match(cleared.body.cartId, CART_ID_PATTERN);
      assert.equal(cleared.body.rev, 0);
      assert.deepEqual(cleared.body.items, []);
      assert.equal((await get()).cartId, cleared.body.cartId);
    });

    it('two clients have two carts', async () => {
      const one = createTestClient(target.baseUrl);
      const two = createTestClient(target.baseUrl);
      await one.request('POST', '/api/cart/items', { json: { productId: A.id } });
      const other = await two.request('GET', '/api/cart');
      assert.deepEqual(other.body.items, []);
    });

    it('a line holds at most 99: adding past it → 409 quantity_limit, cart unchanged', async () => {
      fresh();
      await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 99 } });
      const before = await get();
      const res = await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
      assertJsonError(res, 409, 'quantity_limit', target.instance);
      assert.deepEqual(await get(), before);
    });

    it(`a cart holds at most ${DEFAULT_LIMITS.maxLines} lines: one more → 409 cart_full, by POST and by PUT`, async () => {
      fresh();
      for (const p of CATALOG.slice(0, DEFAULT_LIMITS.maxLines)) {
        const res = await client.request('POST', '/api/cart/items', { json: { productId: p.id } });
        assert.equal(res.status, 200, res.text);
      }
      const full = await get();
      assert.equal(full.items.length, DEFAULT_LIMITS.maxLines);
      const extra = CATALOG[DEFAULT_LIMITS.maxLines]!;
      assertJsonError(
        await client.request('POST', '/api/cart/items', { json: { productId: extra.id } }),
        409,
        'cart_full',
        target.instance,
      );
      assertJsonError(
        await client.request('PUT', `/api/cart/items/${extra.id}`, { json: { quantity: 1 } }),
        409,
        'cart_full',
        target.instance,
      );
      assert.deepEqual(await get(), full);
    });

    describe('rejected requests answer JSON errors and change nothing', () => {
      for (const bad of BAD_REQUESTS) {
        it(`${bad.method} ${bad.path} with ${bad.name} → ${bad.status} ${bad.code}, cart unchanged`, async () => {
          fresh();
          await client.request('POST', '/api/cart/items', { json: { productId: B.id, quantity: 2 } });
          const before = await get();
          const res = await client.request(bad.method, bad.path, bad.options);
          assertJsonError(res, bad.status, bad.code, target.instance);
          assert.deepEqual(await get(), before);
          assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
        });
      }
    });

    it('GET /healthz, /readyz, /api/instance and /metrics answer, with X-Served-By and no X-Powered-By', async () => {
      fresh();
      for (const path of ['/healthz', '/readyz', '/api/instance', '/metrics']) {
        const res = await client.request('GET', path);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('x-served-by'), target.instance);
        assert.equal(res.headers.get('x-powered-by'), null);
      }
      const info = (await client.request('GET', '/api/instance')).body;
      assert.equal(info.instance, target.instance);
      assert.equal(info.variant, target.variant);
      assert.ok(Number.isInteger(info.pid));
      assert.ok(!Number.isNaN(Date.parse(info.startedAt)));
      assert.equal(typeof info.uptimeS, 'number');
      const metrics = await client.request('GET', '/metrics');
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(metrics.text, /http_requests_total\{[^}]*route="\/api\/instance"/);
      assert.match(metrics.text, /http_request_duration_seconds_bucket/);
    });
  });
}
