/**
 * The error catalog, walked entry by entry: each is answered, by every place here that can answer
 * it, exactly as the catalog says. Real nginx in front of real stateful-app and stateless-app.
 *
 * "Identical" means: the same status, the same code, and the message that one catalog entry renders
 * with the parameter the answering place knows. For a fixed message that is the same text everywhere;
 * where the message takes a request detail nginx cannot give (`not_found`'s method and path), nginx
 * answers the entry rendered without it. Places that answer an entry but are not provoked here say
 * why, and where that answer is checked instead.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  addItemSchema,
  CATALOG,
  type CartError,
  DEFAULT_LIMITS,
  ERROR_CATALOG,
  type ErrorEntry,
  type ErrorName,
  errorBody,
  errors,
  parseBody,
  REQUEST_ID_PATTERN,
} from '@statelab/cart-core';
import { createTestClient, type RequestOptions, rawRequest } from '@statelab/cart-core/testing';
import { freePort, pollUntil } from '@statelab/processes';
import { errorJson, LB_ERRORS } from '../src/index.ts';
import { APP_SECRET, type AppProcess, startApp } from './support/app-process.ts';
import { cleanupStack, type RunningNginx, startNginx, uiFolder } from './support/nginx.ts';
import { type Answer, accepts, getVia } from './support/raw-http.ts';
import { startUpstream } from './support/upstreams.ts';

const { cleanup, runAll } = cleanupStack();
after(runAll);

/** The stateful app holds one line per cart, so `cart_full` takes two products. */
const LIMITS = Object.freeze({ ...DEFAULT_LIMITS, maxLines: 1 });
/** `drained` is stopped by its own probe (`draining`); nginx never sends it anything. */
type App = 'stateful' | 'stateless' | 'drained';
const apps = {} as Record<App, AppProcess>;
let nginx: RunningNginx;

before(async () => {
  const limits = { CART_MAX_LINES: String(LIMITS.maxLines) };
  apps.stateful = await startApp(cleanup, 'stateful', 'stateful-1', await freePort(), limits);
  apps.stateless = await startApp(cleanup, 'stateless', 'stateless-1', await freePort());
  apps.drained = await startApp(cleanup, 'stateful', 'stateful-2', await freePort());
  // An instance that dies on every request it receives: a 502 for a POST nginx may not replay.
  const breaks = await startUpstream(cleanup, 'stateful-redis-1', (req) => req.socket.destroy());
  const uiRoot = await uiFolder(cleanup);
  await mkdir(join(uiRoot, 'assets'));
  const dead = { id: 'baseline-1', host: '127.0.0.1', port: await freePort() };
  nginx = await startNginx(cleanup, (listen, prefixDir) => ({
    mode: 'native',
    listen,
    prefixDir,
    variants: [
      { variant: 'stateful', servers: [apps.stateful] },
      { variant: 'stateful-redis', servers: [breaks] },
      { variant: 'stateless', servers: [apps.stateless] },
    ],
    // Nothing listens there: every baseline instance is down.
    baseline: { servers: [dead] },
    uiRoot,
  }));
});

type Target = 'nginx' | App;
type Place = 'nginx' | 'app' | 'lab';

interface Probe {
  /** Who answers: nginx itself, or an app (reached directly or through nginx). */
  by: Target;
  how: string;
  send(): Promise<Answer>;
  /** The catalog error this place must answer, rendered with the parameter it knows. */
  expect: CartError;
}

interface Row {
  probes: Probe[];
  /** Places that answer this entry but are not provoked here: why, and where they are checked. */
  unprovoked?: Partial<Record<Place, string>>;
}

const placeOf = (by: Target): Place => (by === 'nginx' ? 'nginx' : 'app');
const servedBy = (by: Target) => (by === 'nginx' ? 'load-balancer' : apps[by].id);
const urlOf = (to: Target) => (to === 'nginx' ? nginx.baseUrl : `http://127.0.0.1:${apps[to].port}`);
const portOf = (to: Target) => Number(new URL(urlOf(to)).port);

let sentIds = 0;

/** One client's requests in order (one cookie jar), each with its own X-Request-Id; the answer of the last. */
const send =
  (to: Target, ...steps: Array<[method: string, path: string, options?: RequestOptions]>) =>
  async (): Promise<Answer> => {
    const client = createTestClient(urlOf(to));
    let last: Answer | undefined;
    for (const [method, path, options] of steps) {
      const sentId = `probe-${++sentIds}`;
      const headers = { ...options?.headers, 'x-request-id': sentId };
      last = { ...(await client.request(method, path, { ...options, headers })), sentId };
    }
    return last!;
  };
const raw = (to: Target, bytes: string) => () => rawRequest(portOf(to), bytes);
const probe = (by: Target, how: string, sent: () => Promise<Answer>, expect: CartError): Probe => ({
  by,
  how,
  send: sent,
  expect,
});

/** `/readyz` on a keep-alive socket opened before SIGTERM: the stopping instance still answers it. */
async function readyzWhileDraining(): Promise<Answer> {
  const { drained } = apps;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await getVia(agent, drained.port, '/healthz');
    drained.process.signal('SIGTERM');
    // It drains first and then stops listening: a refused connect means /readyz now says draining.
    await pollUntil(async () => !(await accepts(drained.port)), {
      timeoutMs: 15_000,
      onTimeout: () => new Error(`the drain did not start:\n${drained.process.output().slice(-2000)}`),
    });
    return await getVia(agent, drained.port, '/readyz');
  } finally {
    agent.destroy();
  }
}

/** A correctly signed cart token whose `exp` passed a minute ago. */
function expiredToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { iat: now - 120, exp: now - 60, iss: 'statelab', aud: 'statelab-stateless' };
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', APP_SECRET).update(unsigned).digest('base64url')}`;
}

/** What the domain throws for a body: the app must answer exactly that. */
function refusal(body: unknown): CartError {
  try {
    parseBody(addItemSchema(LIMITS), body);
  } catch (err) {
    return err as CartError;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be refused`);
}

const [first, second] = CATALOG.map((p) => p.id);
const big = 'a'.repeat(9000);
const jsonType = { 'content-type': 'application/json' };
const overLimit = { headers: jsonType, body: 'x'.repeat(DEFAULT_LIMITS.maxBodyBytes + 1) };
const add = (productId = first, quantity?: number): [string, string, RequestOptions] => [
  'POST',
  '/api/cart/items',
  { json: { productId, ...(quantity === undefined ? {} : { quantity }) } },
];

const ROWS: Record<ErrorName, Row> = {
  badRequest: {
    probes: [
      probe('nginx', 'a malformed request line', raw('nginx', 'GARBAGE\r\n\r\n'), errors.badRequest()),
      probe(
        'stateful',
        'a malformed request line (Node)',
        raw('stateful', 'GARBAGE\r\n\r\n'),
        errors.badRequest(),
      ),
      probe(
        'stateful',
        'a malformed %-escape in the path (express)',
        send('stateful', ['DELETE', '/api/cart/items/%E0%A4%A']),
        errors.badRequest(),
      ),
    ],
  },
  invalidBody: {
    probes: [
      probe(
        'stateful',
        'a body that is not JSON',
        send('stateful', ['POST', '/api/cart/items', { headers: jsonType, body: '{' }]),
        errors.invalidBody('the body is not valid JSON'),
      ),
    ],
  },
  invalidQuantity: {
    probes: [
      probe(
        'stateful',
        'quantity 100',
        send('stateful', add(first, 100)),
        refusal({ productId: first, quantity: 100 }),
      ),
    ],
  },
  invalidIdempotencyKey: {
    probes: [
      probe(
        'stateless',
        'an Idempotency-Key of 256 characters',
        send('stateless', [
          'POST',
          '/api/cart/items',
          { json: { productId: first }, headers: { 'idempotency-key': 'k'.repeat(256) } },
        ]),
        errors.invalidIdempotencyKey(),
      ),
    ],
  },
  invalidToken: {
    probes: [
      probe(
        'stateless',
        'a Bearer token that is no JWT',
        send('stateless', ['GET', '/api/cart', { headers: { authorization: 'Bearer not-a-jwt' } }]),
        errors.invalidToken('the cart token is not valid; start a new cart'),
      ),
    ],
  },
  tokenExpired: {
    probes: [
      probe(
        'stateless',
        'a signed token past its exp',
        () =>
          send('stateless', [
            'GET',
            '/api/cart',
            { headers: { authorization: `Bearer ${expiredToken()}` } },
          ])(),
        errors.tokenExpired(),
      ),
    ],
  },
  forbidden: {
    probes: [
      probe(
        'nginx',
        'a UI folder without index.html',
        send('nginx', ['GET', '/assets/']),
        errors.forbidden(),
      ),
    ],
    unprovoked: {
      nginx: '/lab/ from a non-loopback peer: these tests have no other address to come from',
      lab: "the control API's loopback guard: lab/test/control-api.test.ts, compose-front.test.ts",
    },
  },
  unknownProduct: {
    probes: [
      probe(
        'stateful',
        'PUT on a product not in the catalog',
        send('stateful', ['PUT', '/api/cart/items/no-such-product', { json: { quantity: 1 } }]),
        errors.unknownProduct('no-such-product'),
      ),
    ],
  },
  notFound: {
    probes: [
      probe('nginx', 'a path outside every prefix', send('nginx', ['GET', '/nope']), errors.notFound()),
      probe(
        'stateful',
        'an unknown route',
        send('stateful', ['GET', '/nope']),
        errors.notFound({ method: 'GET', path: '/nope' }),
      ),
      probe(
        'stateless',
        'an unknown route through nginx (prefix stripped)',
        send('nginx', ['GET', '/stateless/nope']),
        errors.notFound({ method: 'GET', path: '/nope' }),
      ),
    ],
    unprovoked: { lab: 'the control API, the front and the baseline app: lab/test/control-api.test.ts' },
  },
  unknownInstance: { probes: [], unprovoked: { lab: 'lab/test/control-api.test.ts, compose-front.test.ts' } },
  unknownAction: { probes: [], unprovoked: { lab: 'lab/test/control-api.test.ts' } },
  methodNotAllowed: {
    probes: [
      probe('nginx', 'POST on the UI', send('nginx', ['POST', '/']), errors.methodNotAllowed()),
      probe(
        'stateful',
        'PATCH on /api/cart',
        send('stateful', ['PATCH', '/api/cart', { json: {} }]),
        errors.methodNotAllowed(['GET', 'HEAD', 'DELETE']),
      ),
      probe(
        'stateless',
        'OPTIONS on /api/cart/items through nginx',
        send('nginx', ['OPTIONS', '/stateless/api/cart/items']),
        errors.methodNotAllowed(['POST']),
      ),
    ],
  },
  requestTimeout: {
    probes: [],
    // nginx never answers a client that timed out: it closes the connection (errors.test.ts).
    unprovoked: { app: 'Node checks its request timeouts only every 30 s' },
  },
  cartFull: {
    probes: [
      probe(
        'stateful',
        'a second product in a one-line cart',
        send('stateful', add(first), add(second)),
        errors.cartFull(1),
      ),
    ],
  },
  quantityLimit: {
    probes: [
      probe(
        'stateful',
        'one unit more on a full line',
        send('stateful', add(first, LIMITS.maxQuantity), add(first)),
        errors.quantityLimit(LIMITS.maxQuantity),
      ),
    ],
  },
  idempotencyKeyInFlight: {
    probes: [],
    unprovoked: {
      app: 'needs a write held open on one instance (ANSWER_DELAY_MS): lab/test/idempotency.test.ts',
    },
  },
  bodyTooLarge: {
    probes: [
      probe(
        'nginx',
        'a body one byte over the limit',
        send('nginx', ['POST', '/stateless/api/cart/items', overLimit]),
        errors.bodyTooLarge(DEFAULT_LIMITS.maxBodyBytes),
      ),
      probe(
        'stateful',
        'a body one byte over the limit',
        send('stateful', ['POST', '/api/cart/items', overLimit]),
        errors.bodyTooLarge(DEFAULT_LIMITS.maxBodyBytes),
      ),
    ],
  },
  uriTooLong: {
    probes: [
      probe('nginx', 'a URI over 8 KiB', send('nginx', ['GET', `/stateless/${big}`]), errors.uriTooLong()),
    ],
  },
  unsupportedMediaType: {
    probes: [
      probe(
        'stateful',
        'a text/plain body',
        send('stateful', [
          'POST',
          '/api/cart/items',
          { headers: { 'content-type': 'text/plain' }, body: 'x' },
        ]),
        errors.unsupportedMediaType(),
      ),
    ],
  },
  idempotencyKeyReused: {
    probes: [
      probe(
        'stateful',
        'a key sent again with another body',
        send(
          'stateful',
          ['POST', '/api/cart/items', { json: { productId: first }, headers: { 'idempotency-key': 'k-1' } }],
          ['POST', '/api/cart/items', { json: { productId: second }, headers: { 'idempotency-key': 'k-1' } }],
        ),
        errors.idempotencyKeyReused(),
      ),
    ],
  },
  misdirectedRequest: {
    probes: [],
    unprovoked: {
      lab: "a Host other than the lab's own on the control API: lab/test/control-api.test.ts, compose-front.test.ts",
    },
  },
  headersTooLarge: {
    probes: [
      probe(
        'nginx',
        'a header over 8 KiB (nginx 494)',
        send('nginx', ['GET', '/stateless/api/cart', { headers: { 'x-big': big } }]),
        errors.headersTooLarge(),
      ),
      probe(
        'stateful',
        'headers over 16 KiB (Node)',
        raw('stateful', `GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`),
        errors.headersTooLarge(),
      ),
    ],
  },
  internalError: {
    probes: [],
    unprovoked: {
      nginx: 'nothing in this configuration makes nginx fail',
      app: 'an unexpected exception: no request causes one',
      lab: 'an unexpected exception in the control API: no request causes one',
    },
  },
  instanceFailed: { probes: [], unprovoked: { lab: 'a child that will not start: no test provokes it' } },
  notImplemented: {
    probes: [
      probe(
        'nginx',
        'an unknown Transfer-Encoding',
        raw('nginx', 'POST /stateless/api/cart/items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n'),
        errors.notImplemented(),
      ),
    ],
  },
  badGateway: {
    probes: [
      probe(
        'nginx',
        'an instance that drops a POST mid-answer',
        send('nginx', ['POST', '/stateful-redis/api/cart/items', { json: {} }]),
        errors.badGateway(),
      ),
    ],
    unprovoked: { lab: 'the front proxy when the load balancer fails mid-answer: no test provokes it' },
  },
  storeUnavailable: {
    probes: [],
    unprovoked: { app: 'needs Redis down: stateful-app/test/redis.test.ts, store-failures.test.ts' },
  },
  draining: {
    probes: [
      probe(
        'drained',
        '/readyz after SIGTERM, on a socket opened before',
        readyzWhileDraining,
        errors.draining(),
      ),
    ],
    unprovoked: { lab: 'the baseline app while it stops: no test provokes it' },
  },
  noInstance: {
    probes: [
      probe(
        'nginx',
        'every instance of a variant down',
        send('nginx', ['GET', '/baseline/api/cart']),
        errors.noInstance(),
      ),
    ],
  },
  labStopping: { probes: [], unprovoked: { lab: 'a control call while the lab stops: no test provokes it' } },
  targetUnavailable: {
    probes: [],
    unprovoked: { lab: 'nothing at the front target: lab/test/compose-front.test.ts' },
  },
  gatewayTimeout: { probes: [], unprovoked: { nginx: 'proxy_read_timeout is 10 s' } },
  targetTimeout: { probes: [], unprovoked: { lab: 'the front proxy waits 30 s: no test waits that long' } },
  httpVersionNotSupported: {
    probes: [
      probe(
        'nginx',
        'HTTP/2.0 in the request line',
        raw('nginx', 'GET /stateless/api/cart HTTP/2.0\r\nHost: x\r\n\r\n'),
        errors.httpVersionNotSupported(),
      ),
    ],
  },
};

const nginxAnswers = new Map(LB_ERRORS.map((e) => [e.error.code, e]));

describe('the error catalog', () => {
  test('every code is snake_case and unique, and every entry has a row here naming who answers it', () => {
    const codes = Object.values(ERROR_CATALOG).map((e) => e.code);
    for (const code of codes) assert.match(code, /^[a-z]+(_[a-z]+)*$/);
    assert.equal(new Set(codes).size, codes.length);
    assert.deepEqual(Object.keys(ROWS).sort(), Object.keys(ERROR_CATALOG).sort());
    for (const [name, row] of Object.entries(ROWS))
      assert.ok(row.probes.length > 0 || Object.keys(row.unprovoked ?? {}).length > 0, name);
  });

  test("nginx's config answers exactly the codes whose rows name nginx, each with its catalog body", () => {
    for (const [name, row] of Object.entries(ROWS) as Array<[ErrorName, Row]>) {
      const probed = row.probes.find((p) => p.by === 'nginx');
      const named = probed !== undefined || row.unprovoked?.nginx !== undefined;
      const { code, status } = ERROR_CATALOG[name];
      assert.equal(nginxAnswers.has(code), named, `${name}: does nginx answer it?`);
      if (!named) continue;
      // Unprovoked, nginx answers the entry rendered without a parameter, as it has none to give.
      const expected = probed?.expect ?? (errors[name] as () => CartError)();
      const body = JSON.stringify(errorBody(expected));
      assert.equal(errorJson(nginxAnswers.get(code)!), body, code);
      assert.ok(nginx.config.includes(`return ${status} '${body}';`), `${code}: return ${status} '${body}'`);
    }
  });
});

/** Answers to a request too large to read: its X-Request-Id was never read, so the answer has a new one. */
const UNREAD = new Set(['uri_too_long', 'headers_too_large']);

describe('each catalog entry is answered identically wherever it is provoked', () => {
  for (const [name, entry] of Object.entries(ERROR_CATALOG) as Array<[ErrorName, ErrorEntry]>) {
    const row = ROWS[name];
    if (row.probes.length === 0) continue;
    const places = row.probes.map((p) => `${placeOf(p.by)} (${p.how})`).join(', ');
    test(`${entry.status} ${entry.code}: ${places}`, async () => {
      const answers: Answer[] = [];
      for (const p of row.probes) {
        assert.equal(p.expect.code, entry.code, p.how);
        const answer = await p.send();
        const what = `${p.by}, ${p.how}: ${JSON.stringify(answer.body)}`;
        assert.equal(answer.status, entry.status, what);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, what);
        assert.equal(answer.headers.get('x-served-by'), servedBy(p.by), what);
        assert.deepEqual(answer.body, errorBody(p.expect), what);
        // Every answer names its request: the id sent, or (a request that could not be read) a new one.
        const id = answer.headers.get('x-request-id') ?? '';
        if (answer.sentId && !UNREAD.has(entry.code))
          assert.equal(id, answer.sentId, `${what}: X-Request-Id echoed`);
        else assert.match(id, REQUEST_ID_PATTERN, `${what}: an X-Request-Id`);
        for (const [header, value] of Object.entries(p.expect.headers))
          assert.equal(answer.headers.get(header), value, `${what}: ${header}`);
        answers.push(answer);
      }
      // Places given the same parameter (or none) answer the very same body.
      row.probes.forEach((a, i) => {
        row.probes.forEach((b, j) => {
          if (i < j && a.expect.message === b.expect.message)
            assert.deepEqual(answers[j]!.body, answers[i]!.body, `${b.by} (${b.how}) vs ${a.by} (${a.how})`);
        });
      });
    });
  }
});
