/**
 * Forged credentials, keyed by the store they attack: session cookies (unsigned, wrongly signed,
 * another instance's, fixed by the attacker) and cart tokens (algorithm confusion, tampering, bad
 * claims, key-fetching headers), plus cookie tossing. Each is derived from the victim's own cookie,
 * as an attacker holding one would, and signed with the secret where the attack needs it.
 */
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { routedSessionId } from '../../topology.ts';
import type { TestResponse } from '../test-client.ts';
import { type HostileContext, type HostileRequest, OTHER, SAME } from './types.ts';

const SESSIONS = ['memory-session', 'redis-session'] as const;
const JWT = ['jwt'] as const;
const INVALID_TOKEN = { status: 401, code: 'invalid_token', cookie: 'cleared' } as const;
const BEARER_REFUSED = { status: 401, code: 'invalid_token', cookie: 'untouched' } as const;

/** The session id inside express-session's cookie value `s%3A<id>.<signature>`. */
function sessionIdOf(credential: string): string {
  const value = decodeURIComponent(credential);
  return value.slice(2, value.lastIndexOf('.'));
}
/** express-session's cookie value for `id` (cookie-signature: unpadded base64 HMAC-SHA256). */
export function signedSessionCookie(id: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${id}.${signature}`);
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
const now = () => Math.floor(Date.now() / 1000);
type Signer = (input: string) => string;
const hmac =
  (algorithm: 'sha256' | 'sha512', key: string): Signer =>
  (input) =>
    createHmac(algorithm, key).update(input).digest('base64url');
let attackerKeys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
/** RS256 with a key pair the attacker made (created once, on first use: 2048-bit keys cost time). */
const rs256: Signer = (input) => {
  attackerKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return sign('sha256', Buffer.from(input), attackerKeys.privateKey).toString('base64url');
};
const jws = (header: Record<string, unknown>, claims: unknown, signer: Signer): string => {
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${signer(input)}`;
};
const HS256 = { alg: 'HS256', typ: 'JWT' };

/** A token made from the victim's: its claims changed by `claims`, signed by `signer` under `header`. */
const reissued =
  (
    header: Record<string, unknown>,
    claims: (victim: Record<string, unknown>) => unknown,
    signer: (ctx: HostileContext) => Signer,
  ) =>
  (ctx: HostileContext): string =>
    jws(header, claims(claimsOf(ctx.credential)), signer(ctx));
const withSecret = (ctx: HostileContext) => hmac('sha256', ctx.secret);

type Forge = (ctx: HostileContext) => string;
/** The attacker's own GET with `cookie` as its whole Cookie header. */
const cookieAttack = (
  name: string,
  stores: HostileRequest['stores'],
  cookie: Forge,
  expect: HostileRequest['expect'],
): HostileRequest => ({
  name,
  ...(stores ? { stores } : {}),
  method: 'GET',
  path: '/api/cart',
  attacker: true,
  options: (ctx) => ({ headers: { cookie: cookie(ctx) } }),
  expect,
});
/** `forge` is the identity cookie's value. */
const named =
  (forge: Forge): Forge =>
  (ctx) =>
    `${ctx.cookieName}=${forge(ctx)}`;
const tokenAttack = (name: string, forge: Forge, code = 'invalid_token'): HostileRequest =>
  cookieAttack(name, JWT, named(forge), { ...INVALID_TOKEN, code });
const sessionAttack = (name: string, forge: Forge): HostileRequest =>
  cookieAttack(name, SESSIONS, named(forge), OTHER);
/** The victim's own GET with its cookie header rewritten by `cookie`. */
const victimGet = (name: string, cookie: Forge): HostileRequest => ({
  name,
  method: 'GET',
  path: '/api/cart',
  options: (ctx) => ({ headers: { cookie: cookie(ctx) } }),
  expect: SAME,
});

/** A session cookie carrying the attacker's own id must not become a session under that id. */
function noFixation(res: TestResponse, ctx: HostileContext): void {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${ctx.cookieName}=`));
  if (set?.includes(signedSessionCookie(routedSessionId('fixated-by-attacker', ctx.instance), ctx.secret)))
    throw new Error(`the attacker's chosen session id was adopted: ${set}`);
}

export const FORGED_CREDENTIALS: readonly HostileRequest[] = [
  // Controls: re-signed correctly, the victim's own id and claims are the victim's cart, so the
  // forgeries below fail for what they change, not for how they are made.
  cookieAttack(
    "control: the victim's session id re-signed with the secret",
    SESSIONS,
    named((c) => signedSessionCookie(sessionIdOf(c.credential), c.secret)),
    SAME,
  ),
  cookieAttack(
    "control: the victim's claims re-signed HS256 with the secret",
    JWT,
    named(reissued(HS256, (v) => v, withSecret)),
    SAME,
  ),

  // Session cookies: anything not signed with the secret, or not in the store, is a new cart.
  sessionAttack('the session id unsigned', (c) => encodeURIComponent(sessionIdOf(c.credential))),
  sessionAttack('the session id with "s:" but no signature', (c) =>
    encodeURIComponent(`s:${sessionIdOf(c.credential)}`),
  ),
  sessionAttack('the session id signed with another secret', (c) =>
    signedSessionCookie(sessionIdOf(c.credential), 'not-the-secret-0123456789abcdef0123'),
  ),
  sessionAttack('the session id with a truncated signature', (c) => c.credential.slice(0, -4)),
  sessionAttack("the session id with another id's signature", (c) => {
    const other = signedSessionCookie(routedSessionId('someone-else', c.instance), c.secret);
    return encodeURIComponent(`s:${sessionIdOf(c.credential)}.${decodeURIComponent(other).split('.').pop()}`);
  }),
  sessionAttack("the victim's random part routed to another instance", (c) => {
    const id = sessionIdOf(c.credential);
    return encodeURIComponent(
      `s:${id.slice(0, id.indexOf('.'))}.stateful-9.${decodeURIComponent(c.credential).split('.').pop()}`,
    );
  }),
  sessionAttack("another instance's id, signed with the secret", (c) =>
    signedSessionCookie(routedSessionId('AAAAAAAAAAAAAAAAAAAAAAAA', 'stateful-9'), c.secret),
  ),
  sessionAttack('the value URL-encoded twice', (c) => encodeURIComponent(c.credential)),
  {
    name: "a session id of the attacker's choosing, signed with the secret, on a write (fixation)",
    stores: SESSIONS,
    method: 'POST',
    path: '/api/cart/items',
    attacker: true,
    options: (c) => ({
      json: { productId: 'tee-ink' },
      headers: {
        cookie: `${c.cookieName}=${signedSessionCookie(routedSessionId('fixated-by-attacker', c.instance), c.secret)}`,
      },
    }),
    expect: OTHER,
    check: noFixation,
  },

  // Cart tokens: only HS256 with the secret and valid claims is a cart; anything else is 401.
  tokenAttack(
    'alg none, no signature',
    reissued(
      { alg: 'none', typ: 'JWT' },
      (v) => v,
      () => () => '',
    ),
  ),
  tokenAttack(
    'alg "None", signed with the secret',
    reissued({ alg: 'None', typ: 'JWT' }, (v) => v, withSecret),
  ),
  tokenAttack(
    'HS512 with the secret',
    reissued(
      { alg: 'HS512', typ: 'JWT' },
      (v) => v,
      (c) => hmac('sha512', c.secret),
    ),
  ),
  tokenAttack(
    "RS256 with the attacker's key",
    reissued(
      { alg: 'RS256', typ: 'JWT' },
      (v) => v,
      () => rs256,
    ),
  ),
  tokenAttack(
    'RS256 header over an HMAC with the secret (key confusion)',
    reissued({ alg: 'RS256', typ: 'JWT' }, (v) => v, withSecret),
  ),
  tokenAttack("the victim's token with another payload, its signature kept", (c) => {
    const [header, , signature] = c.credential.split('.');
    return `${header}.${part({ ...claimsOf(c.credential), exp: now() + 86_400 * 365 })}.${signature}`;
  }),
  tokenAttack(
    "the victim's token with its signature stripped",
    (c) => `${c.credential.split('.').slice(0, 2).join('.')}.`,
  ),
  tokenAttack(
    "the victim's claims signed with another secret",
    reissued(
      HS256,
      (v) => v,
      () => hmac('sha256', 'not-the-secret-0123456789abcdef0123'),
    ),
  ),
  tokenAttack(
    'expired a minute ago, signed with the secret',
    reissued(HS256, (v) => ({ ...v, iat: now() - 120, exp: now() - 60 }), withSecret),
    'token_expired',
  ),
  tokenAttack(
    'nbf an hour ahead, signed with the secret',
    reissued(HS256, (v) => ({ ...v, nbf: now() + 3600 }), withSecret),
  ),
  tokenAttack(
    'no exp, signed with the secret',
    reissued(HS256, (v) => ({ ...v, exp: undefined }), withSecret),
  ),
  tokenAttack(
    '5 KB of padding, signed with the secret',
    reissued(HS256, (v) => ({ ...v, pad: 'x'.repeat(5000) }), withSecret),
  ),
  tokenAttack(
    'kid pointing at /dev/null, HMAC with an empty key',
    reissued(
      { ...HS256, kid: '../../../../../../dev/null' },
      (v) => v,
      () => hmac('sha256', ''),
    ),
  ),
  tokenAttack(
    "jku naming the attacker's key set, RS256",
    reissued(
      { alg: 'RS256', typ: 'JWT', jku: 'http://127.0.0.1:9/jwks.json', kid: 'attacker' },
      (v) => v,
      () => rs256,
    ),
  ),
  tokenAttack(
    "x5u naming the attacker's certificate, RS256",
    reissued(
      { alg: 'RS256', typ: 'JWT', x5u: 'http://127.0.0.1:9/cert.pem' },
      (v) => v,
      () => rs256,
    ),
  ),
  tokenAttack("the attacker's public key embedded as jwk, RS256", (c) => {
    attackerKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return reissued(
      { alg: 'RS256', typ: 'JWT', jwk: attackerKeys.publicKey.export({ format: 'jwk' }) },
      (v) => v,
      () => rs256,
    )(c);
  }),
  tokenAttack(
    'a header that is not JSON',
    (c) => `bm90IGpzb24.${c.credential.split('.').slice(1).join('.')}`,
  ),
  tokenAttack('five parts, shaped like a JWE', (c) => `${c.credential}.AAAA.BBBB`),
  // RFC 7515 §4.1.11: an extension the server does not understand named in `crit` is refused.
  tokenAttack(
    'the victim\'s claims under a header with an unknown "crit" extension, signed with the secret',
    reissued({ ...HS256, crit: ['x-statelab-unknown'], 'x-statelab-unknown': true }, (v) => v, withSecret),
  ),

  // A bad Bearer token is refused and clears nothing: the cookie beside it was not read.
  {
    name: "a bad Bearer token beside the victim's valid cookie",
    stores: JWT,
    method: 'GET',
    path: '/api/cart',
    options: { headers: { authorization: 'Bearer not-a-jwt' } },
    expect: BEARER_REFUSED,
  },
  {
    name: 'an alg none Bearer token and no cookie',
    stores: JWT,
    method: 'GET',
    path: '/api/cart',
    attacker: true,
    options: (c) => ({
      headers: {
        authorization: `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${c.credential.split('.')[1]}.`,
      },
    }),
    expect: BEARER_REFUSED,
  },

  // The same cookie name twice, or spelt otherwise: only the first exact name counts.
  cookieAttack(
    "a forged cookie of the same name before the victim's (tossing)",
    SESSIONS,
    (c) => `${c.cookieName}=s%3Aforged.x; ${c.cookieName}=${c.credential}`,
    OTHER,
  ),
  cookieAttack(
    "a forged cookie of the same name before the victim's (tossing)",
    JWT,
    (c) => `${c.cookieName}=forged.x.y; ${c.cookieName}=${c.credential}`,
    INVALID_TOKEN,
  ),
  victimGet(
    "the victim's cookie before a forged one of the same name (tossing)",
    (c) => `${c.cookieName}=${c.credential}; ${c.cookieName}=forged`,
  ),
  cookieAttack(
    'the cookie name in upper case',
    undefined,
    (c) => `${c.cookieName.toUpperCase()}=${c.credential}`,
    OTHER,
  ),
  cookieAttack(
    'the identity cookie empty',
    undefined,
    named(() => ''),
    OTHER,
  ),
  victimGet(
    'RFC 2109 $Version and $Path around the cookie',
    (c) => `$Version=1; ${c.cookieName}=${c.credential}; $Path=/`,
  ),
  victimGet(
    'Path and Domain attributes sent inside the Cookie header',
    (c) => `${c.cookieName}=${c.credential}; Path=/; Domain=evil.example`,
  ),
  victimGet(
    'the identity cookie after 200 other cookies',
    (c) =>
      `${Array.from({ length: 200 }, (_, i) => `c${i}=${i}`).join('; ')}; ${c.cookieName}=${c.credential}`,
  ),
  sessionAttack('8 KB of garbage as the value', () => 'x'.repeat(8192)),
  tokenAttack('8 KB of garbage as the value', () => 'x'.repeat(8192)),
  {
    name: 'Authorization: Bearer on a session variant (ignored)',
    stores: SESSIONS,
    method: 'GET',
    path: '/api/cart',
    options: { headers: { authorization: 'Bearer not-a-jwt' } },
    expect: SAME,
  },
];
