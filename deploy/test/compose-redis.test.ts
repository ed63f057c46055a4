/**
 * docker-compose.yml's redis service, minus Docker: its command and its healthcheck, as compose
 * interpolates them, run by `sh` here over the real redis-server and redis-cli. Shims on PATH
 * add a free loopback port, which the container does not need (it is alone on 6379).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  findExecutable,
  freePort,
  ManagedProcess,
  redisPing,
  redisReplies,
  waitUntilReady,
} from '@statelab/processes';
import { REDIS_SERVICE } from '../src/index.ts';
import { interpolate, readComposeFile } from './support/compose-file.ts';

const ENV = Object.freeze({
  SESSION_SECRET: 'session-secret-for-tests-0123456789abcdef',
  JWT_SECRET: 'jwt-secret-for-tests-0123456789abcdef0123',
  REDIS_PASSWORD: '0123456789abcdef0123456789abcdef',
});
const READY_TIMEOUT_MS = 10_000;

const service = interpolate(readComposeFile(), ENV).services[REDIS_SERVICE];

async function shim(dir: string, name: string, flags: string): Promise<void> {
  const real = findExecutable(name);
  assert.ok(real, `${name} is installed (apt-get install redis-server)`);
  const file = join(dir, name);
  await writeFile(file, `#!/bin/sh\nexec ${real} ${flags} "$@"\n`);
  await chmod(file, 0o755);
}

describe("docker-compose.yml's redis command and healthcheck, run by sh over the real redis-server", () => {
  let port: number;
  let env: NodeJS.ProcessEnv;
  let redis: ManagedProcess | undefined;
  let dir: string | undefined;
  after(async () => {
    await redis?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'statelab-compose-redis-'));
    port = await freePort();
    await shim(dir, 'redis-server', `--port ${port} --bind 127.0.0.1`);
    await shim(dir, 'redis-cli', `-p ${port}`);
    // The container's environment, as compose gives it to the command and to the healthcheck.
    env = { PATH: `${dir}${delimiter}${process.env.PATH}`, ...service.environment };
    const [command, ...args] = service.command as string[];
    redis = await ManagedProcess.spawn({ command: command!, args, env, cwd: dir });
    await waitUntilReady(
      redis,
      'the compose redis command',
      () => redisPing('127.0.0.1', port, { password: ENV.REDIS_PASSWORD }),
      READY_TIMEOUT_MS,
    );
  });

  function healthcheck(overrides: NodeJS.ProcessEnv): number | null {
    const [kind, script] = service.healthcheck.test as string[];
    assert.equal(kind, 'CMD-SHELL');
    return spawnSync('sh', ['-c', script!], { env: { ...env, ...overrides }, timeout: 5_000 }).status;
  }

  it('refuses a client without the password (-NOAUTH) and serves one with it', async () => {
    assert.match((await redisReplies('127.0.0.1', port, [['PING']]))![0]!, /^-NOAUTH /);
    assert.deepEqual(await redisReplies('127.0.0.1', port, [['AUTH', ENV.REDIS_PASSWORD], ['PING']]), [
      '+OK',
      '+PONG',
    ]);
  });

  it('runs with 64mb under noeviction, no persistence', () => {
    const config = spawnSync('redis-cli', ['CONFIG', 'GET', '*'], { env, encoding: 'utf8' }).stdout;
    for (const [name, value] of [
      ['maxmemory', '67108864'],
      ['maxmemory-policy', 'noeviction'],
      ['save', ''],
      ['appendonly', 'no'],
    ]) {
      assert.match(config, new RegExp(`^${name}\\n${value}\\n`, 'm'), name);
    }
  });

  it('is redis-server itself (`exec`), so a stop signal reaches Redis, not a shell', () => {
    const info = spawnSync('redis-cli', ['INFO', 'server'], { env, encoding: 'utf8' }).stdout;
    assert.match(info, new RegExp(`^process_id:${redis!.pid}\\r?$`, 'm'));
  });

  it('the healthcheck passes with the password compose gives it, fails without it or with another', () => {
    assert.equal(healthcheck({}), 0);
    assert.equal(healthcheck({ REDISCLI_AUTH: undefined }), 1);
    assert.equal(healthcheck({ REDISCLI_AUTH: 'not-the-password' }), 1);
  });
});
