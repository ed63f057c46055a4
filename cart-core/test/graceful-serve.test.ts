import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLifecycle, createLogger, serve } from '../src/http/index.ts';
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

async function start(idleGraceMs: number) {
  const lifecycle = createLifecycle();
  const running = await serve(
    (req, res) => {
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      setTimeout(() => res.end('done'), delay);
    },
    {
      instance: 't-1',
      host: '127.0.0.1',
      port: 0,
      keepAliveTimeoutMs: 10_000,
      shutdownIdleGraceMs: idleGraceMs,
      shutdownTimeoutMs: 5_000,
      lifecycle,
      logger,
    },
  );
  return { running, lifecycle };
}

describe('graceful serve', () => {
  it('a stop lets in-flight requests finish, then closes every connection', async (t) => {
    const { running, lifecycle } = await start(200);
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    t.after(() => agent.destroy());
    const inFlight = Array.from({ length: 5 }, () => get(running.port, agent, '/?delay=300'));
    await new Promise((r) => setTimeout(r, 50));
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
    await assert.rejects(get(running.port, new Agent()), /ECONNREFUSED/);
  });

  it('a request on an idle keep-alive socket during the grace period is served, with Connection: close', async (t) => {
    const { running } = await start(1_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const first = await get(running.port, agent);
    assert.equal(first.connection, 'keep-alive');
    const closed = running.close();
    // The agent reuses its idle socket, as nginx reuses an upstream keep-alive connection.
    const reused = await get(running.port, agent);
    assert.equal(reused.status, 200);
    assert.equal(reused.connection, 'close');
    await closed;
  });

  it('a request Node cannot parse (headers over 16 KiB) → 431 JSON with X-Served-By, not an empty answer', async (t) => {
    const { running } = await start(0);
    t.after(() => running.close());
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(running.port, '127.0.0.1', () => {
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
    const { running } = await start(0);
    t.after(() => running.close());
    // Kept open, as a client that would send more: the server must answer and close by itself.
    const noHost = await rawRequest(running.port, 'GET / HTTP/1.1\r\n\r\n', { keepOpen: true });
    assert.equal(noHost.status, 400);
    assert.equal(noHost.headers.get('x-served-by'), 't-1');
    assert.match(noHost.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(noHost.body?.error?.code, 'bad_request');
    const old = await rawRequest(running.port, 'GET / HTTP/1.0\r\n\r\n', { keepOpen: true });
    assert.deepEqual([old.status, old.text], [200, 'done']);
  });

  it('close() twice returns the same stop', async () => {
    const { running } = await start(0);
    const a = running.close();
    assert.equal(running.close(), a);
    await a;
  });
});
