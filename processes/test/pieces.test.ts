/** The toolkit's small pieces: the line buffer, the executable finder, /proc, free ports, the ready line. */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import {
  childPids,
  createLineBuffer,
  findExecutable,
  freePort,
  httpStatus,
  isAlive,
  listeningLine,
  processCpuMs,
  redisPassword,
  redisServerArgs,
  redisUrl,
  workerUser,
  writeRedisConfig,
} from '../src/index.ts';

test('the line buffer keeps the last N lines across chunk boundaries', () => {
  const buffer = createLineBuffer(3);
  buffer.push('one\ntw');
  buffer.push('o\n\nthree\nfour\nfi');
  assert.deepEqual(buffer.lines(), ['three', 'four', 'fi']);
  buffer.push('ve\n');
  assert.deepEqual(buffer.lines(), ['three', 'four', 'five']);
});

test('findExecutable: PATH in order, then the sbin folders; a file that is not executable is not found', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-which-'));
  const sbin = await mkdtemp(join(tmpdir(), 'statelab-which-sbin-'));
  t.after(() =>
    Promise.all([rm(dir, { recursive: true, force: true }), rm(sbin, { recursive: true, force: true })]),
  );
  const only = { STATELAB_SBIN_DIRS: '' };
  assert.equal(findExecutable('tool', { PATH: '', ...only }), undefined);
  assert.equal(findExecutable('tool', { ...only }), undefined);
  await writeFile(join(dir, 'tool'), '#!/bin/sh\n');
  assert.equal(findExecutable('tool', { PATH: dir, ...only }), undefined);
  await chmod(join(dir, 'tool'), 0o755);
  assert.equal(
    findExecutable('tool', { PATH: `/nonexistent${delimiter}${dir}`, ...only }),
    join(dir, 'tool'),
  );
  await writeFile(join(sbin, 'sbin-tool'), '#!/bin/sh\n', { mode: 0o755 });
  assert.equal(findExecutable('sbin-tool', { PATH: dir, ...only }), undefined);
  assert.equal(findExecutable('sbin-tool', { PATH: dir, STATELAB_SBIN_DIRS: sbin }), join(sbin, 'sbin-tool'));
});

test('processCpuMs reads this process, grows with work, and is undefined for a pid that is gone', () => {
  const before = processCpuMs(process.pid);
  assert.ok(before !== undefined && before >= 0);
  const end = Date.now() + 60;
  while (Date.now() < end) Math.sqrt(Math.random());
  assert.ok(processCpuMs(process.pid)! >= before);
  assert.equal(processCpuMs(2 ** 22 + 1), undefined);
  assert.equal(isAlive(process.pid), true);
  assert.equal(isAlive(2 ** 22 + 1), false);
});

test('childPids finds the children of a process by their parent pid', () => {
  // The test runner started this file as our parent's child.
  assert.ok(childPids(process.ppid).includes(process.pid));
  assert.deepEqual(childPids(2 ** 22 + 1), []);
});

test('freePort hands out a loopback port nobody listens on', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});

test('httpStatus asks over a Unix socket when given one, and answers 0 when nothing listens there', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-socket-'));
  const socketPath = join(dir, 'app.sock');
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/readyz' && req.headers.host === 'localhost' ? 204 : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  assert.equal(await httpStatus('http://localhost/readyz', { socketPath }), 204);
  assert.equal(await httpStatus('http://localhost/other', { socketPath }), 404);
  assert.equal(await httpStatus('http://localhost/readyz', { socketPath: join(dir, 'missing.sock') }), 0);
});

test('listeningLine reads the url and port of a pino "listening" line, and nothing else', () => {
  assert.deepEqual(
    listeningLine('{"level":30,"msg":"listening","port":4000,"url":"http://127.0.0.1:4000"}'),
    {
      url: 'http://127.0.0.1:4000',
      port: 4000,
    },
  );
  assert.equal(listeningLine('{"msg":"listening"'), undefined);
  assert.equal(listeningLine('{"msg":"stopping","port":1,"url":"x"}'), undefined);
  assert.equal(listeningLine('{"msg":"listening","port":"4000","url":"x"}'), undefined);
});

test('redis-server runs on loopback, without persistence, in the dir given, its config file first, bounded with noeviction', () => {
  assert.deepEqual(
    redisServerArgs({ port: 6400, dir: '/tmp/x', configFile: '/tmp/x/redis.conf', maxmemory: '64mb' }),
    [
      '/tmp/x/redis.conf',
      '--port',
      '6400',
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      '/tmp/x',
      '--maxmemory',
      '64mb',
      '--maxmemory-policy',
      'noeviction',
    ],
  );
});

test('the Redis password goes to a file only its owner reads, never among the flags', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-redis-conf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const password = redisPassword();
  assert.match(password, /^[0-9a-f]{64}$/);
  assert.notEqual(redisPassword(), password);
  const file = await writeRedisConfig(dir, password);
  assert.equal(await readFile(file, 'utf8'), `requirepass ${password}\n`);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const args = redisServerArgs({ port: 6400, dir, configFile: file, maxmemory: '64mb' });
  assert.ok(!args.some((a) => a.includes(password)));
  assert.equal(redisUrl(6400, password), `redis://:${password}@127.0.0.1:6400`);
  for (const bad of ['short', 'has space 0123456789', 'with@at-0123456789', 'quote"0123456789ab']) {
    await assert.rejects(writeRedisConfig(dir, bad), /at least 16 characters from A-Z a-z 0-9/);
  }
});

test('workerUser names our own user exactly when we run as root', () => {
  assert.equal(workerUser(), process.getuid?.() === 0 ? userInfo().username : undefined);
});
