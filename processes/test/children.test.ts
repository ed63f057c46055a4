/** Real children: a Node script, a Node main with its ready line, redis-server; each stopped by PID. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  isAlive,
  ManagedProcess,
  type RedisServer,
  redisPing,
  redisReplies,
  startNodeMain,
  startRedisServer,
  waitForLine,
} from '../src/index.ts';

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-processes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a child: output in order, each stream apart, to its log file too; exit code; a crash is not expected, a signal we sent is', async (t) => {
  const dir = await scratch(t);
  const logFile = join(dir, 'child.log');
  const crash = await ManagedProcess.spawn({
    command: process.execPath,
    args: ['-e', 'console.log("one"); console.error("two"); process.exit(3)'],
    env: {},
    logFile,
  });
  const exit = await crash.exited;
  assert.deepEqual(exit, { code: 3, signal: null, expected: false });
  assert.deepEqual(crash.lastLines().sort(), ['one', 'two']);
  assert.deepEqual([crash.output('stdout'), crash.output('stderr')], ['one\n', 'two\n']);
  assert.match(await readFile(logFile, 'utf8'), /one/);

  const sleeper = await ManagedProcess.spawn({
    command: process.execPath,
    args: ['-e', 'console.log("up"); setInterval(() => {}, 1000)'],
    env: {},
    ownGroup: true,
  });
  t.after(() => sleeper.kill());
  assert.equal(
    await waitForLine(sleeper, 'sleeper', (line) => (line === 'up' ? line : undefined), 5000),
    'up',
  );
  const stopped = await sleeper.terminate('SIGTERM', 2000);
  assert.deepEqual(stopped, { code: null, signal: 'SIGTERM', expected: true });
  assert.equal(isAlive(sleeper.pid), false);
});

test('a child that cannot be spawned rejects; one that exits before it is ready fails the wait with its output', async () => {
  await assert.rejects(ManagedProcess.spawn({ command: '/nonexistent/tool', args: [], env: {} }), /ENOENT/);
  const early = await ManagedProcess.spawn({
    command: process.execPath,
    args: ['-e', 'console.error("bad config"); process.exit(78)'],
    env: {},
  });
  await assert.rejects(
    waitForLine(early, 'early', () => undefined, 5000),
    /early exited with code 78:\n {2}bad config/,
  );
});

test('terminate escalates to SIGKILL when the child ignores SIGTERM', async () => {
  const stubborn = await ManagedProcess.spawn({
    command: process.execPath,
    args: ['-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'],
    env: {},
  });
  await waitForLine(stubborn, 'stubborn', (line) => (line === 'up' ? true : undefined), 5000);
  assert.equal((await stubborn.terminate('SIGTERM', 200)).signal, 'SIGKILL');
});

test('startNodeMain waits for the listening line, then /readyz; a main that never listens is killed at the deadline', async (t) => {
  const dir = await scratch(t);
  const script = join(dir, 'main.ts');
  await writeFile(
    script,
    `import http from 'node:http';
const server = http.createServer((req, res) => { res.statusCode = req.url === '/readyz' ? 200 : 404; res.end(); });
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ msg: 'listening', port, url: 'http://127.0.0.1:' + port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  );
  const main = await startNodeMain({ script, env: { PATH: process.env.PATH }, ready: 'readyz' });
  t.after(() => main.process.kill());
  assert.equal(main.url, `http://127.0.0.1:${main.port}`);
  assert.equal((await fetch(`${main.url}/readyz`)).status, 200);
  assert.equal((await main.process.terminate('SIGTERM', 5000)).code, 0);

  const silent = join(dir, 'silent.ts');
  await writeFile(silent, 'console.log("no listening line"); setInterval(() => {}, 1000);\n');
  await assert.rejects(
    startNodeMain({ script: silent, env: { PATH: process.env.PATH }, ready: 'listening', timeoutMs: 1500 }),
    /was not ready within 1500 ms; last output:\nno listening line/,
  );
});

test('redis-server: PONG once started, gone after kill, back on the same port with the same password after start, dir removed by close', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.close());
  const { password } = redis;
  assert.equal(redis.url, `redis://:${password}@127.0.0.1:${redis.port}`);
  assert.equal(await redisPing('127.0.0.1', redis.port, { password }), true);
  const pid = redis.pid!;
  await redis.kill();
  assert.equal(redis.pid, undefined);
  assert.equal(isAlive(pid), false);
  assert.equal(await redisPing('127.0.0.1', redis.port, { password }), false);
  await redis.start();
  assert.equal(await redisPing('127.0.0.1', redis.port, { password }), true);
  await redis.close();
  assert.equal(existsSync(redis.dir), false);
});

test('redis-server: PING without the password → -NOAUTH, a wrong one → -WRONGPASS; neither counts as ready', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.close());
  const at = (commands: string[][]) => redisReplies('127.0.0.1', redis.port, commands);
  assert.match((await at([['PING']]))![0]!, /^-NOAUTH /);
  assert.match((await at([['SET', 'k', 'v']]))![0]!, /^-NOAUTH /);
  assert.match((await at([['AUTH', 'not-the-password'], ['PING']]))!.join('\n'), /^-WRONGPASS .*\n-NOAUTH /);
  assert.deepEqual(await at([['AUTH', redis.password], ['PING']]), ['+OK', '+PONG']);
  assert.equal(await redisPing('127.0.0.1', redis.port), false);
  assert.equal(await redisPing('127.0.0.1', redis.port, { password: 'not-the-password' }), false);
});

test('redis-server: the memory limit given (64mb by default) under noeviction; a full one refuses writes with -OOM, reads and deletes still answer', async (t) => {
  const defaults = await startRedisServer();
  t.after(() => defaults.close());
  const config = (redis: RedisServer) =>
    spawnSync('redis-cli', ['-p', String(redis.port), 'CONFIG', 'GET', 'maxmemory*'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, REDISCLI_AUTH: redis.password },
    }).stdout;
  assert.match(config(defaults), /^maxmemory\n67108864\n/m);
  assert.match(config(defaults), /^maxmemory-policy\nnoeviction\n/m);

  const tiny = await startRedisServer({ maxmemory: '2mb' });
  t.after(() => tiny.close());
  const auth = ['AUTH', tiny.password];
  const at = (command: string[]) => redisReplies('127.0.0.1', tiny.port, [auth, command]);
  // Taken while under the limit, whatever its size: a 4 MB value from one tiny command.
  assert.deepEqual(await at(['SETRANGE', 'big', String(4 * 1024 * 1024), 'x']), ['+OK', ':4194305']);
  const [, refused] = (await at(['SET', 'small', 'x']))!;
  assert.match(refused!, /^-OOM command not allowed when used memory > 'maxmemory'/);
  assert.deepEqual(await at(['STRLEN', 'big']), ['+OK', ':4194305']);
  assert.deepEqual(await at(['DEL', 'big']), ['+OK', ':1']);
  assert.deepEqual(await at(['SET', 'small', 'x']), ['+OK', '+OK']);
  assert.match(config(tiny), /^maxmemory\n2097152\n/m);
  assert.equal(await redisPing('127.0.0.1', tiny.port, { password: tiny.password }), true);
});

test('startRedisServer refuses a maxmemory redis-server would not read as intended', async () => {
  await assert.rejects(startRedisServer({ maxmemory: '64' }), /maxmemory must look like 64mb/);
  await assert.rejects(startRedisServer({ maxmemory: '64 mb' }), /maxmemory must look like 64mb/);
});
