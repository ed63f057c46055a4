/**
 * Hostile requests at nginx, in front of real stateful-app (memory and Redis) and stateless-app
 * processes: smuggling, oversized headers, header injection, Host and HTTP-version tricks,
 * absolute-form targets, path traversal and method overrides. Each case runs the shared hostile
 * case runner per variant: nginx's JSON error from the catalog (or the app's own answer), then the
 * victim's cart and the backend process as they were.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOPOLOGY, VARIANTS, type Variant } from '@statelab/cart-core';
import {
  fail,
  type HostileContext,
  type HostileOutcome,
  type HostileRequest,
  hostileCaseName,
  hostileCases,
  rawHead,
  runHostileCase,
  SAME,
  smuggled,
} from '@statelab/cart-core/testing';
import { freePort, type RedisServer, startRedisServer } from '@statelab/processes';
import { APP_SECRET, type AppProcess, startApp } from './support/app-process.ts';
import { cleanupStack, type RunningNginx, startNginx, uiFolder } from './support/nginx.ts';

const { cleanup, runAll } = cleanupStack();
after(runAll);
const apps = {} as Record<Variant, AppProcess>;
let nginx: RunningNginx;

before(async () => {
  const redis: RedisServer = await startRedisServer();
  cleanup(() => redis.close());
  apps.stateful = await startApp(cleanup, 'stateful', 'stateful-1', await freePort());
  apps['stateful-redis'] = await startApp(cleanup, 'stateful', 'stateful-redis-1', await freePort(), {
    VARIANT: 'stateful-redis',
    REDIS_URL: redis.url,
  });
  apps.stateless = await startApp(cleanup, 'stateless', 'stateless-1', await freePort());
  const uiRoot = await uiFolder(cleanup);
  nginx = await startNginx(cleanup, (listen, prefixDir) => ({
    mode: 'native',
    listen,
    prefixDir,
    variants: VARIANTS.map((variant) => ({ variant, servers: [apps[variant]] })),
    uiRoot,
  }));
});

const lb = (status: number, code: string): HostileOutcome => ({ status, code, by: 'load-balancer' });
const cookie = (c: HostileContext) => `Cookie: ${c.cookieName}=${c.credential}`;
const get = (c: HostileContext, target: string, headers: readonly string[] = [], version = '1.1') =>
  rawHead(`GET ${target} HTTP/${version}`, c, [cookie(c), 'Connection: close', ...headers]);
const cart = (c: HostileContext) => `${c.prefix}api/cart`;
const post = (c: HostileContext, headers: readonly string[], body: string) =>
  rawHead(`POST ${c.prefix}api/cart/items HTTP/1.1`, c, [
    cookie(c),
    'Content-Type: application/json',
    'Connection: close',
    ...headers,
  ]) + body;
const chunked = (c: HostileContext, body: string) => post(c, ['Transfer-Encoding: chunked'], body);
const row = (name: string, raw: (c: HostileContext) => string, expect: HostileOutcome): HostileRequest => ({
  name,
  raw,
  expect,
});
const addBody = '{"productId":"mug-sand"}';
const pad = (n: number) => 'a'.repeat(n);
const noInjectedCookie: HostileRequest['check'] = (res) =>
  assert.ok(!res.headers.getSetCookie().some((c) => c.includes('injected')), 'no injected Set-Cookie');

const NGINX_CASES: readonly HostileRequest[] = [
  // Smuggling: nginx refuses ambiguous framing, and re-frames whatever it passes on.
  row(
    'Content-Length and Transfer-Encoding both',
    (c) => post(c, ['Content-Length: 5', 'Transfer-Encoding: chunked'], `0\r\n\r\n${smuggled(c)}`),
    lb(400, 'bad_request'),
  ),
  row(
    'Transfer-Encoding before Content-Length',
    (c) => post(c, ['Transfer-Encoding: chunked', 'Content-Length: 5'], `0\r\n\r\n${smuggled(c)}`),
    lb(400, 'bad_request'),
  ),
  row(
    'two different Content-Length',
    (c) => post(c, [`Content-Length: ${addBody.length}`, 'Content-Length: 0'], addBody + smuggled(c)),
    lb(400, 'bad_request'),
  ),
  row(
    'the same Content-Length twice',
    (c) => post(c, [`Content-Length: ${addBody.length}`, `Content-Length: ${addBody.length}`], addBody),
    lb(400, 'bad_request'),
  ),
  row(
    'a Content-Length with a plus sign',
    (c) => post(c, [`Content-Length: +${addBody.length}`], addBody),
    lb(400, 'bad_request'),
  ),
  row(
    'Transfer-Encoding xchunked',
    (c) => post(c, ['Transfer-Encoding: xchunked'], `0\r\n\r\n${smuggled(c)}`),
    lb(501, 'not_implemented'),
  ),
  row(
    'Transfer-Encoding chunked, then identity',
    (c) => post(c, ['Transfer-Encoding: chunked, identity'], `0\r\n\r\n${smuggled(c)}`),
    lb(501, 'not_implemented'),
  ),
  row(
    'a space before the colon of Transfer-Encoding',
    (c) => post(c, ['Transfer-Encoding : chunked'], `0\r\n\r\n${smuggled(c)}`),
    lb(400, 'bad_request'),
  ),
  row(
    'Transfer_Encoding with an underscore (dropped, so no body)',
    (c) => post(c, ['Transfer_Encoding: chunked'], `0\r\n\r\n${smuggled(c)}`),
    fail(400, 'invalid_body'),
  ),
  row(
    'a chunk size that is not hex',
    (c) => chunked(c, `zz\r\n${addBody}\r\n0\r\n\r\n`),
    lb(400, 'bad_request'),
  ),
  row(
    'a chunk size past 2^64',
    (c) => chunked(c, `1${'0'.repeat(17)}\r\n${addBody}\r\n0\r\n\r\n`),
    lb(400, 'bad_request'),
  ),
  row(
    'a chunk longer than its size',
    (c) => chunked(c, `3\r\n${addBody}\r\n0\r\n\r\n`),
    lb(400, 'bad_request'),
  ),
  row(
    'chunks adding up past 16 KiB',
    (c) => chunked(c, `${`2000\r\n${pad(0x2000)}\r\n`.repeat(3)}0\r\n\r\n`),
    lb(413, 'body_too_large'),
  ),
  row(
    'bare LF line endings (accepted, re-framed upstream)',
    (c) => `GET ${cart(c)} HTTP/1.1\nHost: ${c.host}\n${cookie(c)}\nConnection: close\n\n`,
    SAME,
  ),
  row(
    'a bare CR inside a header',
    (c) => get(c, cart(c), ['X-A: a\rTransfer-Encoding: chunked']),
    lb(400, 'bad_request'),
  ),
  row('a NUL inside a header', (c) => get(c, cart(c), ['X-A: a\u0000b']), lb(400, 'bad_request')),
  row(
    'an obs-fold continuation line',
    (c) => get(c, cart(c), ['X-A: a', ' Transfer-Encoding: chunked']),
    lb(400, 'bad_request'),
  ),
  row(
    'a GET whose body is a request',
    (c) => get(c, cart(c), [`Content-Length: ${smuggled(c).length}`]) + smuggled(c),
    SAME,
  ),
  row('a request pipelined behind Connection: close', (c) => get(c, cart(c)) + smuggled(c), SAME),

  // Sizes past nginx's buffers.
  row(
    'a cookie over 8 KiB',
    (c) => get(c, cart(c), [`Cookie: pad=${pad(9000)}`]),
    lb(431, 'headers_too_large'),
  ),
  row(
    'five headers of 7 KiB',
    (c) =>
      get(
        c,
        cart(c),
        Array.from({ length: 5 }, (_, i) => `X-Pad-${i}: ${pad(7000)}`),
      ),
    lb(431, 'headers_too_large'),
  ),
  row(
    'a header name over 8 KiB',
    (c) => get(c, cart(c), [`X-${pad(9000)}: 1`]),
    lb(431, 'headers_too_large'),
  ),
  row('a request line over 8 KiB', (c) => get(c, `${cart(c)}?x=${pad(9000)}`), lb(414, 'uri_too_long')),
  row(
    'a declared body over 16 KiB',
    (c) => post(c, [`Content-Length: ${16 * 1024 + 1}`], pad(16 * 1024 + 1)),
    lb(413, 'body_too_large'),
  ),

  // Header injection through encoded CRLF, and headers only the server may set.
  {
    ...row(
      'CRLF and Set-Cookie encoded in the path',
      (c) => get(c, `${cart(c)}%0d%0aSet-Cookie:%20injected=1`),
      fail(404, 'not_found'),
    ),
    check: noInjectedCookie,
  },
  {
    ...row(
      'CRLF and Set-Cookie encoded in the query',
      (c) => get(c, `${cart(c)}?x=%0d%0aSet-Cookie:%20injected=1`),
      SAME,
    ),
    check: noInjectedCookie,
  },
  row('X-Served-By sent by the client', (c) => get(c, cart(c), ['X-Served-By: load-balancer']), SAME),

  // Host and version.
  row('HTTP/1.0 without Host', (c) => `GET ${cart(c)} HTTP/1.0\r\n${cookie(c)}\r\n\r\n`, SAME),
  row(
    'HTTP/1.1 without Host',
    (c) => `GET ${cart(c)} HTTP/1.1\r\n${cookie(c)}\r\nConnection: close\r\n\r\n`,
    lb(400, 'bad_request'),
  ),
  row('two Host headers', (c) => get(c, cart(c), ['Host: evil.example']), lb(400, 'bad_request')),
  row(
    'a Host with a path in it',
    (c) => `GET ${cart(c)} HTTP/1.1\r\nHost: evil.example/x\r\n${cookie(c)}\r\n\r\n`,
    lb(400, 'bad_request'),
  ),
  row('an absolute-form target naming another host', (c) => get(c, `http://evil.example${cart(c)}`), SAME),
  row(
    'an asterisk-form target',
    (c) => rawHead('OPTIONS * HTTP/1.1', c, [cookie(c)]),
    lb(400, 'bad_request'),
  ),
  row(
    'CONNECT to the Redis port',
    (c) => rawHead('CONNECT 127.0.0.1:6379 HTTP/1.1', c, [cookie(c)]),
    lb(400, 'bad_request'),
  ),
  row('HTTP/1.2 in the request line (served as 1.1)', (c) => get(c, cart(c), [], '1.2'), SAME),
  row(
    'HTTP/2.0 in the request line',
    (c) => get(c, cart(c), [], '2.0'),
    lb(505, 'http_version_not_supported'),
  ),
  row('HTTP/0.9 in the request line', (c) => get(c, cart(c), [], '0.9'), lb(400, 'bad_request')),
  row(
    'an h2c upgrade (not passed on)',
    (c) => get(c, cart(c), ['Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA']),
    SAME,
  ),
  row(
    'a WebSocket upgrade (not passed on)',
    (c) =>
      get(c, cart(c), [
        'Upgrade: websocket',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
      ]),
    SAME,
  ),

  // Traversal: nginx resolves dot segments, encoded or not, before it picks a location.
  row(
    '../ out of the prefix to /lab/',
    (c) => get(c, `${c.prefix}../lab/api/instances`),
    lb(404, 'not_found'),
  ),
  row(
    '%2e%2e out of the prefix to /lab/',
    (c) => get(c, `${c.prefix}%2e%2e/lab/api/instances`),
    lb(404, 'not_found'),
  ),
  row(
    '..%2f out of the prefix to /lab/',
    (c) => get(c, `${c.prefix}..%2flab/api/instances`),
    lb(404, 'not_found'),
  ),
  row('../ above the root', (c) => get(c, `${c.prefix}../../../etc/passwd`), lb(400, 'bad_request')),
  row(
    'encoded ../ above the root',
    (c) => get(c, `${c.prefix}%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd`),
    lb(400, 'bad_request'),
  ),
  row('backslashes (literal on Linux)', (c) => get(c, `${c.prefix}..\\..\\lab\\api`), fail(404, 'not_found')),
  row('the prefix in upper case', (c) => get(c, `${c.prefix.toUpperCase()}api/cart`), lb(404, 'not_found')),
  row('a NUL encoded in the path', (c) => get(c, `${cart(c)}%00`), lb(400, 'bad_request')),

  // Methods: overrides are ignored; nginx refuses what it never proxies.
  row(
    'X-HTTP-Method-Override: DELETE on a GET',
    (c) => get(c, cart(c), ['X-HTTP-Method-Override: DELETE']),
    SAME,
  ),
  row('?_method=DELETE on a GET', (c) => get(c, `${cart(c)}?_method=DELETE`), SAME),
  row('TRACE', (c) => rawHead(`TRACE ${cart(c)} HTTP/1.1`, c, [cookie(c)]), lb(405, 'method_not_allowed')),
  row(
    'a lower-case method',
    (c) => rawHead(`get ${cart(c)} HTTP/1.1`, c, [cookie(c)]),
    lb(400, 'bad_request'),
  ),
];

/** On one variant only: each waits out nginx's 10 s client timeouts, which close without a byte (docs/contract.md §2). */
const SLOW_VARIANT: Variant = 'stateless';
const SLOW_CASES: readonly HostileRequest[] = [
  {
    ...row(
      'headers that never end (slowloris)',
      (c) => `GET ${cart(c)} HTTP/1.1\r\nHost: ${c.host}\r\n${cookie(c)}\r\nX-Slow: 1\r\n`,
      { status: 0, closed: 'no bytes' },
    ),
    timeoutMs: 15_000,
  },
];

const runOf = (variant: Variant) => ({
  baseUrl: nginx.baseUrl,
  prefix: TOPOLOGY[variant].prefix,
  instance: apps[variant].id,
  cookieName: TOPOLOGY[variant].cookieName,
  secret: APP_SECRET,
});

async function runCase(variant: Variant, request: HostileRequest) {
  await runHostileCase(runOf(variant), request);
  assert.equal(apps[variant].process.exitInfo(), undefined, `${apps[variant].id} is still running`);
}

let ran = 0;
for (const variant of VARIANTS) {
  describe(`hostile requests through nginx to ${variant}`, () => {
    for (const request of NGINX_CASES) {
      test(hostileCaseName(request), async () => {
        ran += 1;
        await runCase(variant, request);
      });
    }
  });
}

describe(`slow clients through nginx to ${SLOW_VARIANT}`, () => {
  for (const request of SLOW_CASES) {
    test(hostileCaseName(request), async () => {
      ran += 1;
      await runCase(SLOW_VARIANT, request);
    });
  }
});

test('at least 120 hostile cases across the three variants and nginx', (t) => {
  const perApp = VARIANTS.map((v) => [v, hostileCases(TOPOLOGY[v].store).length] as const);
  const atApps = perApp.reduce((sum, [, n]) => sum + n, 0);
  const atNginx = NGINX_CASES.length * VARIANTS.length + SLOW_CASES.length;
  t.diagnostic(
    `hostile cases: apps ${atApps} (${perApp.map(([v, n]) => `${v} ${n}`).join(', ')}) + nginx ${atNginx} = ${atApps + atNginx}`,
  );
  assert.equal(ran, atNginx, 'every nginx case ran');
  assert.ok(atApps + atNginx >= 120);
});
