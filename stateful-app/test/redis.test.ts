/**
 * stateful-redis as the lab runs it: `main.ts` child processes over a real redis-server with a
 * password and a memory limit. Sessions outlive app instances; Redis down answers 503 fast and
 * readiness drops; Redis back, it recovers; Redis full refuses writes (503) and keeps every cart.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CATALOG, TOPOLOGY } from '@statelab/cart-core';
import { createTestClient, type TestResponse } from '@statelab/cart-core/testing';
import { httpStatus, type RedisServer, redisReplies, startRedisServer } from '@statelab/processes';
import { type AppProcess, spawnAppProcess, startAppProcess, waitFor } from './support/app-process.ts';
import { SECRET } from './support/in-process-app.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const NAME = TOPOLOGY['stateful-redis'].cookieName;
/** A hang guard only: the contract says 1 s; ioredis would otherwise queue for ~10 s. */
const HANG_GUARD_MS = 1_500;

function env(redis: RedisServer, instance: string): Record<string, string> {
  return {
    INSTANCE_ID: instance,
    VARIANT: 'stateful-redis',
    SESSION_SECRET: SECRET,
    REDIS_URL: redis.url,
    SHUTDOWN_IDLE_GRACE_MS: '100',
  };
}

async function timed(request: () => Promise<TestResponse>): Promise<{ res: TestResponse; ms: number }> {
  const started = Date.now();
  const res = await request();
  return { res, ms: Date.now() - started };
}

function assertUnavailable({ res, ms }: { res: TestResponse; ms: number }, instance: string): void {
  assert.equal(res.status, 503, res.text);
  assert.equal(res.body?.error?.code, 'store_unavailable', res.text);
  assert.equal(res.headers.get('x-served-by'), instance);
  assert.ok(ms < HANG_GUARD_MS, `answered in ${ms} ms`);
}

describe('stateful-redis with a real redis-server', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer();
  });
  after(() => redis?.close());

  it('sessions survive an app restart: a second instance on the same Redis serves the same cart', async (t) => {
    const first = await startAppProcess(env(redis, 'stateful-redis-1'));
    t.after(() => first.kill());
    const client = createTestClient(first.url);
    await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 2 } });
    const before = (await client.request('POST', '/api/cart/items', { json: { productId: B.id } })).body;
    process.kill(first.pid, 'SIGTERM');
    assert.equal(await first.exited, 0, first.output());

    const second = await startAppProcess(env(redis, 'stateful-redis-2'));
    t.after(() => second.kill());
    const moved = createTestClient(second.url);
    moved.jar.set(NAME, client.jar.get(NAME)!);
    const after = (await moved.request('GET', '/api/cart')).body;
    assert.deepEqual({ ...after, servedBy: undefined }, { ...before, servedBy: undefined });
    assert.deepEqual(after.servedBy, { instance: 'stateful-redis-2', variant: 'stateful-redis' });
  });

  it('Redis killed → cart requests answer 503 store_unavailable at once and /readyz 503; Redis back → served again', async (t) => {
    const app: AppProcess = await startAppProcess(env(redis, 'stateful-redis-1'));
    t.after(() => app.kill());
    const client = createTestClient(app.url);
    await client.request('POST', '/api/cart/items', { json: { productId: A.id } });

    await redis.kill();
    await waitFor(
      '/readyz 503',
      async () => ((await fetch(`${app.url}/readyz`)).status === 503 ? true : undefined),
      5_000,
      app.output,
    );
    const readyz = await createTestClient(app.url).request('GET', '/readyz');
    assert.equal(readyz.body.error.code, 'store_unavailable');
    assertUnavailable(await timed(() => client.request('GET', '/api/cart')), 'stateful-redis-1');
    assertUnavailable(
      await timed(() => client.request('POST', '/api/cart/items', { json: { productId: B.id } })),
      'stateful-redis-1',
    );
    assertUnavailable(
      await timed(() => createTestClient(app.url).request('GET', '/api/cart')),
      'stateful-redis-1',
    );

    await redis.start();
    await waitFor(
      '/readyz 200 after Redis returns',
      async () => ((await fetch(`${app.url}/readyz`)).ok ? true : undefined),
      10_000,
      app.output,
    );
    // This Redis keeps nothing on disk, so the old cart is gone; new carts are stored and served.
    const shopper = createTestClient(app.url);
    const added = await shopper.request('POST', '/api/cart/items', { json: { productId: B.id } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual((await shopper.request('GET', '/api/cart')).body, added.body);
    assert.match(app.output(), /redis connection lost/);
  });

  it('an instance started while Redis is down is alive but not ready, and becomes ready once Redis is up', async (t) => {
    await redis.kill();
    t.after(() => redis.start());
    const app = await startAppProcess(env(redis, 'stateful-redis-3'), { ready: false });
    t.after(() => app.kill());
    assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${app.url}/readyz`)).status, 503);
    assertUnavailable(
      await timed(() => createTestClient(app.url).request('GET', '/api/cart')),
      'stateful-redis-3',
    );
    await redis.start();
    await waitFor(
      '/readyz 200',
      async () => ((await fetch(`${app.url}/readyz`)).ok ? true : undefined),
      10_000,
      app.output,
    );
    assert.equal((await createTestClient(app.url).request('GET', '/api/cart')).status, 200);
    process.kill(app.pid, 'SIGTERM');
    assert.equal(await app.exited, 0, app.output());
  });

  it('on SOCKET_PATH, an instance started while Redis is down publishes its socket only once Redis is up', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'statelab-redis-sock-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const socketPath = join(dir, 'stateful-redis-1.sock');
    await redis.kill();
    t.after(() => redis.start());
    const app = await spawnAppProcess({ ...env(redis, 'stateful-redis-1'), SOCKET_PATH: socketPath });
    t.after(() => app.kill());
    await waitFor(
      'the waiting line',
      async () => /"msg":"waiting until ready before publishing the socket"/.test(app.output()) || undefined,
      15_000,
      () => app.output(),
    );
    assert.equal(existsSync(`${socketPath}.${app.pid}`), true, 'listening on its private name');
    assert.equal(existsSync(socketPath), false, 'unreachable by nginx while it could only answer 503');

    await redis.start();
    await waitFor(
      'the listening line',
      async () => /"msg":"listening"/.test(app.output()) || undefined,
      10_000,
      () => app.output(),
    );
    assert.equal(await httpStatus('http://localhost/readyz', { socketPath }), 200);
    const output = app.output();
    assert.ok(output.indexOf('"msg":"redis ready"') < output.indexOf('"msg":"listening"'), output);
    app.signal('SIGTERM');
    assert.equal((await app.exited).code, 0, app.output());
  });
});

describe('stateful-redis: Redis locked by a password', () => {
  it('the app with the password in REDIS_URL serves carts; the password never reaches its logs', async (t) => {
    const redis = await startRedisServer();
    t.after(() => redis.close());
    const app = await startAppProcess(env(redis, 'stateful-redis-1'));
    t.after(() => app.kill());
    const client = createTestClient(app.url);
    const added = await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual((await client.request('GET', '/api/cart')).body, added.body);
    await waitFor('the redis ready line', async () => /redis ready/.test(app.output()) || undefined, 5_000);
    assert.match(app.output(), new RegExp(`"redis":"redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}"`));
    assert.ok(!app.output().includes(redis.password), 'the password is not logged');
  });

  it('an app without the password is refused by Redis (NOAUTH): never ready, cart requests 503', async (t) => {
    const redis = await startRedisServer();
    t.after(() => redis.close());
    const app = await startAppProcess(
      { ...env(redis, 'stateful-redis-1'), REDIS_URL: `redis://127.0.0.1:${redis.port}`, LOG_LEVEL: 'debug' },
      { ready: false },
    );
    t.after(() => app.kill());
    await waitFor(
      'a NOAUTH refusal',
      async () => /NOAUTH/.test(app.output()) || undefined,
      5_000,
      app.output,
    );
    assert.equal((await fetch(`${app.url}/readyz`)).status, 503);
    assertUnavailable(
      await timed(() =>
        createTestClient(app.url).request('POST', '/api/cart/items', { json: { productId: A.id } }),
      ),
      'stateful-redis-1',
    );
  });
});

describe('stateful-redis: Redis at its memory limit (noeviction)', () => {
  /**
   * Redis takes a write while under its limit, whatever the write's size: one SETRANGE at a 4 MB
   * offset (a 4 MB value from a tiny command) lands a 2 MB Redis well past its limit.
   */
  async function overfill(redis: RedisServer): Promise<void> {
    const at = (command: string[]) =>
      redisReplies('127.0.0.1', redis.port, [['AUTH', redis.password], command]);
    const size = 4 * 1024 * 1024;
    assert.deepEqual(await at(['SETRANGE', 'filler', String(size), 'x']), ['+OK', `:${size + 1}`]);
    assert.match((await at(['SET', 'probe', 'x']))?.[1] ?? '', /^-OOM command not allowed/);
  }

  it('full → a write answers 503 store_unavailable at once and the stored cart is unchanged; reads 200; room again → writes 200', async (t) => {
    const redis = await startRedisServer({ maxmemory: '2mb' });
    t.after(() => redis.close());
    const app = await startAppProcess(env(redis, 'stateful-redis-1'));
    t.after(() => app.kill());
    const shopper = createTestClient(app.url);
    const stored = await shopper.request('POST', '/api/cart/items', {
      json: { productId: A.id, quantity: 2 },
    });
    assert.equal(stored.status, 200, stored.text);

    await overfill(redis);
    assertUnavailable(
      await timed(() => shopper.request('POST', '/api/cart/items', { json: { productId: B.id } })),
      'stateful-redis-1',
    );
    assertUnavailable(
      await timed(() =>
        createTestClient(app.url).request('POST', '/api/cart/items', { json: { productId: B.id } }),
      ),
      'stateful-redis-1',
    );
    const read = await timed(() => shopper.request('GET', '/api/cart'));
    assert.equal(read.res.status, 200, read.res.text);
    assert.deepEqual(read.res.body, stored.body, 'the stored cart is as it was');
    assert.equal((await fetch(`${app.url}/readyz`)).status, 200, 'reads work: the instance stays ready');
    await waitFor(
      'the logged refusal',
      async () => /"OOM command not allowed/.test(app.output()) || undefined,
      5_000,
    );
    assert.doesNotMatch(app.output(), /statelab:sess:|"cart":/, 'a refused write logs no session');

    const freed = await redisReplies('127.0.0.1', redis.port, [
      ['AUTH', redis.password],
      ['DEL', 'filler'],
    ]);
    assert.deepEqual(freed, ['+OK', ':1']);
    const added = await shopper.request('POST', '/api/cart/items', { json: { productId: B.id } });
    assert.equal(added.status, 200, added.text);
    assert.equal(added.body.rev, stored.body.rev + 1);
  });
});
