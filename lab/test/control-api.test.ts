/**
 * docs/contract.md §4 against a real lab: real redis-server, nginx and app processes on loopback.
 * Calls go through nginx at /lab/api/ unless a test needs to reach the API's own port.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CATALOG, CONTROL_HEADER, errors } from '@statelab/cart-core';
import { httpStatus, isAlive, pollFor, redisReplies } from '@statelab/processes';
import { type LabHandle, processHost, startLab } from '../src/index.ts';
import { controlHeader, guardCases, type Ports, rawCall, sendCase } from './support/control-guard.ts';

let lab: LabHandle;

before(async () => {
  lab = await startLab(
    {
      port: 0,
      instances: 3,
      appEnv: { SHUTDOWN_IDLE_GRACE_MS: '1000', LOG_LEVEL: 'warn' },
    },
    processHost(),
  );
});
after(() => lab?.close());

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on whatever JSON came back.
  body: any;
  type: string | null;
}

async function call(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  base?: string,
): Promise<Reply> {
  const res = await fetch(`${base ?? lab.baseUrl}/lab/api${path}`, {
    method,
    headers: { ...(method === 'POST' ? controlHeader() : {}), ...headers },
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: await res.json(), type: res.headers.get('content-type') };
}

async function instance(id: string) {
  const { body } = await call('GET', '/instances');
  return body.instances.find((i: { id: string }) => i.id === id);
}

function assertJsonError(
  answer: { status: number; body: unknown; type: string | null },
  status: number,
  code: string,
  /** The catalog's message, when the test knows its parameter. */
  message?: string,
) {
  assert.equal(answer.status, status);
  assert.match(answer.type ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(answer.body as object), ['error']);
  const { error } = answer.body as { error: { code: string; message: string } };
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  if (message !== undefined) assert.equal(error.message, message);
}

describe('GET /lab/api/instances', () => {
  test('lists redis and every instance of every variant, running, with pid and where it listens', async () => {
    const { status, body } = await call('GET', '/instances');
    assert.equal(status, 200);
    assert.equal(body.runtime, 'native');
    const ids = body.instances.map((i: { id: string }) => i.id);
    assert.deepEqual(ids, [
      'redis',
      'stateful-1',
      'stateful-2',
      'stateful-3',
      'stateful-redis-1',
      'stateful-redis-2',
      'stateful-redis-3',
      'stateless-1',
      'stateless-2',
      'stateless-3',
    ]);
    for (const i of body.instances) {
      assert.equal(i.state, 'running', i.id);
      assert.ok(isAlive(i.pid), `${i.id} pid ${i.pid} is alive`);
      if (i.id === 'redis') {
        assert.ok(Number.isInteger(i.port) && i.port > 0 && i.socket === undefined, 'redis on a port');
        continue;
      }
      // --drain unlink, the default: every app on a Unix socket in the lab's temp dir, no port.
      assert.equal(i.port, undefined, i.id);
      assert.match(i.socket, new RegExp(`/statelab-lab-[^/]+/sockets/${i.id}\\.sock$`), i.id);
      assert.equal(statSync(i.socket).isSocket(), true, i.id);
    }
    assert.equal(body.instances.find((i: { id: string }) => i.id === 'stateless-2').variant, 'stateless');
    assert.equal(body.instances[0].variant, 'redis');
  });

  test('the control API answers on its own loopback port too', async () => {
    const { status, body } = await call('GET', '/instances', {}, lab.controlApiUrl);
    assert.equal(status, 200);
    assert.equal(body.instances.length, 10);
  });

  test('GET /lab/api/topology gives each variant its prefix, routing, cookie, summary and instances', async () => {
    const { status, body } = await call('GET', '/topology');
    assert.equal(status, 200);
    const stateful = body.variants.find((v: { variant: string }) => v.variant === 'stateful');
    assert.equal(stateful.prefix, '/stateful/');
    assert.equal(stateful.routing, 'sticky');
    assert.equal(stateful.cookieName, 'statelab_sf_sid');
    assert.equal(typeof stateful.summary, 'string');
    assert.deepEqual(
      stateful.instances.map((i: { id: string }) => i.id),
      ['stateful-1', 'stateful-2', 'stateful-3'],
    );
    assert.equal(body.redis.id, 'redis');
    assert.equal(body.baseline, null);
  });
});

describe('POST /lab/api/instances/:id/{kill,stop,start,restart}', () => {
  test('kill → 200 stopped, the process is gone and stays down; kill again → 200, nothing changes', async () => {
    const before = await instance('stateless-1');
    const killed = await call('POST', '/instances/stateless-1/kill');
    assert.equal(killed.status, 200);
    assert.deepEqual(killed.body.instance, {
      id: 'stateless-1',
      variant: 'stateless',
      state: 'stopped',
      socket: before.socket,
    });
    assert.equal(isAlive(before.pid), false);
    const again = await call('POST', '/instances/stateless-1/kill');
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.instance, killed.body.instance);
    assert.equal((await instance('stateless-1')).state, 'stopped');
  });

  test('start → 200 running once ready, on the same socket with a new pid; start again → 200, same pid', async () => {
    const before = await instance('stateless-1');
    const started = await call('POST', '/instances/stateless-1/start');
    assert.equal(started.status, 200);
    assert.equal(started.body.instance.state, 'running');
    assert.equal(started.body.instance.socket, before.socket);
    assert.ok(isAlive(started.body.instance.pid));
    assert.equal(await httpStatus('http://localhost/readyz', { socketPath: before.socket }), 200);
    const again = await call('POST', '/instances/stateless-1/start');
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.instance, started.body.instance);
  });

  test('stop → 200 stopped after a drain, the process exited; stop again → 200, nothing changes', async () => {
    const before = await instance('stateful-2');
    const stopped = await call('POST', '/instances/stateful-2/stop');
    assert.equal(stopped.status, 200);
    assert.deepEqual(stopped.body.instance, {
      id: 'stateful-2',
      variant: 'stateful',
      state: 'stopped',
      socket: before.socket,
    });
    assert.equal(isAlive(before.pid), false);
    assert.equal(existsSync(before.socket), false, 'it unlinked its socket: out of the rotation');
    const again = await call('POST', '/instances/stateful-2/stop');
    assert.deepEqual([again.status, again.body.instance], [200, stopped.body.instance]);
  });

  test('restart on a stopped instance → running; restart on a running one → running with a new pid', async () => {
    const fromStopped = await call('POST', '/instances/stateful-2/restart');
    assert.equal(fromStopped.status, 200);
    assert.equal(fromStopped.body.instance.state, 'running');
    const firstPid = fromStopped.body.instance.pid;
    const fromRunning = await call('POST', '/instances/stateful-2/restart');
    assert.equal(fromRunning.status, 200);
    assert.equal(fromRunning.body.instance.state, 'running');
    assert.notEqual(fromRunning.body.instance.pid, firstPid);
    assert.equal(isAlive(firstPid), false);
  });

  test('redis: kill → stopped, start → running again on the same port', async () => {
    const before = await instance('redis');
    const killed = await call('POST', '/instances/redis/kill');
    assert.equal(killed.body.instance.state, 'stopped');
    assert.equal(isAlive(before.pid), false);
    const started = await call('POST', '/instances/redis/start');
    assert.equal(started.body.instance.state, 'running');
    assert.equal(started.body.instance.port, before.port);
  });

  test("redis: locked by this run's own password (PING without it → NOAUTH), 64mb under noeviction; the apps use it", async () => {
    const redis = await instance('redis');
    assert.match((await redisReplies('127.0.0.1', redis.port, [['PING']]))![0]!, /^-NOAUTH /);
    const app = await instance('stateful-redis-1');
    const environ = readFileSync(`/proc/${app.pid}/environ`, 'utf8').split('\0');
    const url = new URL(environ.find((v) => v.startsWith('REDIS_URL='))!.slice('REDIS_URL='.length));
    assert.equal(url.host, `127.0.0.1:${redis.port}`);
    assert.match(url.password, /^[0-9a-f]{64}$/);
    const config = spawnSync('redis-cli', ['-p', String(redis.port), 'CONFIG', 'GET', 'maxmemory*'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, REDISCLI_AUTH: url.password },
    }).stdout;
    assert.match(config, /^maxmemory\n67108864\n/m);
    assert.match(config, /^maxmemory-policy\nnoeviction\n/m);
    // Through nginx, once the apps are back on the Redis restarted above.
    const added = await pollFor(
      async () => {
        const res = await fetch(`${lab.baseUrl}/stateful-redis/api/cart/items`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ productId: CATALOG[0]!.id }),
        });
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 10_000, onTimeout: () => new Error('stateful-redis never stored a cart') },
    );
    assert.equal((await added.json()).itemCount, 1);
  });

  test('a child that dies on its own is listed as crashed, not restarted; start brings it back', async () => {
    const before = await instance('stateless-3');
    process.kill(before.pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    let seen = await instance('stateless-3');
    while (seen.state !== 'crashed' && Date.now() < deadline) seen = await instance('stateless-3');
    assert.deepEqual(seen, {
      id: 'stateless-3',
      variant: 'stateless',
      state: 'crashed',
      socket: before.socket,
    });
    const started = await call('POST', '/instances/stateless-3/start');
    assert.equal(started.body.instance.state, 'running');
  });

  test('concurrent calls on one id run one after the other, in the order they came', async () => {
    const [killed, started, startedAgain] = await Promise.all([
      call('POST', '/instances/stateful-redis-2/kill'),
      call('POST', '/instances/stateful-redis-2/start'),
      call('POST', '/instances/stateful-redis-2/start'),
    ]);
    assert.equal(killed.body.instance.state, 'stopped');
    assert.equal(started.body.instance.state, 'running');
    assert.deepEqual(startedAgain.body.instance, started.body.instance, 'the second start was a no-op');
  });

  for (const action of ['kill', 'stop', 'start', 'restart']) {
    test(`POST /lab/api/instances/nope-9/${action} → 404 unknown_instance`, async () => {
      assertJsonError(
        await call('POST', `/instances/nope-9/${action}`),
        404,
        'unknown_instance',
        errors.unknownInstance('nope-9').message,
      );
    });
  }

  test('POST /lab/api/instances/stateless-2/explode → 404 unknown_action, nothing changes', async () => {
    const before = await instance('stateless-2');
    assertJsonError(
      await call('POST', '/instances/stateless-2/explode'),
      404,
      'unknown_action',
      errors.unknownAction({ action: 'explode', actions: ['kill', 'stop', 'start', 'restart'] }).message,
    );
    assert.deepEqual(await instance('stateless-2'), before);
  });

  test('GET /lab/api/nothing-here → 404 not_found JSON', async () => {
    assertJsonError(
      await call('GET', '/nothing-here'),
      404,
      'not_found',
      errors.notFound({ method: 'GET', path: '/lab/api/nothing-here' }).message,
    );
  });
});

describe("who may call it: loopback peers, the lab's Host and origin, no other site, the control header on a change", () => {
  const ports = (): Ports => ({
    public: Number(new URL(lab.baseUrl).port),
    direct: Number(new URL(lab.controlApiUrl).port),
  });
  for (const c of guardCases(true)) {
    const via = c.via === 'public' ? 'through nginx' : 'on its own port';
    for (const method of c.methods) {
      const path = method === 'GET' ? '/lab/api/instances' : '/lab/api/instances/stateless-2/kill';
      const outcome = c.expect === 200 ? '200' : `${c.expect[0]} ${c.expect[1]} JSON, nothing changes`;
      test(`${method} ${path} ${via}, ${c.name} → ${outcome}`, async () => {
        const before = await instance('stateless-2');
        // An allowed POST is a start of a running instance: 200, and nothing changes either.
        const reply = await sendCase(
          c,
          ports(),
          method,
          c.expect === 200 ? path.replace(/kill$/, 'start') : path,
        );
        const what = JSON.stringify(reply.body);
        if (c.expect === 200) {
          assert.equal(reply.status, 200, what);
        } else {
          assertJsonError(
            { status: reply.status, body: reply.body, type: reply.headers['content-type'] ?? null },
            ...c.expect,
          );
        }
        assert.equal(reply.headers['x-content-type-options'], 'nosniff', 'answers and refusals alike');
        assert.equal(reply.headers['cache-control'], 'no-store');
        assert.deepEqual(await instance('stateless-2'), before);
        assert.ok(isAlive(before.pid));
      });
    }
  }

  test("421 names the Host it got and the lab's own", async () => {
    const { public: port } = ports();
    const reply = await rawCall(port, 'GET', '/lab/api/instances', { host: `rebind.example:${port}` });
    assert.equal(
      reply.body.error.message,
      errors.misdirectedRequest({
        host: `rebind.example:${port}`,
        expected: [`127.0.0.1:${port}`, `localhost:${port}`],
      }).message,
    );
  });

  test(`a POST without ${CONTROL_HEADER.name} is told which header it lacks`, async () => {
    const reply = await call('POST', '/instances/stateless-2/start', { [CONTROL_HEADER.name]: '' });
    assert.equal(reply.status, 403);
    assert.equal(
      reply.body.error.message,
      `POST needs the header "${CONTROL_HEADER.name}: ${CONTROL_HEADER.value}"`,
    );
  });
});
