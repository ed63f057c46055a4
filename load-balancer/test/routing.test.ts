import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TOPOLOGY, VARIANTS, type Variant } from '@statelab/cart-core';
import { createTestClient } from '@statelab/cart-core/testing';
import { UI_SECURITY_HEADERS } from '../src/index.ts';
import { cleanupStack, type RunningNginx, startNginx, uiFolder } from './support/nginx.ts';
import { startUpstream, type Upstream } from './support/upstreams.ts';

const { cleanup, runAll } = cleanupStack();
after(runAll);
let nginx: RunningNginx;
const upstreams = new Map<Variant, Upstream[]>();
let controlApi: Upstream;

before(async () => {
  for (const variant of VARIANTS) {
    upstreams.set(
      variant,
      await Promise.all([1, 2, 3].map((n) => startUpstream(cleanup, `${variant}-${n}`))),
    );
  }
  controlApi = await startUpstream(cleanup, 'control-api');
  const uiRoot = await uiFolder(cleanup);
  await mkdir(join(uiRoot, 'assets'));
  await writeFile(join(uiRoot, 'assets', 'app.js'), 'console.log("statelab");');
  nginx = await startNginx(cleanup, (listen, prefixDir) => ({
    mode: 'native',
    listen,
    prefixDir,
    variants: VARIANTS.map((variant) => ({ variant, servers: upstreams.get(variant)! })),
    uiRoot,
    controlApi,
  }));
});

describe('routing through nginx', () => {
  for (const variant of VARIANTS) {
    const { prefix } = TOPOLOGY[variant];

    test(`${prefix} is stripped before the app sees the request; the query string is kept`, async () => {
      const client = createTestClient(nginx.baseUrl);
      const res = await client.request('POST', `${prefix}api/cart/items?trace=1&x=a%20b`, {
        json: { productId: 'p1' },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.url, '/api/cart/items?trace=1&x=a%20b');
      assert.equal(res.body.method, 'POST');
      assert.equal(res.body.body, '{"productId":"p1"}');
      assert.match(res.headers.get('x-served-by') ?? '', new RegExp(`^${variant}-[123]$`));
    });

    test(`${prefix}: the app's Path=/ cookies are scoped to ${prefix}`, async () => {
      const res = await fetch(`${nginx.baseUrl}${prefix}api/cart`);
      const cookies = res.headers.getSetCookie();
      assert.equal(cookies.length, 1);
      assert.match(cookies[0]!, new RegExp(`; Path=${prefix};`));
    });
  }

  test('the app receives X-Request-Id, X-Forwarded-For and X-Real-IP, and no Connection: close', async () => {
    const res = await createTestClient(nginx.baseUrl).request('GET', '/stateless/api/instance');
    const headers = res.body.headers as Record<string, string>;
    assert.match(headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/);
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-real-ip'], '127.0.0.1');
    assert.equal(headers.connection, undefined, 'upstream keepalive needs an empty Connection header');
  });

  test('a client-sent X-Forwarded-For is extended with the peer address, not replaced', async () => {
    const res = await createTestClient(nginx.baseUrl).request('GET', '/stateless/api/cart', {
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(res.body.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
  });

  for (const variant of ['stateful-redis', 'stateless'] as const) {
    test(`${variant} is round-robin: one shopper's 6 requests land twice on each of 3 instances`, async () => {
      const client = createTestClient(nginx.baseUrl);
      const seen = new Map<string, number>();
      for (let i = 0; i < 6; i++) {
        const res = await client.request('GET', `${TOPOLOGY[variant].prefix}api/cart`);
        assert.equal(res.status, 200);
        const by = res.headers.get('x-served-by')!;
        seen.set(by, (seen.get(by) ?? 0) + 1);
      }
      assert.deepEqual(
        [...seen.entries()].sort(),
        [1, 2, 3].map((n) => [`${variant}-${n}`, 2]),
      );
    });
  }

  test('/ serves the UI index.html; UI files are served with their type', async () => {
    const page = await fetch(`${nginx.baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<title>statelab<\/title>/);
    const script = await fetch(`${nginx.baseUrl}/assets/app.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  });

  test('the UI page and its files carry the security headers; a missing file, /app.js.map included, is a JSON 404 with nosniff', async () => {
    for (const path of ['/', '/assets/app.js']) {
      const res = await fetch(`${nginx.baseUrl}${path}`);
      assert.equal(res.status, 200);
      for (const [name, value] of Object.entries(UI_SECURITY_HEADERS))
        assert.equal(res.headers.get(name), value, `${path}: ${name}`);
    }
    const map = await createTestClient(nginx.baseUrl).request('GET', '/app.js.map');
    assert.equal(map.status, 404);
    assert.equal(map.body.error.code, 'not_found');
    assert.equal(map.headers.get('x-content-type-options'), 'nosniff');
  });

  test('a UI folder without index.html is no directory listing: 403 JSON', async () => {
    const res = await createTestClient(nginx.baseUrl).request('GET', '/assets/');
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'forbidden');
    assert.doesNotMatch(res.text, /app\.js/);
  });

  test('/lab/ from loopback reaches the control API with its path unchanged', async () => {
    const res = await createTestClient(nginx.baseUrl).request('POST', '/lab/api/instances/stateful-1/kill');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-served-by'), controlApi.id);
    assert.equal(res.body.url, '/lab/api/instances/stateful-1/kill');
  });

  test("/lab/ passes the client's Host as sent, port included, and the client's address", async () => {
    const port = new URL(nginx.baseUrl).port;
    for (const host of [`localhost:${port}`, `rebind.example:${port}`]) {
      // fetch always sends the URL's own Host; node:http sends the one it is given.
      const res = await new Promise<{ body: { headers: Record<string, string> } }>((resolve, reject) => {
        const req = http.get({
          host: '127.0.0.1',
          port,
          path: '/lab/api/instances',
          headers: { host },
          agent: false,
        });
        req.on('error', reject);
        req.on('response', async (answer) => {
          let text = '';
          for await (const chunk of answer) text += chunk;
          resolve({ body: JSON.parse(text) });
        });
      });
      assert.equal(res.body.headers.host, host);
      assert.equal(res.body.headers['x-real-ip'], '127.0.0.1');
      assert.equal(res.body.headers['x-forwarded-for'], '127.0.0.1');
    }
  });
});
