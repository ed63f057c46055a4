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
import { cartTravelsWithClient, TOPOLOGY, type Variant } from '../topology.ts';
import { BAD_REQUESTS } from './bad-requests.ts';
import { idempotencyContract } from './idempotency-contract.ts';
import { createTestClient, type TestClient, type TestResponse } from './test-client.ts';

export interface ContractTarget {
  baseUrl: string;
  variant: Variant;
  instance: string;
  close(): Promise<void>;
}

const [A, B, C] = [CATALOG[0]!, CATALOG[1]!, CATALOG[2]!];

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

    it('GET /api/cart for a new client → empty cart, rev 0; a token at once (stateless), no session until the first change (stateful)', async () => {
      fresh();
      const cookieName = TOPOLOGY[target.variant].cookieName;
      const first = await client.request('GET', '/api/cart');
      assert.equal(first.status, 200);
      assert.match(first.body.cartId, CART_ID_PATTERN);
      assert.equal(first.body.rev, 0);
      assert.deepEqual(first.body.items, []);
      assert.equal(first.body.itemCount, 0);
      assert.equal(first.body.totalCents, 0);
      assert.deepEqual(first.body.servedBy, { instance: target.instance, variant: target.variant });
      const second = await get();
      assert.equal(second.rev, 0);
      if (cartTravelsWithClient(target.variant)) {
        // A token costs the server nothing to hold: the first read issues it, and the cartId with it.
        assert.ok(client.jar.get(cookieName), 'token cookie set');
        assert.equal(second.cartId, first.body.cartId);
      } else {
        // A session is stored only once its cart holds something, so reads cannot fill the store.
        assert.equal(client.jar.get(cookieName), undefined, 'no session cookie for a read');
        assert.notEqual(second.cartId, first.body.cartId, 'a cart never stored is fresh on every read');
      }
      const added = await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
      assert.ok(client.jar.get(cookieName), 'identity cookie set by the first change');
      assert.equal((await get()).cartId, added.body.cartId, 'the cartId is stable from then on');
    });

    it('the identity cookie is HttpOnly, SameSite=Lax, Path=/ and named for the variant', async () => {
      const res = await fresh().request('POST', '/api/cart/items', { json: { productId: A.id } });
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
      const one = await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
      assert.equal(one.status, 200);
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
      assert.equal(more.body.cartId, one.body.cartId);
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

    it('a JSON body with no charset or charset utf-8 in any case, quoted or not, is accepted', async () => {
      fresh();
      const types = [
        'application/json',
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
        'application/json; charset="Utf-8"',
      ];
      for (const [i, type] of types.entries()) {
        const res = await client.request('POST', '/api/cart/items', {
          body: `{"productId":"${A.id}"}`,
          headers: { 'content-type': type },
        });
        assert.equal(res.status, 200, `${type}: ${res.text}`);
        assert.equal(res.body.rev, i + 1, type);
      }
    });

    it('HEAD is served wherever GET is (the Allow of a 405 lists it)', async () => {
      fresh();
      for (const path of ['/api/products', '/api/cart', '/healthz', '/api/instance']) {
        const res = await client.request('HEAD', path);
        assert.equal(res.status, 200, path);
        assert.equal(res.text, '', path);
      }
    });

    idempotencyContract(() => target);

    describe('rejected requests answer JSON errors and change nothing', () => {
      for (const bad of BAD_REQUESTS) {
        it(`${bad.method} ${bad.path} with ${bad.name} → ${bad.status} ${bad.code}, cart unchanged`, async () => {
          fresh();
          await client.request('POST', '/api/cart/items', { json: { productId: B.id, quantity: 2 } });
          const before = await get();
          const id = `bad-${bad.code}-${bad.status}`;
          const headers = { ...bad.options?.headers, 'x-request-id': id };
          const res = await client.request(bad.method, bad.path, { ...bad.options, headers });
          assertJsonError(res, bad.status, bad.code, target.instance);
          assert.equal(res.headers.get('x-request-id'), id, 'the answer names its request');
          if (bad.message) assert.match(res.body.error.message, bad.message);
          for (const [name, value] of Object.entries(bad.headers ?? {}))
            assert.equal(res.headers.get(name), value, name);
          assert.deepEqual(await get(), before);
          assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
        });
      }
    });

    it('every route echoes a well-formed X-Request-Id, and answers a missing or malformed one with a new id', async () => {
      fresh();
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/api/products'],
        ['GET', '/api/cart'],
        ['POST', '/api/cart/items', { productId: A.id }],
        ['PUT', `/api/cart/items/${A.id}`, { quantity: 2 }],
        ['DELETE', `/api/cart/items/${A.id}`],
        ['DELETE', '/api/cart'],
        ['GET', '/healthz'],
        ['GET', '/readyz'],
        ['GET', '/api/instance'],
        ['GET', '/metrics'],
        ['GET', '/no-such-route'],
      ];
      for (const [method, path, json] of routes) {
        const id = `route-${method}-${path.length}`;
        const res = await client.request(method, path, { json, headers: { 'x-request-id': id } });
        assert.equal(res.headers.get('x-request-id'), id, `${method} ${path}`);
      }
      for (const sent of [undefined, 'has space', 'x'.repeat(65)]) {
        const res = await client.request(
          'GET',
          '/api/cart',
          sent ? { headers: { 'x-request-id': sent } } : {},
        );
        const id = res.headers.get('x-request-id') ?? '';
        assert.match(id, /^[A-Za-z0-9_-]{1,64}$/);
        assert.notEqual(id, sent);
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
