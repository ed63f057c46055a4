/** How the cart travels: cookie and Bearer, the X-Cart-Token header, replays, neighbours, size. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOG, DEFAULT_LIMITS, newCartId } from '@statelab/cart-core';
import { createCookieJar } from '@statelab/cart-core/dev';
import { createTestClient, type TestResponse } from '@statelab/cart-core/testing';
import jwt from 'jsonwebtoken';
import { toClaim } from '../src/cart-claim.ts';
import { createTokenCodec, MAX_TOKEN_BYTES, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/token.ts';
import { COOKIE, cartCookie, clearsCartCookie, startApp, TEST_SECRET } from './helpers.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const lines = (res: TestResponse) =>
  res.body.items.map((i: { productId: string; quantity: number }) => [i.productId, i.quantity]);

test('every mutation sets the cookie and returns the same token in X-Cart-Token', async (t) => {
  const { url } = await startApp(t);
  const client = createTestClient(url);
  const mutations: Array<[string, string, unknown?]> = [
    ['GET', '/api/cart'],
    ['POST', '/api/cart/items', { productId: A.id, quantity: 2 }],
    ['PUT', `/api/cart/items/${B.id}`, { quantity: 3 }],
    ['DELETE', `/api/cart/items/${A.id}`],
    ['DELETE', '/api/cart'],
  ];
  for (const [method, path, json] of mutations) {
    const res = await client.request(method, path, json === undefined ? {} : { json });
    assert.equal(res.status, 200, res.text);
    const header = res.headers.get('x-cart-token');
    assert.ok(header, `${method} ${path} returns X-Cart-Token`);
    assert.equal(cartCookie(res.headers.getSetCookie()), header, `${method} ${path}: cookie = header`);
    assert.match(
      res.headers.getSetCookie().join('\n'),
      new RegExp(`${COOKIE}=[^;]+; Max-Age=86400; Path=/;.*HttpOnly; SameSite=Lax`),
    );
  }
});

test('a request that changes nothing issues no new token', async (t) => {
  const { url } = await startApp(t);
  const client = createTestClient(url);
  await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
  for (const [method, path] of [
    ['GET', '/api/cart'],
    ['DELETE', `/api/cart/items/${B.id}`],
  ] as const) {
    const res = await client.request(method, path);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cart-token'), null, `${method} ${path}`);
    assert.equal(cartCookie(res.headers.getSetCookie()), undefined, `${method} ${path}`);
  }
});

test('the issued token is HS256 with iss, aud, iat and exp = iat + TOKEN_TTL_S, and carries only the cart', async (t) => {
  const { url } = await startApp(t, { TOKEN_TTL_S: '600' });
  const res = await createTestClient(url).request('POST', '/api/cart/items', { json: { productId: A.id } });
  const decoded = jwt.decode(res.headers.get('x-cart-token') ?? '', { complete: true });
  assert.ok(decoded && typeof decoded.payload === 'object');
  assert.equal(decoded.header.alg, 'HS256');
  const { iat, exp, ...rest } = decoded.payload;
  assert.equal(exp! - iat!, 600);
  assert.deepEqual(rest, {
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    cart: { id: res.body.cartId, rev: 1, lines: [[A.id, 1]] },
  });
});

test('Authorization: Bearer wins over the cookie', async (t) => {
  const { url } = await startApp(t);
  const cookieClient = createTestClient(url);
  const bearerClient = createTestClient(url);
  await cookieClient.request('POST', '/api/cart/items', { json: { productId: A.id } });
  const bearerCart = await bearerClient.request('POST', '/api/cart/items', {
    json: { productId: B.id, quantity: 4 },
  });
  const bearer = bearerCart.headers.get('x-cart-token')!;
  // Both arrive: the cookie client's jar sends its cookie, the header names the other cart.
  const res = await cookieClient.request('GET', '/api/cart', {
    headers: { authorization: `Bearer ${bearer}` },
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.cartId, bearerCart.body.cartId);
  assert.deepEqual(lines(res), [[B.id, 4]]);
  // A broken Bearer is refused even beside a good cookie: the header is what the client meant.
  const broken = await cookieClient.request('GET', '/api/cart', {
    headers: { authorization: `Bearer ${bearer}x` },
  });
  assert.equal(broken.status, 401);
});

test('only the credential that was bad is cleared: a bad Bearer keeps a good cookie, a bad cookie is cleared', async (t) => {
  const { url } = await startApp(t);
  const client = createTestClient(url);
  await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 2 } });
  const good = client.jar.get(COOKIE)!;
  for (const bearer of ['Bearer not-a-jwt', `Bearer ${good}x`, 'Bearer']) {
    const res = await client.request('POST', '/api/cart/items', {
      json: { productId: B.id },
      headers: { authorization: bearer },
    });
    assert.equal(res.status, 401, `${bearer}: ${res.text}`);
    assert.equal(res.body.error.code, 'invalid_token');
    assert.deepEqual(res.headers.getSetCookie(), [], `${bearer}: no Set-Cookie`);
  }
  assert.equal(client.jar.get(COOKIE), good, 'the jar still holds the good cookie');
  const kept = await client.request('GET', '/api/cart');
  assert.equal(kept.status, 200);
  assert.equal(kept.body.rev, 1);
  assert.deepEqual(lines(kept), [[A.id, 2]]);

  const bad = await client.request('GET', '/api/cart', { headers: { cookie: `${COOKIE}=${good}x` } });
  assert.equal(bad.status, 401);
  assert.ok(clearsCartCookie(bad.headers.getSetCookie()), `cookie cleared: ${bad.headers.getSetCookie()}`);
});

test('a Bearer client needs no cookie: it follows X-Cart-Token through a whole flow', async (t) => {
  const { url } = await startApp(t);
  const client = createTestClient(url);
  let token = '';
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await client.request(method, path, {
      noCookies: true,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(json === undefined ? {} : { json }),
    });
    assert.equal(res.status, 200, res.text);
    token = res.headers.get('x-cart-token') ?? token;
    return res;
  };
  const first = await call('POST', '/api/cart/items', { productId: A.id });
  await call('POST', '/api/cart/items', { productId: A.id, quantity: 2 });
  const last = await call('GET', '/api/cart');
  assert.equal(last.body.cartId, first.body.cartId);
  assert.equal(last.body.rev, 2);
  assert.deepEqual(lines(last), [[A.id, 3]]);
});

test('a POST replayed with the same old token yields the same cart (nginx may retry it)', async (t) => {
  const { url } = await startApp(t);
  const client = createTestClient(url);
  await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
  const old = client.jar.get(COOKIE)!;
  const replay = () =>
    client.request('POST', '/api/cart/items', {
      json: { productId: B.id, quantity: 2 },
      noCookies: true,
      headers: { cookie: `${COOKIE}=${old}` },
    });
  const first = await replay();
  const second = await replay();
  assert.equal(first.status, 200);
  assert.deepEqual(second.body, first.body);
  assert.equal(second.body.rev, 2);
  assert.deepEqual(lines(second), [
    [A.id, 1],
    [B.id, 2],
  ]);
});

test('two instances with the same secret accept each other’s tokens (round-robin)', async (t) => {
  const one = await startApp(t, { INSTANCE_ID: 'stateless-1' });
  const two = await startApp(t, { INSTANCE_ID: 'stateless-2' });
  const jar = createCookieJar();
  let cartId: string | undefined;
  for (let i = 0; i < 6; i++) {
    // Alternate instances with one jar, as nginx round-robin would.
    const target = i % 2 === 0 ? one : two;
    const res = await createTestClient(target.url).request('POST', '/api/cart/items', {
      json: { productId: A.id },
      headers: jar.header() ? { cookie: jar.header()! } : {},
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-served-by'), target.config.instance);
    jar.store(res.headers.getSetCookie());
    cartId ??= res.body.cartId;
    assert.equal(res.body.cartId, cartId);
    assert.equal(res.body.rev, i + 1);
    assert.deepEqual(lines(res), [[A.id, i + 1]]);
  }
});

test('an instance with another secret refuses its neighbour’s token → 401 invalid_token', async (t) => {
  const one = await startApp(t);
  const other = await startApp(t, {
    INSTANCE_ID: 'stateless-2',
    JWT_SECRET: 'a-different-secret-0123456789abcdef01234',
  });
  const client = createTestClient(one.url);
  await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
  const res = await createTestClient(other.url).request('GET', '/api/cart', {
    headers: { cookie: client.jar.header()! },
  });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'invalid_token');
});

test(`a full cart (${DEFAULT_LIMITS.maxLines} lines of the longest ids, quantity 99) stays under ${MAX_TOKEN_BYTES} bytes`, async (t) => {
  const longest = [...CATALOG].sort((a, b) => b.id.length - a.id.length).slice(0, DEFAULT_LIMITS.maxLines);
  const cart = {
    cartId: newCartId(),
    rev: Number.MAX_SAFE_INTEGER,
    lines: longest.map((p) => ({ productId: p.id, quantity: 99 })),
  };
  const codec = createTokenCodec({ secret: TEST_SECRET, ttlS: 86_400, maxAgeS: 604_800 });
  const token = codec.sign({ cart: toClaim(cart) });
  const cookie = `${COOKIE}=${token}`;
  t.diagnostic(`full-cart cookie: ${Buffer.byteLength(cookie)} bytes`);
  assert.ok(Buffer.byteLength(cookie) < MAX_TOKEN_BYTES, `${Buffer.byteLength(cookie)} bytes`);

  // The same cart built over HTTP is accepted back.
  const { url } = await startApp(t);
  const client = createTestClient(url);
  for (const p of longest) {
    const res = await client.request('POST', '/api/cart/items', { json: { productId: p.id, quantity: 99 } });
    assert.equal(res.status, 200, res.text);
  }
  assert.ok(Buffer.byteLength(client.jar.header()!) < MAX_TOKEN_BYTES);
  const back = await client.request('GET', '/api/cart');
  assert.equal(back.status, 200);
  assert.equal(back.body.items.length, DEFAULT_LIMITS.maxLines);
  assert.equal(back.body.itemCount, 99 * DEFAULT_LIMITS.maxLines);
});
