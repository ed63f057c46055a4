import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { TOPOLOGY } from '@statelab/cart-core';
import { createTestClient, rawExchange, type TestResponse } from '@statelab/cart-core/testing';
import { freePort } from '@statelab/processes';
import { cleanupStack, type RunningNginx, startNginx, uiFolder } from './support/nginx.ts';
import { stalledExchange } from './support/raw-http.ts';
import { echo, type Handler, startUpstream, type Upstream } from './support/upstreams.ts';

const { cleanup, runAll } = cleanupStack();
after(runAll);
let nginx: RunningNginx;
/** Which instance received a request it then broke off mid-answer. */
const broken: string[] = [];

/** Answers like `echo`, but drops the connection on /api/break (an instance dying mid-request). */
function breaksOnRequest(id: string): Handler {
  return (req, res, body) => {
    if (req.url?.startsWith('/api/break')) {
      broken.push(id);
      req.socket.destroy();
      return;
    }
    if (req.url === '/api/own-error') {
      res.writeHead(409, { 'Content-Type': 'application/json', 'X-Served-By': id });
      res.end('{"error":{"code":"cart_full","message":"from the app"}}');
      return;
    }
    echo(id)(req, res, body);
  };
}

const pair = async (variant: string): Promise<Upstream[]> => [
  await startUpstream(cleanup, `${variant}-1`, breaksOnRequest(`${variant}-1`)),
  await startUpstream(cleanup, `${variant}-2`),
];

before(async () => {
  const stateful = await pair('stateful');
  const statefulRedis = await pair('stateful-redis');
  const stateless = await pair('stateless');
  // Nothing listens on these: every baseline instance is down.
  const dead = [
    { id: 'baseline-1', host: '127.0.0.1', port: await freePort() },
    { id: 'baseline-2', host: '127.0.0.1', port: await freePort() },
  ];
  const uiRoot = await uiFolder(cleanup);
  nginx = await startNginx(cleanup, (listen, prefixDir) => ({
    mode: 'native',
    listen,
    prefixDir,
    variants: [
      { variant: 'stateful', servers: stateful },
      { variant: 'stateful-redis', servers: statefulRedis },
      { variant: 'stateless', servers: stateless },
    ],
    baseline: { servers: dead },
    uiRoot,
  }));
});

function assertLbError(res: TestResponse, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.headers.get('x-served-by'), 'load-balancer');
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.doesNotMatch(res.text, /<html|nginx\//i);
}

describe("nginx's own errors are JSON { error: { code, message } } from X-Served-By: load-balancer", () => {
  const big = 'a'.repeat(9000);
  const cases: Array<{
    name: string;
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    status: number;
    code: string;
  }> = [
    {
      name: 'GET outside every prefix → 404 not_found',
      method: 'GET',
      path: '/nope',
      status: 404,
      code: 'not_found',
    },
    {
      name: 'POST on the UI → 405 method_not_allowed',
      method: 'POST',
      path: '/',
      status: 405,
      code: 'method_not_allowed',
    },
    {
      name: 'a body over 16 KiB → 413 body_too_large, never reaching an app',
      method: 'POST',
      path: '/stateless/api/cart/items',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(16 * 1024 + 1),
      status: 413,
      code: 'body_too_large',
    },
    {
      name: 'a header over 8 KiB → 431 headers_too_large (nginx 494), as the apps answer it',
      method: 'GET',
      path: '/stateless/api/cart',
      headers: { 'x-big': big },
      status: 431,
      code: 'headers_too_large',
    },
    {
      name: 'a URI over 8 KiB → 414 uri_too_long',
      method: 'GET',
      path: `/stateless/${big}`,
      status: 414,
      code: 'uri_too_long',
    },
    {
      name: 'every instance of a variant down → 503 no_instance',
      method: 'GET',
      path: '/baseline/api/cart',
      status: 503,
      code: 'no_instance',
    },
    {
      name: 'still 503 no_instance once nginx has marked them all down',
      method: 'GET',
      path: '/baseline/api/cart',
      status: 503,
      code: 'no_instance',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const res = await createTestClient(nginx.baseUrl).request(c.method, c.path, {
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.body !== undefined ? { body: c.body } : {}),
      });
      assertLbError(res, c.status, c.code);
    });
  }

  test('no instance reachable also says when to retry (Retry-After: 1)', async () => {
    const res = await fetch(`${nginx.baseUrl}/baseline/api/cart`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
  });

  test('a body of exactly 16 KiB is passed through', async () => {
    const body = 'x'.repeat(16 * 1024);
    const res = await createTestClient(nginx.baseUrl).request('POST', '/stateless/api/echo', { body });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.body.length, body.length);
  });

  test('a malformed request line → 400 bad_request JSON (not 500)', async () => {
    const answer = await rawExchange(Number(new URL(nginx.baseUrl).port), 'GARBAGE\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 400 /);
    assert.match(head, /\r\nContent-Type: application\/json/i);
    assert.match(head, /\r\nX-Served-By: load-balancer/i);
    assert.equal(JSON.parse(body).error.code, 'bad_request');
  });

  test("an app's own error answer passes through untouched", async () => {
    // stateful-redis-2 answers plain echo; -1 answers 409 itself: try until -1 has answered.
    const res = await createTestClient(nginx.baseUrl).request('GET', '/stateful-redis/api/own-error');
    const again = await createTestClient(nginx.baseUrl).request('GET', '/stateful-redis/api/own-error');
    const own = [res, again].find((r) => r.status === 409);
    assert.ok(own, 'round-robin sends one of two requests to stateful-redis-1');
    assert.equal(own.headers.get('x-served-by'), 'stateful-redis-1');
    assert.deepEqual(own.body, { error: { code: 'cart_full', message: 'from the app' } });
  });
});

describe('slow clients', () => {
  const post = (framing: string) =>
    `POST /stateless/api/cart/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n`;
  const stalls = {
    'in the request line': 'GET /stateless/api/cart HT',
    'in the headers': 'GET /stateless/api/cart HTTP/1.1\r\nHost: x\r\n',
    'in a Content-Length body': `${post('Content-Length: 40\r\n')}{"productId":`,
    'in a chunked body': `${post('Transfer-Encoding: chunked\r\n')}5\r\n{"pro\r\n`,
  };

  // client_header_timeout and client_body_timeout are 10 s; all four stall at once, so one wait.
  test('a client that stalls for 10 s is disconnected without a byte: nginx never sends its 408', async () => {
    const port = Number(new URL(nginx.baseUrl).port);
    const results = await Promise.all(
      Object.entries(stalls).map(async ([where, bytes]) => ({
        where,
        ...(await stalledExchange(port, bytes, 20_000)),
      })),
    );
    for (const { where, data, ms } of results) {
      assert.equal(data, '', `stalled ${where}: nginx wrote ${JSON.stringify(data.slice(0, 200))}`);
      assert.ok(ms >= 9_500, `stalled ${where}: closed after ${ms} ms, before the 10 s timeout`);
    }
  });
});

describe('retries when an instance breaks mid-request', () => {
  test('stateless: a POST already sent is retried on another instance (same token, same cart)', async () => {
    broken.length = 0;
    const client = createTestClient(nginx.baseUrl);
    const answers = [];
    for (let i = 0; i < 2; i++)
      answers.push(await client.request('POST', '/stateless/api/break', { json: {} }));
    assert.deepEqual(
      answers.map((r) => [r.status, r.headers.get('x-served-by')]),
      [
        [200, 'stateless-2'],
        [200, 'stateless-2'],
      ],
    );
    assert.deepEqual(broken, ['stateless-1'], 'one of the two POSTs reached stateless-1 first');
  });

  test('stateful-redis: a POST already sent is never replayed (it could add twice) → 502 bad_gateway', async () => {
    broken.length = 0;
    const client = createTestClient(nginx.baseUrl);
    const answers: TestResponse[] = [];
    for (let i = 0; i < 2; i++)
      answers.push(await client.request('POST', '/stateful-redis/api/break', { json: {} }));
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 502]);
    assertLbError(answers.find((r) => r.status === 502)!, 502, 'bad_gateway');
    assert.deepEqual(broken, ['stateful-redis-1']);
  });

  for (const [variant, other] of [
    ['stateful-redis', 'stateful-redis-2'],
    ['stateful', 'stateful-2'],
  ] as const) {
    test(`${variant}: a POST already sent with an Idempotency-Key is retried on another instance`, async () => {
      broken.length = 0;
      const client = createTestClient(nginx.baseUrl);
      const answers: TestResponse[] = [];
      // Until one reaches the breaking instance: an earlier 502 may have sidelined it (fail_timeout 5 s).
      const deadline = Date.now() + 8_000;
      for (let i = 0; broken.length === 0 && Date.now() < deadline; i++) {
        answers.push(
          await client.request('POST', `/${variant}/api/break`, {
            json: {},
            noCookies: true,
            headers: { 'idempotency-key': `retry-${i}` },
          }),
        );
        if (broken.length === 0) await setTimeout(100);
      }
      assert.equal(broken.length, 1, 'a keyed POST reached the breaking instance');
      assert.deepEqual(
        new Set(answers.map((r) => `${r.status} ${r.headers.get('x-served-by')}`)),
        new Set([`200 ${other}`]),
      );
    });
  }

  test('the keyed twin location is internal: a client asking for it gets the JSON 404', async () => {
    const res = await createTestClient(nginx.baseUrl).request('GET', '/_keyed/stateful-redis/api/cart');
    assertLbError(res, 404, 'not_found');
  });

  test(`stateful: a GET that breaks mid-answer is retried on another instance (${TOPOLOGY.stateful.prefix})`, async () => {
    broken.length = 0;
    const client = createTestClient(nginx.baseUrl);
    const answers: TestResponse[] = [];
    for (let i = 0; i < 2; i++)
      answers.push(await client.request('GET', '/stateful/api/break', { noCookies: true }));
    assert.deepEqual(
      answers.map((r) => [r.status, r.headers.get('x-served-by')]),
      [
        [200, 'stateful-2'],
        [200, 'stateful-2'],
      ],
    );
    assert.deepEqual(broken, ['stateful-1']);
  });
});
