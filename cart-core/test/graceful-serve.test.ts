import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { link, mkdtemp, rm, stat } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { createLifecycle, createLogger, type ServeOptions, serve } from '../src/http/index.ts';
import { rawRequest } from '../src/testing/index.ts';

const quiet = new Writable({ write: (_c, _e, done) => done() });
const logger = createLogger({ level: 'silent', instance: 't-1', variant: 't', destination: quiet });

function get(
  port: number,
  agent: Agent,
  path = '/',
): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Answers `done` after `?delay=ms`; `/readyz` is 503 while draining, as the apps' probe is. */
async function start(idleGraceMs: number, more: Partial<ServeOptions> = {}) {
  const lifecycle = createLifecycle();
  let arrived = 0;
  const running = await serve(
    (req, res) => {
      arrived++;
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/readyz') {
        res.statusCode = lifecycle.isDraining() ? 503 : 200;
        return void res.end();
      }
      setTimeout(() => res.end('done'), Number(url.searchParams.get('delay') ?? 0));
    },
    {
      instance: 't-1',
      host: '127.0.0.1',
      port: 0,
      keepAliveTimeoutMs: 10_000,
      shutdownAcceptGraceMs: 0,
      shutdownIdleGraceMs: idleGraceMs,
      shutdownTimeoutMs: 5_000,
      lifecycle,
      logger,
      ...more,
    },
  );
  return { running, lifecycle, port: running.port!, arrived: () => arrived };
}

/** `/readyz` over a Unix socket: its status, or 0 when nothing accepts there. */
function readyzOver(socketPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/readyz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
  }
}

async function socketDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-serve-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('graceful serve', () => {
  it('a stop lets in-flight requests finish, then closes every connection', async (t) => {
    const { running, lifecycle, port, arrived } = await start(200);
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    t.after(() => agent.destroy());
    const inFlight = Array.from({ length: 5 }, () => get(port, agent, '/?delay=300'));
    // In flight means accepted: on TCP a connection still in the accept backlog is reset by the stop.
    await until('every request reached the handler', () => arrived() === 5);
    const closed = running.close();
    assert.equal(lifecycle.isDraining(), true);
    const results = await Promise.all(inFlight);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    assert.ok(
      results.every((r) => r.connection === 'close'),
      'answers during the drain close their socket',
    );
    await closed;
    await assert.rejects(get(port, new Agent()), /ECONNREFUSED/);
  });

  it('a request on an idle keep-alive socket during the grace period is served, with Connection: close', async (t) => {
    const { running, port } = await start(1_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const first = await get(port, agent);
    assert.equal(first.connection, 'keep-alive');
    const closed = running.close();
    // The agent reuses its idle socket, as nginx reuses an upstream keep-alive connection.
    const reused = await get(port, agent);
    assert.equal(reused.status, 200);
    assert.equal(reused.connection, 'close');
    await closed;
  });

  it('a request Node cannot parse (headers over 16 KiB) → 431 JSON with X-Served-By, not an empty answer', async (t) => {
    const { running, port } = await start(0);
    t.after(() => running.close());
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 431 /);
    assert.match(raw, /\r\nX-Served-By: t-1\r\n/);
    assert.equal(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).error.code, 'headers_too_large');
  });

  it('HTTP/1.1 without Host → 400 bad_request JSON with X-Served-By, before the handler; HTTP/1.0 without Host is served', async (t) => {
    const { running, port } = await start(0);
    t.after(() => running.close());
    // Kept open, as a client that would send more: the server must answer and close by itself.
    const noHost = await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n', { keepOpen: true });
    assert.equal(noHost.status, 400);
    assert.equal(noHost.headers.get('x-served-by'), 't-1');
    assert.match(noHost.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(noHost.body?.error?.code, 'bad_request');
    const old = await rawRequest(port, 'GET / HTTP/1.0\r\n\r\n', { keepOpen: true });
    assert.deepEqual([old.status, old.text], [200, 'done']);
  });

  it('on a Unix socket: bound privately at once, published at the path (mode 0666) only once ready', async (t) => {
    const socketPath = join(await socketDir(t), 'app.sock');
    let ready = false;
    const starting = start(0, { socketPath, ready: () => ready });
    // The listener is open on its private name while the app is not ready; nginx cannot reach it.
    await until('the private socket exists', () => existsSync(`${socketPath}.${process.pid}`));
    assert.equal(existsSync(socketPath), false, 'not published before ready');
    ready = true;
    const { running } = await starting;
    t.after(() => running.close());
    assert.deepEqual(
      [running.port, running.url, running.socketPath],
      [undefined, 'http://localhost', socketPath],
    );
    assert.equal(
      existsSync(`${socketPath}.${process.pid}`),
      false,
      'the private name was renamed onto the path',
    );
    assert.equal((await stat(socketPath)).mode & 0o666, 0o666, "nginx's workers may be another user");
    assert.equal(await readyzOver(socketPath), 200);
  });

  it('a stop on a Unix socket unlinks the path first, keeps accepting through the accept grace (readyz 503), then closes', async (t) => {
    const dir = await socketDir(t);
    const socketPath = join(dir, 'app.sock');
    const { running, lifecycle } = await start(0, { socketPath, shutdownAcceptGraceMs: 3_000 });
    // A second name for the same socket: what a connect that raced the unlink still reaches.
    const raced = join(dir, 'raced.sock');
    await link(socketPath, raced);
    const closed = running.close();
    await until('the path is unlinked', () => !existsSync(socketPath), 1_000);
    assert.equal(lifecycle.isDraining(), true);
    assert.equal(await readyzOver(raced), 503, 'still accepting');
    await closed;
    assert.equal(await readyzOver(raced), 0, 'listener closed');
  });

  it('close() twice returns the same stop', async () => {
    const { running } = await start(0);
    const a = running.close();
    assert.equal(running.close(), a);
    await a;
  });
});
