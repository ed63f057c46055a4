/**
 * SIGTERM drains: requests in flight on keep-alive sockets finish with 200, an idle keep-alive
 * socket still gets its answer (with `Connection: close`), and the process exits 0. On SOCKET_PATH,
 * a stopping process never takes down the path a newer process has published.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { CATALOG, EXIT } from '@statelab/cart-core';
import { ManagedProcess, nodeMainArgs, waitForLine, waitUntilReady } from '@statelab/processes';
import { MAIN, mainEnv, spawnMain } from './helpers.ts';

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** Sends a request; `hold` keeps the body's tail back until the returned `finish` is called. */
function send(url: string, agent: http.Agent, method: string, path: string, json?: unknown) {
  const body = json === undefined ? '' : JSON.stringify(json);
  let finish = () => {};
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = http.request(new URL(path, url), {
      method,
      agent,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }),
      );
      res.on('error', reject);
    });
    if (!body) return void req.end();
    req.write(body.slice(0, 5));
    finish = () => req.end(body.slice(5));
  });
  return { answer, finish: () => finish() };
}

test('SIGTERM with keep-alive requests in flight → every one answered 200, then exit 0', async (t) => {
  const app = await spawnMain(t, { SHUTDOWN_IDLE_GRACE_MS: '3000', SHUTDOWN_TIMEOUT_MS: '10000' });
  const busy = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const idle = new http.Agent({ keepAlive: true, maxSockets: 2 });
  t.after(() => {
    busy.destroy();
    idle.destroy();
  });
  // Open the keep-alive sockets first, so that every later request reuses an established one.
  const warm = await Promise.all([
    ...Array.from({ length: 4 }, () => send(app.url, busy, 'GET', '/api/cart').answer),
    ...Array.from({ length: 2 }, () => send(app.url, idle, 'GET', '/api/cart').answer),
  ]);
  assert.deepEqual(
    warm.map((a) => a.status),
    [200, 200, 200, 200, 200, 200],
  );

  const inFlight = CATALOG.slice(0, 4).map((p) =>
    send(app.url, busy, 'POST', '/api/cart/items', { productId: p.id }),
  );
  // One more round trip, so the held requests' headers have reached the server before the signal.
  assert.equal((await send(app.url, idle, 'GET', '/healthz').answer).status, 200);
  app.process.signal('SIGTERM');
  await waitForLine(
    app.process,
    'the "stopping" line of main.ts',
    (line) => line.includes('"msg":"stopping"') || undefined,
    10_000,
  );

  const late = await Promise.all([
    send(app.url, idle, 'GET', '/api/cart').answer,
    send(app.url, idle, 'GET', '/readyz').answer,
  ]);
  assert.equal(late[0].status, 200, 'an idle keep-alive socket reused during the drain is still served');
  assert.equal(late[0].connection, 'close');
  assert.equal(late[1].status, 503, 'not ready while draining');

  for (const request of inFlight) request.finish();
  const answers = await Promise.all(inFlight.map((r) => r.answer));
  for (const [i, a] of answers.entries()) {
    assert.equal(a.status, 200, a.body);
    assert.equal(a.connection, 'close');
    assert.equal(JSON.parse(a.body).items[0].productId, CATALOG[i]!.id);
  }
  assert.equal((await app.process.exited).code, EXIT.ok, app.process.output('stderr'));
  assert.match(app.process.output('stdout'), /"msg":"stopped"/);
  assert.equal(app.process.output('stderr'), '');
});

/** `main.ts` as `id` on `socketPath`, ready once it answers there itself; killed when the test ends. */
async function onSocket(t: TestContext, id: string, socketPath: string, env: Record<string, string> = {}) {
  const proc = await ManagedProcess.spawn({
    command: process.execPath,
    args: nodeMainArgs(MAIN),
    env: mainEnv({ INSTANCE_ID: id, SOCKET_PATH: socketPath, ...env }),
  });
  t.after(() => proc.kill());
  await waitUntilReady(
    proc,
    `${id} on ${socketPath}`,
    async () => (await servedAt(socketPath).catch(() => undefined)) === id,
    15_000,
  );
  return proc;
}

/** Which instance answers at the path now. */
function servedAt(socketPath: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path: '/api/instance', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['x-served-by'] as string | undefined));
      })
      .on('error', reject);
  });
}

async function socketPathIn(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-stateless-sock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'stateless-1.sock');
}

const leftRotation = (line: string) => line.includes('"msg":"left the rotation"') || undefined;

test('SOCKET_PATH: a process that publishes the path while the first one drains keeps it after the first exits', async (t) => {
  const socketPath = await socketPathIn(t);
  // A long accept grace: the first is still draining when the second has started.
  const first = await onSocket(t, 'stateless-1', socketPath, { SHUTDOWN_ACCEPT_GRACE_MS: '15000' });
  first.signal('SIGTERM');
  await waitForLine(first, 'stateless-1 leaving the rotation', leftRotation, 10_000);
  assert.equal(existsSync(socketPath), false, 'the path is unlinked as the drain begins');

  await onSocket(t, 'stateless-2', socketPath);
  assert.equal(first.isRunning(), true, 'the first still drains while the second publishes');
  assert.equal((await first.exited).code, EXIT.ok, first.output());
  assert.equal(await servedAt(socketPath), 'stateless-2');
});

test('SOCKET_PATH: a process whose path another has taken over leaves it alone when it stops', async (t) => {
  const socketPath = await socketPathIn(t);
  const first = await onSocket(t, 'stateless-1', socketPath);
  assert.equal(await servedAt(socketPath), 'stateless-1');
  await onSocket(t, 'stateless-2', socketPath);
  assert.equal(await servedAt(socketPath), 'stateless-2', 'the rename replaced the path');

  first.signal('SIGTERM');
  assert.equal((await first.exited).code, EXIT.ok, first.output());
  assert.equal(leftRotation(first.output()), undefined, "the path was not the first one's to unlink");
  assert.equal(await servedAt(socketPath), 'stateless-2');
});
