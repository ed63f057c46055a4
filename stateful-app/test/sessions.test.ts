/**
 * The session cookie and its life: attributes, routed ids, hostile cookies, sliding and absolute
 * expiry, and a memory that stays bounded however many clients come.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CATALOG, SESSION_ROUTE_PATTERN, TOPOLOGY } from '@statelab/cart-core';
import { createTestClient } from '@statelab/cart-core/testing';
import { SECRET, type StartedApp, startApp } from './support/in-process-app.ts';

const NAME = TOPOLOGY.stateful.cookieName;
const ROUTE = new RegExp(SESSION_ROUTE_PATTERN);
const [A, B] = [CATALOG[0]!, CATALOG[1]!];

/** express-session's cookie value: `s:` + id + `.` + base64 HMAC-SHA256 without padding, URL-encoded. */
function signedCookie(id: string, secret = SECRET): string {
  const sig = createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  return `${NAME}=${encodeURIComponent(`s:${id}.${sig}`)}`;
}

function sessionCookie(res: { headers: Headers }): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${NAME}=`));
}

describe('session cookie', () => {
  let app: StartedApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it('is named for the variant (no "."), HttpOnly, SameSite=Lax, Path=/, expiring with the absolute timeout', async () => {
    const res = await createTestClient(app.baseUrl).request('POST', '/api/cart/items', {
      json: { productId: A.id },
    });
    const cookie = sessionCookie(res);
    assert.ok(cookie, res.headers.getSetCookie().join('\n'));
    assert.ok(!NAME.includes('.'));
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=Lax/i);
    assert.match(cookie, /;\s*Path=\/(;|$)/i);
    assert.doesNotMatch(cookie, /;\s*Secure/i);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
    assert.ok(Math.abs(expires - (Date.now() + 86_400_000)) < 5_000, 'expires one absolute timeout from now');
  });

  it('a read of an existing session sends no Set-Cookie (its idle expiry slides in the store)', async () => {
    const client = createTestClient(app.baseUrl);
    await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
    const read = await client.request('GET', '/api/cart');
    assert.equal(read.status, 200);
    assert.equal(sessionCookie(read), undefined, read.headers.getSetCookie().join('\n'));
  });

  it('a new client is sent no cookie until its first change (a read stores no session)', async () => {
    const client = createTestClient(app.baseUrl);
    const read = await client.request('GET', '/api/cart');
    assert.equal(read.status, 200);
    assert.equal(sessionCookie(read), undefined, read.headers.getSetCookie().join('\n'));
    const again = await client.request('GET', '/api/cart');
    assert.notEqual(again.body.cartId, read.body.cartId, 'a cart never stored is fresh on every read');
    assert.ok(sessionCookie(await client.request('POST', '/api/cart/items', { json: { productId: A.id } })));
  });

  it('the session id carries this instance, as nginx routes on it', async () => {
    const client = createTestClient(app.baseUrl);
    await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
    const value = client.jar.get(NAME)!;
    assert.equal(ROUTE.exec(value)?.groups?.route, 'stateful-1', value);
  });

  it('a cart change is sent back with the same session cookie and the cart survives', async () => {
    const client = createTestClient(app.baseUrl);
    const first = await client.request('POST', '/api/cart/items', { json: { productId: B.id } });
    const before = client.jar.get(NAME);
    const added = await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
    assert.equal(added.status, 200);
    assert.equal(client.jar.get(NAME), before, 'same session id');
    assert.equal(added.body.cartId, first.body.cartId);
  });

  describe('hostile session cookies get a fresh cart and a new session, never an error', () => {
    let victim: ReturnType<typeof createTestClient>;
    let victimCart: { cartId: string; rev: number };
    before(async () => {
      victim = createTestClient(app.baseUrl);
      victimCart = (
        await victim.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 3 } })
      ).body;
    });

    const victimId = () =>
      decodeURIComponent(victim.jar.get(NAME)!).slice(2).split('.').slice(0, 2).join('.');
    const cases: Array<[string, () => string]> = [
      ['a malformed signed value s:abc.def', () => `${NAME}=s:abc.def`],
      ['an encoded malformed value s%3Aabc.def', () => `${NAME}=s%3Aabc.def`],
      ['an unsigned session id', () => `${NAME}=${victimId()}`],
      ['a real id with a wrong signature', () => `${NAME}=${victim.jar.get(NAME)!.replace(/.{4}$/, 'AAAA')}`],
      [
        'a real id signed with another secret',
        () => signedCookie(victimId(), 'another-secret-0123456789abcdef-0123'),
      ],
      ['an 8 KiB cookie', () => `${NAME}=s%3A${'x'.repeat(8 * 1024)}`],
      ['a value that is not percent-decodable', () => `${NAME}=s%3A%E0%A4%A.stateful-1.x`],
      [
        'a validly signed id naming another instance',
        () => signedCookie('Zm9yZ2VkZm9yZ2VkZm9yZ2Vk.stateful-2'),
      ],
      [
        'a validly signed id this instance never issued',
        () => signedCookie('bm90LWlzc3VlZC1ieS11cw.stateful-1'),
      ],
    ];
    for (const [name, cookie] of cases) {
      it(`${name} → 200 with a new cart and a new session on this instance`, async () => {
        const attacker = createTestClient(app.baseUrl);
        const res = await attacker.request('POST', '/api/cart/items', {
          json: { productId: B.id },
          headers: { cookie: cookie() },
        });
        assert.equal(res.status, 200, res.text);
        assert.notEqual(res.body.cartId, victimCart.cartId);
        assert.deepEqual(
          res.body.items.map((i: { productId: string }) => i.productId),
          [B.id],
        );
        assert.equal(res.body.rev, 1);
        assert.equal(ROUTE.exec(attacker.jar.get(NAME) ?? '')?.groups?.route, 'stateful-1');
        assert.notEqual(attacker.jar.get(NAME), victim.jar.get(NAME));
        const untouched = (await victim.request('GET', '/api/cart')).body;
        assert.equal(untouched.cartId, victimCart.cartId);
        assert.equal(untouched.rev, victimCart.rev);
      });
    }
  });
});

describe('a session cookie from another instance (its home died)', () => {
  it('starts a new session whose id carries this instance, so the client stays here', async (t) => {
    const home = await startApp({ env: { INSTANCE_ID: 'stateful-2' } });
    t.after(() => home.close());
    const fallback = await startApp({ env: { INSTANCE_ID: 'stateful-1' } });
    t.after(() => fallback.close());
    const client = createTestClient(home.baseUrl);
    const lost = (await client.request('POST', '/api/cart/items', { json: { productId: A.id } })).body;
    assert.equal(ROUTE.exec(client.jar.get(NAME)!)?.groups?.route, 'stateful-2');

    const moved = createTestClient(fallback.baseUrl);
    moved.jar.set(NAME, client.jar.get(NAME)!);
    const res = await moved.request('GET', '/api/cart');
    assert.equal(res.status, 200);
    assert.notEqual(res.body.cartId, lost.cartId, 'the cart was lost with its instance');
    assert.deepEqual(res.body.items, []);
    const added = await moved.request('POST', '/api/cart/items', { json: { productId: B.id } });
    assert.equal(ROUTE.exec(moved.jar.get(NAME)!)?.groups?.route, 'stateful-1', 'its first change');
    assert.equal(
      (await moved.request('GET', '/api/cart')).body.cartId,
      added.body.cartId,
      'and stays on its new home',
    );
  });
});

describe('Secure cookies', () => {
  it('with COOKIE_SECURE the cookie is Secure, and only sent over HTTPS as nginx reports it', async (t) => {
    const app = await startApp({ env: { COOKIE_SECURE: 'true' } });
    t.after(() => app.close());
    const add = { json: { productId: A.id } };
    const https = await createTestClient(app.baseUrl).request('POST', '/api/cart/items', {
      ...add,
      headers: { 'x-forwarded-proto': 'https' },
    });
    assert.match(sessionCookie(https) ?? '', /;\s*Secure/i);
    const plain = await createTestClient(app.baseUrl).request('POST', '/api/cart/items', add);
    assert.equal(plain.status, 200);
    assert.equal(sessionCookie(plain), undefined, 'no Secure cookie over plain HTTP');
  });
});

describe('session expiry', () => {
  it('idle timeout slides: a session used within it lives on, an idle one gets a new cart', async (t) => {
    const app = await startApp({ env: { SESSION_IDLE_TIMEOUT_S: '2', SESSION_ABSOLUTE_TIMEOUT_S: '60' } });
    t.after(() => app.close());
    const client = createTestClient(app.baseUrl);
    const first = (await client.request('POST', '/api/cart/items', { json: { productId: A.id } })).body;
    // Four reads 0.8 s apart outlive one 2 s idle window only if each one pushed the expiry back.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 800));
      assert.equal((await client.request('GET', '/api/cart')).body.cartId, first.cartId, `read ${i + 1}`);
    }
    await new Promise((r) => setTimeout(r, 3_000));
    const after = (await client.request('GET', '/api/cart')).body;
    assert.notEqual(after.cartId, first.cartId, 'idle past the timeout: a new cart');
    assert.deepEqual(after.items, []);
  });

  it('absolute timeout: an older session gets a new id and a new cart, however active', async (t) => {
    let now = Date.now();
    const app = await startApp({ env: { SESSION_ABSOLUTE_TIMEOUT_S: '3600' }, now: () => now });
    t.after(() => app.close());
    const client = createTestClient(app.baseUrl);
    const first = (await client.request('POST', '/api/cart/items', { json: { productId: A.id } })).body;
    const oldCookie = client.jar.get(NAME);
    now += 3_599_000;
    assert.equal(
      (await client.request('GET', '/api/cart')).body.cartId,
      first.cartId,
      'still within the limit',
    );
    now += 2_000;
    const res = await client.request('GET', '/api/cart');
    assert.equal(res.status, 200);
    assert.notEqual(res.body.cartId, first.cartId);
    assert.deepEqual(res.body.items, []);
    const added = await client.request('POST', '/api/cart/items', { json: { productId: B.id } });
    assert.notEqual(client.jar.get(NAME), oldCookie, 'its first change stores a new session id');
    assert.equal(
      (await client.request('GET', '/api/cart')).body.cartId,
      added.body.cartId,
      'the new cart is stable',
    );
    const replay = await createTestClient(app.baseUrl).request('GET', '/api/cart', {
      headers: { cookie: `${NAME}=${oldCookie}` },
    });
    assert.notEqual(replay.body.cartId, first.cartId, 'the old session is gone from the store');
  });
});

describe('memory bounds over HTTP', () => {
  it('thousands of new clients that change their carts over SESSION_MEMORY_CAP keep sessions_in_memory at the cap', async (t) => {
    const app = await startApp({ env: { SESSION_MEMORY_CAP: '100' } });
    t.after(() => app.close());
    for (let i = 0; i < 2_000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const res = await createTestClient(app.baseUrl).request('POST', '/api/cart/items', {
            json: { productId: A.id },
          });
          assert.equal(res.status, 200);
        }),
      );
    }
    const metrics = await createTestClient(app.baseUrl).request('GET', '/metrics');
    assert.match(metrics.text, /^sessions_in_memory\{[^}]*\} 100$/m);
    assert.match(metrics.text, /^sessions_evicted_total\{[^}]*\} 1900$/m);
  });
});
