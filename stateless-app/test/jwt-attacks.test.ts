/**
 * Every forged, stale or malformed token is a 401 with the right code and a Bearer challenge; a bad
 * cookie is cleared, a bad Bearer clears nothing. It never reaches a cart and never costs the
 * process. Run against `main.ts`.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { createTestClient } from '@statelab/cart-core/testing';
import type { RunningNodeMain } from '@statelab/processes';
import jwt from 'jsonwebtoken';
import { secretKey, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/token.ts';
import { COOKIE, clearsCartCookie, spawnMain, TEST_SECRET } from './helpers.ts';

const MAX_AGE_S = 3600;
const KEY = secretKey(TEST_SECRET);
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const goodCart = { id: 'c_AAAAAAAAAAAAAAAAAAAAAA', rev: 1, lines: [['mug-ink', 2]] };
const claims = (extra: Record<string, unknown> = {}) => ({
  cart: goodCart,
  iss: TOKEN_ISSUER,
  aud: TOKEN_AUDIENCE,
  iat: now(),
  exp: now() + 600,
  ...extra,
});
/** A token assembled by hand, signed (or not) however the attacker likes. */
function handmade(header: Record<string, unknown>, payload: unknown, sign: (input: string) => string) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}
const hs256 = (key: string | Buffer) => (input: string) =>
  createHmac('sha256', key).update(input).digest('base64url');
/** HS256 with the real secret, by hand (jsonwebtoken refuses to sign some of these), so only the claims are wrong. */
const signed = (payload: Record<string, unknown>) =>
  handmade({ alg: 'HS256', typ: 'JWT' }, payload, hs256(TEST_SECRET));

function tamperedPayload(): string {
  const [header, , signature] = signed(claims()).split('.');
  return `${header}.${b64(claims({ cart: { ...goodCart, lines: [['mug-ink', 99]] } }))}.${signature}`;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const ATTACKS: ReadonlyArray<{ name: string; token: () => string; code: string }> = [
  { name: 'tampered payload, original signature', token: tamperedPayload, code: 'invalid_token' },
  {
    name: 'signed with another secret',
    token: () => jwt.sign(claims(), secretKey('another-secret-0123456789abcdef0123456789')),
    code: 'invalid_token',
  },
  {
    name: 'alg none, no signature',
    token: () => handmade({ alg: 'none', typ: 'JWT' }, claims(), () => ''),
    code: 'invalid_token',
  },
  {
    name: 'alg none with a signature',
    token: () => handmade({ alg: 'none', typ: 'JWT' }, claims(), hs256(TEST_SECRET)),
    code: 'invalid_token',
  },
  {
    name: 'HS512 with the right secret',
    token: () => jwt.sign(claims(), KEY, { algorithm: 'HS512' }),
    code: 'invalid_token',
  },
  {
    name: 'RS256 signed with an RSA key',
    token: () => jwt.sign(claims(), privateKey, { algorithm: 'RS256' }),
    code: 'invalid_token',
  },
  {
    name: 'RS256 header over an HMAC of the secret (key confusion)',
    token: () => handmade({ alg: 'RS256', typ: 'JWT' }, claims(), hs256(TEST_SECRET)),
    code: 'invalid_token',
  },
  {
    name: 'expired',
    token: () => signed(claims({ iat: now() - 120, exp: now() - 60 })),
    code: 'token_expired',
  },
  { name: 'no exp', token: () => signed(claims({ exp: undefined })), code: 'invalid_token' },
  {
    name: 'exp as a string',
    token: () => signed(claims({ exp: String(now() + 600) })),
    code: 'invalid_token',
  },
  { name: 'no iat', token: () => signed(claims({ iat: undefined })), code: 'invalid_token' },
  {
    name: 'iat older than TOKEN_MAX_AGE_S',
    token: () => signed(claims({ iat: now() - MAX_AGE_S - 60 })),
    code: 'token_expired',
  },
  {
    name: 'iat in the future',
    token: () => signed(claims({ iat: now() + 3600, exp: now() + 7200 })),
    code: 'invalid_token',
  },
  { name: 'wrong issuer', token: () => signed(claims({ iss: 'someone-else' })), code: 'invalid_token' },
  {
    name: 'wrong audience',
    token: () => signed(claims({ aud: 'statelab-stateful' })),
    code: 'invalid_token',
  },
  { name: 'malformed: not a JWT', token: () => 'not-a-jwt', code: 'invalid_token' },
  { name: 'malformed: three garbage parts', token: () => 'abc.def.ghi', code: 'invalid_token' },
  {
    name: 'malformed: payload not JSON',
    token: () => `${b64({ alg: 'HS256' })}.bm90IGpzb24.${'A'.repeat(43)}`,
    code: 'invalid_token',
  },
  {
    name: 'oversized (over 4096 bytes), validly signed',
    token: () => signed(claims({ pad: 'x'.repeat(5000) })),
    code: 'invalid_token',
  },
  { name: 'no cart claim', token: () => signed(claims({ cart: undefined })), code: 'invalid_token' },
  {
    name: 'cart claim not an object',
    token: () => signed(claims({ cart: 'everything' })),
    code: 'invalid_token',
  },
  {
    name: 'cart with a quantity over the limit',
    token: () => signed(claims({ cart: { ...goodCart, lines: [['mug-ink', 1000]] } })),
    code: 'invalid_token',
  },
  {
    name: 'cart with a price field',
    token: () => signed(claims({ cart: { ...goodCart, lines: [['mug-ink', 1, 1]] } })),
    code: 'invalid_token',
  },
  {
    name: 'cart with an extra key',
    token: () => signed(claims({ cart: { ...goodCart, priceCents: 1 } })),
    code: 'invalid_token',
  },
  {
    name: 'cart with a repeated line',
    token: () =>
      signed(
        claims({
          cart: {
            ...goodCart,
            lines: [
              ['mug-ink', 99],
              ['mug-ink', 99],
            ],
          },
        }),
      ),
    code: 'invalid_token',
  },
  {
    name: 'crit naming a registered claim (RFC 7515 §4.1.11: no extension is understood)',
    token: () => handmade({ alg: 'HS256', typ: 'JWT', crit: ['exp'] }, claims(), hs256(TEST_SECRET)),
    code: 'invalid_token',
  },
  {
    name: 'crit naming an unknown extension it carries',
    token: () =>
      handmade(
        { alg: 'HS256', typ: 'JWT', crit: ['https://example.com/ext'], 'https://example.com/ext': true },
        claims(),
        hs256(TEST_SECRET),
      ),
    code: 'invalid_token',
  },
  {
    name: 'crit empty (RFC 7515: must not be empty)',
    token: () => handmade({ alg: 'HS256', typ: 'JWT', crit: [] }, claims(), hs256(TEST_SECRET)),
    code: 'invalid_token',
  },
  {
    name: 'cart with a bad cartId',
    token: () => signed(claims({ cart: { ...goodCart, id: 'sess-1' } })),
    code: 'invalid_token',
  },
];

/** A bad cookie is cleared (the client would send it forever); a bad Bearer leaves cookies alone. */
async function assertRejected(
  app: RunningNodeMain,
  headers: Record<string, string>,
  code: string,
  cookieCleared: boolean,
): Promise<void> {
  const client = createTestClient(app.url);
  for (const [method, path, json] of [
    ['GET', '/api/cart', undefined],
    ['POST', '/api/cart/items', { productId: 'tee-ink' }],
  ] as const) {
    const res = await client.request(method, path, { headers, noCookies: true, ...(json ? { json } : {}) });
    assert.equal(res.status, 401, `${method} ${path}: ${res.text}`);
    assert.equal(res.body?.error?.code, code, res.text);
    assert.equal(typeof res.body.error.message, 'string');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /);
    if (cookieCleared) {
      assert.ok(
        clearsCartCookie(res.headers.getSetCookie()),
        `cookie not cleared: ${res.headers.getSetCookie()}`,
      );
    } else assert.deepEqual(res.headers.getSetCookie(), [], 'a bad Bearer sets no cookie');
    assert.equal(res.headers.get('x-cart-token'), null, 'a rejected request must not be issued a token');
    assert.equal(res.headers.get('x-served-by'), 'stateless-1');
  }
  const health = await client.request('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.equal(app.process.exitInfo(), undefined, 'the process is still up');
}

test('forged, stale and malformed tokens → 401 invalid_token|token_expired, Bearer challenge; a bad cookie is cleared, a bad Bearer is not', async (t) => {
  const app = await spawnMain(t, { TOKEN_MAX_AGE_S: String(MAX_AGE_S), TOKEN_TTL_S: '600' });
  assert.ok(ATTACKS.length >= 12);
  for (const attack of ATTACKS) {
    const token = attack.token();
    await t.test(`cookie: ${attack.name} → 401 ${attack.code}, cookie cleared`, () =>
      assertRejected(app, { cookie: `${COOKIE}=${token}` }, attack.code, true),
    );
    await t.test(`Bearer: ${attack.name} → 401 ${attack.code}, no cookie touched`, () =>
      assertRejected(app, { authorization: `Bearer ${token}` }, attack.code, false),
    );
  }
  await t.test('Bearer with no token → 401 invalid_token, no cookie touched', () =>
    assertRejected(app, { authorization: 'Bearer' }, 'invalid_token', false),
  );
  assert.doesNotMatch(app.process.output('stdout'), /"level":50/, 'no request was logged as an error');
});

test('control: the same claims signed correctly are accepted by the same process', async (t) => {
  const app = await spawnMain(t, { TOKEN_MAX_AGE_S: String(MAX_AGE_S), TOKEN_TTL_S: '600' });
  const withHeader = (extra: Record<string, unknown>) =>
    handmade({ alg: 'HS256', typ: 'JWT', ...extra }, claims(), hs256(TEST_SECRET));
  // A header parameter outside `crit` may be ignored (RFC 7515 §4): only `crit` is refused.
  for (const token of [
    signed(claims()),
    jwt.sign(claims(), KEY, { algorithm: 'HS256' }),
    withHeader({ kid: 'k1', 'https://example.com/ext': true }),
  ]) {
    const res = await createTestClient(app.url).request('GET', '/api/cart', {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.cartId, goodCart.id);
    assert.deepEqual(
      res.body.items.map((i: { productId: string; quantity: number }) => [i.productId, i.quantity]),
      goodCart.lines,
    );
  }
});
