/**
 * The compose front (`npm run lab -- --runtime compose`) without a Docker engine: its target is a
 * real native lab (nginx, redis-server, apps), and the native lab's runtime stands in for the compose
 * one through the same Runtime interface. `connectLab()` gets a runner that records each
 * `docker compose` command line: the engine is the one boundary faked.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { errors } from '@statelab/cart-core';
import { createCookieJar } from '@statelab/cart-core/dev';
import { UI_SECURITY_HEADERS } from '@statelab/load-balancer';
import { freePort, pollUntil, waitForLine } from '@statelab/processes';
import {
  connectLab,
  type FrontHandle,
  type LabHandle,
  processHost,
  startFront,
  startLab,
} from '../src/index.ts';
import { controlHeader, guardCases, sendCase } from './support/control-guard.ts';
import { runLab } from './support/processes.ts';
import { type UiFolder, uiFolder } from './support/ui-folder.ts';

/** SIGKILL after this, if SIGTERM has not stopped `npm run lab`. */
const STOP_TIMEOUT_MS = 15_000;
let lab: LabHandle;
let front: FrontHandle;
let ui: UiFolder;

before(async () => {
  ui = await uiFolder();
  lab = await startLab(
    {
      port: 0,
      instances: 1,
      appEnv: { SHUTDOWN_IDLE_GRACE_MS: '500', LOG_LEVEL: 'warn' },
    },
    processHost(),
  );
  front = await startFront({ port: 0, target: lab.baseUrl, runtime: lab.runtime, uiRoot: ui.dir });
});
after(async () => {
  await front?.close();
  await lab?.close();
  await ui?.remove();
});

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on whatever JSON came back.
  body: any;
  headers: Headers;
}

async function call(base: string, method: string, path: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
    ...init,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (the UI page): the text itself.
  }
  return { status: res.status, body, headers: res.headers };
}

/** `message`: the catalog's, when the test knows its parameter. */
function assertJsonError(reply: Reply, status: number, code: string, message?: string) {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(reply.body), ['error']);
  assert.equal(reply.body.error.code, code);
  assert.equal(typeof reply.body.error.message, 'string');
  if (message !== undefined) assert.equal(reply.body.error.message, message);
}

const notFound = (path: string) => errors.notFound({ method: 'GET', path }).message;

/** A shopper of one variant through some base URL, keeping its cookies. */
function shopper(base: string, prefix: string) {
  const jar = createCookieJar();
  return async (method: string, path: string, json?: unknown) => {
    const headers: Record<string, string> = {};
    const cookie = jar.header();
    if (cookie) headers.cookie = cookie;
    if (json !== undefined) headers['content-type'] = 'application/json';
    const body = json === undefined ? undefined : JSON.stringify(json);
    const reply = await call(base, method, `${prefix}${path}`, { headers, ...(body ? { body } : {}) });
    jar.store(reply.headers.getSetCookie());
    return reply;
  };
}

const firstProductId = async (base: string) =>
  (await call(base, 'GET', '/stateful/api/products')).body.products[0].id;

describe('the front serves the UI and proxies the variants', () => {
  test('GET / answers the built UI page and its script; an unknown path is a JSON 404', async () => {
    const page = await call(front.url, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.body, /<script[^>]+app\.js/);
    const script = await call(front.url, 'GET', '/app.js');
    assert.equal(script.status, 200);
    assertJsonError(
      await call(front.url, 'GET', '/nothing-here'),
      404,
      'not_found',
      notFound('/nothing-here'),
    );
  });

  test('the page and its files carry the UI security headers; the JSON 404 carries nosniff', async () => {
    for (const path of ['/', '/app.js']) {
      const reply = await call(front.url, 'GET', path);
      assert.equal(reply.status, 200);
      for (const [name, value] of Object.entries(UI_SECURITY_HEADERS))
        assert.equal(reply.headers.get(name), value, `${path}: ${name}`);
    }
    const map = await call(front.url, 'GET', '/app.js.map');
    assertJsonError(map, 404, 'not_found', notFound('/app.js.map'));
    assert.equal(map.headers.get('x-content-type-options'), 'nosniff');
  });

  test('a stateful cart flow through the front keeps its cookie (scoped to /stateful/ by the target) and its cartId', async () => {
    const go = shopper(front.url, '/stateful/');
    const productId = await firstProductId(front.url);
    const first = await go('POST', 'api/cart/items', { productId, quantity: 2 });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const [setCookie] = first.headers.getSetCookie();
    assert.match(
      setCookie ?? '',
      /^statelab_sf_sid=s%3A[^;]+\.stateful-1\.[^;]+;.*Path=\/stateful\/.*HttpOnly/i,
    );
    assert.equal(first.headers.get('x-served-by'), 'stateful-1');
    const second = await go('POST', 'api/cart/items', { productId });
    const seen = await go('GET', 'api/cart');
    assert.equal(second.body.cartId, first.body.cartId);
    assert.equal(seen.body.cartId, first.body.cartId);
    assert.equal(seen.body.rev, 2);
    assert.equal(seen.body.items[0].quantity, 3);
  });

  test('stateless through the front: the token cookie and X-Cart-Token pass through, and the cart travels with them', async () => {
    const go = shopper(front.url, '/stateless/');
    const productId = await firstProductId(front.url);
    const added = await go('POST', 'api/cart/items', { productId });
    assert.equal(added.status, 200);
    const token = added.headers.get('x-cart-token');
    assert.ok(token, 'X-Cart-Token');
    assert.ok(added.headers.getSetCookie().some((c) => c.startsWith(`statelab_sl_cart=${token};`)));
    const bearer = await call(front.url, 'GET', '/stateless/api/cart', {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(bearer.body.cartId, added.body.cartId);
    assert.equal(bearer.body.itemCount, 1);
  });

  test("a bad body through the front gets the app's JSON error unchanged", async () => {
    const go = shopper(front.url, '/stateless/');
    const reply = await go('POST', 'api/cart/items', { productId: 'nope', quantity: 1, extra: true });
    assertJsonError(reply, 400, 'invalid_body');
    assert.equal(reply.headers.get('x-served-by'), 'stateless-1');
  });
});

describe('the proxy itself, against a plain HTTP server as its target', () => {
  let upstream: http.Server;
  let proxyFront: FrontHandle;
  let seen: http.IncomingHttpHeaders = {};
  let seenUrl = '';

  before(async () => {
    upstream = http.createServer((req, res) => {
      seen = req.headers;
      seenUrl = req.url ?? '';
      res.writeHead(207, 'Partly There', [
        'Set-Cookie',
        'a=1; Path=/x',
        'Set-Cookie',
        'b=2; HttpOnly',
        'X-Own',
        'kept',
      ]);
      res.flushHeaders();
      req.on('data', (chunk: Buffer) => res.write(chunk));
      req.on('end', () => res.end('|end'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as { port: number };
    proxyFront = await startFront({
      port: 0,
      target: `http://127.0.0.1:${port}`,
      runtime: lab.runtime,
      uiRoot: ui.dir,
    });
  });
  after(async () => {
    await proxyFront?.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  test('bodies stream both ways: the echo of the first chunk arrives before the second is sent', async () => {
    const { port } = proxyFront.address;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/stateless/echo?q=1',
      agent: false,
      headers: { 'content-type': 'text/plain', connection: 'x-hop', 'x-hop': 'secret', 'x-kept': 'yes' },
    });
    const received = new Promise<{ res: http.IncomingMessage; text: () => string; ended: Promise<void> }>(
      (resolve, reject) => {
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d;
          });
          resolve({ res, text: () => text, ended: new Promise((done) => res.on('end', done)) });
        });
      },
    );
    req.write('one,');
    const { res, text, ended } = await received;
    await pollUntil(async () => text().includes('one,'), {
      timeoutMs: 5000,
      intervalMs: 10,
      onTimeout: () => new Error(`the first chunk never came back (got "${text()}")`),
    });
    req.end('two');
    await ended;
    assert.equal(text(), 'one,two|end');
    assert.equal(res.statusCode, 207);
    assert.equal(res.statusMessage, 'Partly There');
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/x', 'b=2; HttpOnly']);
    assert.equal(res.headers['x-own'], 'kept');
    assert.equal(seenUrl, '/stateless/echo?q=1', 'the path goes to the load balancer as it came');
    assert.equal(seen['x-kept'], 'yes');
    assert.equal(seen['x-hop'], undefined, 'a header the Connection header names stays on its hop');
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
  });

  test('only variant prefixes are proxied: /baseline/ and /stateful (no slash) stay on the front', async () => {
    seenUrl = '';
    const baseline = await call(proxyFront.url, 'GET', '/baseline/api/cart');
    assertJsonError(baseline, 404, 'not_found', notFound('/baseline/api/cart'));
    assertJsonError(await call(proxyFront.url, 'GET', '/stateful'), 404, 'not_found', notFound('/stateful'));
    assert.equal(seenUrl, '');
  });
});

describe('the control API at /lab/api/ on the front drives the runtime', () => {
  test('GET /lab/api/instances lists what the runtime lists', async () => {
    const reply = await call(front.url, 'GET', '/lab/api/instances');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.runtime, lab.runtime.kind);
    assert.deepEqual(reply.body.instances, await lab.runtime.list());
  });

  test('a kill through the front is seen through the proxied variant; a start brings it back, with the session lost', async () => {
    const go = shopper(front.url, '/stateful/');
    const before = await go('POST', 'api/cart/items', { productId: await firstProductId(front.url) });
    assert.equal(before.status, 200);

    const control = { headers: controlHeader() };
    const killed = await call(front.url, 'POST', '/lab/api/instances/stateful-1/kill', control);
    assert.equal(killed.status, 200, JSON.stringify(killed.body));
    assert.equal(killed.body.instance.state, 'stopped');
    const down = await go('GET', 'api/cart');
    assertJsonError(down, 503, 'no_instance', errors.noInstance().message);
    assert.equal(down.headers.get('x-served-by'), 'load-balancer', 'no instance answered: nginx did');

    const started = await call(front.url, 'POST', '/lab/api/instances/stateful-1/start', control);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.instance.state, 'running');
    const after = await go('GET', 'api/cart');
    assert.equal(after.status, 200);
    assert.notEqual(after.body.cartId, before.body.cartId, 'the session lived in the killed process');
  });

  test('an unknown instance → 404 unknown_instance JSON', async () => {
    assertJsonError(
      await call(front.url, 'POST', '/lab/api/instances/stateful-9/kill', { headers: controlHeader() }),
      404,
      'unknown_instance',
      errors.unknownInstance('stateful-9').message,
    );
  });
});

describe("the front's control API takes the same callers as native: the front's Host and origin, no other site, the control header on a change", () => {
  for (const c of guardCases(false)) {
    for (const method of c.methods) {
      const path = method === 'GET' ? '/lab/api/instances' : '/lab/api/instances/stateless-1/kill';
      const outcome = c.expect === 200 ? '200' : `${c.expect[0]} ${c.expect[1]} JSON, nothing changes`;
      test(`${method} ${path}, ${c.name} → ${outcome}`, async () => {
        const state = async () => (await lab.runtime.list()).find((i) => i.id === 'stateless-1');
        const before = await state();
        // An allowed POST is a start of a running instance: 200, and nothing changes either.
        const sent = c.expect === 200 ? path.replace(/kill$/, 'start') : path;
        const reply = await sendCase(c, { public: front.address.port }, method, sent);
        if (c.expect === 200) assert.equal(reply.status, 200, JSON.stringify(reply.body));
        else
          assertJsonError(
            {
              status: reply.status,
              body: reply.body,
              headers: new Headers(reply.headers as Record<string, string>),
            },
            ...c.expect,
          );
        assert.equal(reply.headers['x-content-type-options'], 'nosniff');
        assert.deepEqual(await state(), before);
      });
    }
  }
});

describe('where the front listens and what it does without a target', () => {
  test('a target where nothing listens → 503 target_unavailable JSON; the UI and the control API still answer', async (t) => {
    const closedPort = await freePort();
    const lonely = await startFront({
      port: 0,
      target: `http://127.0.0.1:${closedPort}`,
      runtime: lab.runtime,
      uiRoot: ui.dir,
    });
    t.after(() => lonely.close());
    for (const prefix of ['/stateful/', '/stateful-redis/', '/stateless/']) {
      const reply = await call(lonely.url, 'POST', `${prefix}api/cart/items`, {
        headers: { 'content-type': 'application/json' },
        body: '{"productId":"x"}',
      });
      const unreachable = { origin: `http://127.0.0.1:${closedPort}`, reason: 'ECONNREFUSED' };
      assertJsonError(reply, 503, 'target_unavailable', errors.targetUnavailable(unreachable).message);
      assert.match(reply.body.error.message, /docker compose up/);
    }
    assert.equal((await call(lonely.url, 'GET', '/')).status, 200);
    assert.equal((await call(lonely.url, 'GET', '/lab/api/instances')).status, 200);
  });

  test('the front binds 127.0.0.1 only: another address of this host is refused', async (t) => {
    assert.equal(front.address.address, '127.0.0.1');
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    t.diagnostic(
      others.length === 0 ? 'no non-loopback IPv4 address here to try' : `tried ${others.join(', ')}`,
    );
    for (const address of others) {
      const error = await new Promise<string>((resolve) => {
        const req = http.get({
          host: address,
          port: front.address.port,
          path: '/',
          agent: false,
          timeout: 2000,
        });
        req.on('response', (res) => {
          res.resume();
          resolve(`answered ${res.statusCode}`);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
      assert.equal(error, 'ECONNREFUSED', address);
    }
  });

  test('close() stops listening; the front writes no temp dir and leaves the UI folder it was given', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const extra = await startFront({ port: 0, target: lab.baseUrl, runtime: lab.runtime, uiRoot: ui.dir });
    assert.deepEqual(
      readdirSync(tmpdir()).filter((name) => !before.has(name) && name.startsWith('statelab-')),
      [],
    );
    await extra.close();
    assert.equal(existsSync(join(ui.dir, 'index.html')), true);
    const refused = await fetch(`${extra.url}/`).then(
      () => 'answered',
      () => 'refused',
    );
    assert.equal(refused, 'refused');
  });
});

/** `npm run lab -- --runtime compose` on a free port, proxying to `target`, serving the stand-in UI. */
function composeLab(t: Parameters<typeof runLab>[0], target: string) {
  return runLab(t, ['--runtime', 'compose', '--port', '0', '--target', target, '--ui-dir', ui.dir]);
}

describe('npm run lab -- --runtime compose', () => {
  test('prints the front URL, then "ready" once the target answers; proxies and serves; SIGTERM → exit 0, target untouched', async (t) => {
    const child = await composeLab(t, lab.baseUrl);
    await waitForLine(child, 'npm run lab "ready"', (line) => /\bready\b/.test(line) || undefined, 30_000);
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/ serves the UI/.exec(child.output())?.[1];
    assert.ok(url, child.output());
    assert.match(child.output(), new RegExp(`proxies to ${lab.baseUrl}`));
    assert.equal((await call(url, 'GET', '/')).status, 200);
    const cart = await call(url, 'GET', '/stateless/api/cart');
    assert.equal(cart.status, 200);
    assert.equal(cart.headers.get('x-served-by'), 'stateless-1');
    // Its control API is the compose one; with no Docker engine here it answers a JSON error, not a crash.
    const listed = await call(url, 'GET', '/lab/api/instances');
    assert.match(listed.headers.get('content-type') ?? '', /^application\/json/);

    assert.equal((await child.terminate('SIGTERM', STOP_TIMEOUT_MS)).code, 0, child.output());
    assert.match(child.output(), /stopped/);
    assert.equal(
      (await call(lab.baseUrl, 'GET', '/stateless/api/cart')).status,
      200,
      'the target still runs',
    );
  });

  test('with nothing at the target it says how to start it, and SIGTERM while waiting → exit 0', async (t) => {
    const child = await composeLab(t, `http://127.0.0.1:${await freePort()}`);
    await waitForLine(
      child,
      'npm run lab "waiting for"',
      (line) => /waiting for .*docker compose up --build/.test(line) || undefined,
      30_000,
    );
    assert.doesNotMatch(child.output(), /\bready\b/);
    assert.equal((await child.terminate('SIGTERM', STOP_TIMEOUT_MS)).code, 0, child.output());
  });
});

describe('connectLab({ runtime: "compose", target })', () => {
  test('baseUrl is the target, faults go through docker compose, no nginx pid, close() leaves the target running', async () => {
    const calls: string[] = [];
    const psLine = JSON.stringify({
      Service: 'stateless-2',
      State: 'running',
      Health: 'healthy',
      ExitCode: 0,
    });
    const connected = await connectLab({
      runtime: 'compose',
      target: `${lab.baseUrl}/`,
      run: async (args) => {
        calls.push(args.join(' '));
        return { stdout: `${psLine}\n`, stderr: '', code: 0 };
      },
    });
    assert.equal(connected.baseUrl, lab.baseUrl);
    assert.equal(connected.runtime.kind, 'compose');
    assert.equal(connected.nginxPid(), undefined);
    assert.deepEqual(connected.nginxWorkerPids(), []);
    const listed = await connected.runtime.list();
    assert.deepEqual(calls, ['ps --all --format json']);
    assert.equal(listed.find((i) => i.id === 'stateless-2')?.state, 'running');
    assert.equal(listed.find((i) => i.id === 'stateless-1')?.state, 'stopped', 'no container: down');
    await connected.close();
    assert.equal((await call(lab.baseUrl, 'GET', '/stateless/api/cart')).status, 200);
  });

  test('nothing at the target → rejects in one message naming docker compose up; a non-loopback target is refused', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(connectLab({ runtime: 'compose', target: closed }), (err: Error) => {
      assert.match(err.message, new RegExp(`nothing answers at ${closed}.*docker compose up --build`));
      return true;
    });
    await assert.rejects(connectLab({ runtime: 'compose', target: 'http://192.0.2.1:8080' }), /loopback/);
  });
});
