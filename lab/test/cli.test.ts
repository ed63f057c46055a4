/**
 * `npm run lab` as a user runs it: a child process that prints `ready`, then stops every process it
 * started on SIGTERM and removes its temp dir. Plus the flag and missing-tool paths of main().
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { EXIT } from '@statelab/cart-core';
import { childPids, isAlive, waitForLine } from '@statelab/processes';
import { DEFAULT_UI_DIR, parseCliArgs } from '../src/cli/cli-options.ts';
import { main } from '../src/index.ts';
import { findTools } from '../src/native/tools.ts';
import { killLeftovers, runLab } from './support/processes.ts';
import { uiFolder } from './support/ui-folder.ts';

function memoryIo() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d));
  stderr.on('data', (d: Buffer) => (err += d));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

/** A folder holding only the named tools, to build a PATH with exactly those. */
function binDir(t: { after(fn: () => void): void }, tools: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'statelab-bin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(dir, name));
  return dir;
}

test('npm run lab -- --port 0 --instances 1: prints the URLs and "ready"; SIGTERM → exit 0, every process gone, temp dir removed', async (t) => {
  const started = Date.now();
  const uiDir = await uiFolder();
  t.after(() => uiDir.remove());
  const child = await runLab(t, ['--port', '0', '--instances', '1', '--ui-dir', uiDir.dir]);
  const pids = new Set<number>();
  t.after(() => killLeftovers(pids));
  await waitForLine(child, 'npm run lab "ready"', (line) => /\bready\b/.test(line) || undefined, 60_000);
  // The URLs and the process table come before the ready line.
  const output = child.output();
  t.diagnostic(
    `ready after ${((Date.now() - started) / 1000).toFixed(1)} s (wall clock, child start to the ready line)`,
  );

  // Each process with where it listens: nginx and redis on a port, the apps on their sockets.
  const rows = [...output.matchAll(/^ {2}(\S+) +running +(\S+) +(\d+)$/gm)];
  for (const match of rows) pids.add(Number(match[3]));
  assert.deepEqual(
    rows.map((m) => m[1]),
    ['nginx', 'redis', 'stateful-1', 'stateful-redis-1', 'stateless-1'],
  );
  for (const [, id, listens] of rows)
    assert.match(
      listens!,
      id === 'nginx' || id === 'redis' ? /^\d+$/ : new RegExp(`/sockets/${id}\\.sock$`),
      id,
    );
  const nginxPid = Number(/^ {2}nginx +running +\d+ +(\d+)$/m.exec(output)![1]);
  for (const worker of childPids(nginxPid)) pids.add(worker);
  assert.ok(pids.size >= 6, 'nginx master, at least one worker, redis and three apps');
  for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} runs while the lab is up`);

  const baseUrl = /(http:\/\/127\.0\.0\.1:\d+)\/ /.exec(output)![1];
  assert.match(output, new RegExp(`${baseUrl}/stateful-redis/`));
  const listed = await (await fetch(`${baseUrl}/lab/api/instances`)).json();
  assert.equal(listed.instances.length, 4);
  const ui = await fetch(`${baseUrl}/`);
  assert.equal(ui.status, 200);
  await ui.text();

  const tempDir = dirname(/logs: (\S+)/.exec(output)![1]!);
  assert.ok(existsSync(tempDir));
  const { code } = await child.terminate('SIGTERM', 30_000);
  assert.equal(code, EXIT.ok, `exit ${code} (SIGKILLed after 30 s if null):\n${child.output().slice(-2000)}`);
  assert.deepEqual([...pids].filter(isAlive), [], 'no process left behind');
  assert.equal(existsSync(tempDir), false, 'temp dir removed');
});

test('nginx not on PATH (nor in the sbin folders) → one clear line naming it and how to install, exit 69', async () => {
  const { io, out, err } = memoryIo();
  const code = await main(['--port', '0'], { PATH: '/nonexistent', STATELAB_SBIN_DIRS: '' }, io);
  assert.equal(code, EXIT.unavailable);
  assert.equal(out(), '');
  assert.match(err(), /needs nginx and redis-server .*install with: apt-get install nginx redis-server\n$/);
  assert.equal(err().trim().split('\n').length, 1);
});

test('--ui-dir without a built UI → one line saying how to build it, exit 69, nothing started', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'statelab-no-ui-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  for (const runtime of ['native', 'compose']) {
    const { io, out, err } = memoryIo();
    const code = await main(['--runtime', runtime, '--port', '0', '--ui-dir', empty], process.env, io);
    assert.equal(code, EXIT.unavailable);
    assert.equal(out(), '');
    assert.equal(err(), `statelab lab: no built cart UI in ${empty}; build it with: npm run build\n`);
  }
});

test('redis-server is required only when a chosen variant needs Redis', (t) => {
  const onlyNginx = { PATH: binDir(t, { nginx: '/usr/sbin/nginx' }), STATELAB_SBIN_DIRS: '' };
  assert.deepEqual(findTools(onlyNginx, false), { tools: { nginx: join(onlyNginx.PATH, 'nginx') } });
  const missing = findTools(onlyNginx, true);
  assert.ok('missing' in missing);
  assert.match(missing.missing, /needs redis-server \(/);
});

test('nginx found in the sbin folders when PATH lacks it (Debian keeps it in /usr/sbin)', (t) => {
  const sbin = binDir(t, { nginx: '/usr/sbin/nginx' });
  const found = findTools({ PATH: '/nonexistent', STATELAB_SBIN_DIRS: sbin }, false);
  assert.deepEqual(found, { tools: { nginx: join(sbin, 'nginx') } });
});

test('--help prints the options and exits 0 without starting anything', async () => {
  const { io, out } = memoryIo();
  assert.equal(await main(['--help'], {}, io), EXIT.ok);
  for (const flag of ['--port', '--instances', '--variants', '--baseline'])
    assert.ok(out().includes(flag), flag);
});

const badFlags: Array<[string[], RegExp]> = [
  [['--instances', '0'], /instances/],
  [['--instances', 'three'], /--instances must be a whole number/],
  [['--port', '70000'], /port/],
  [['--variants', 'stateful,sharded'], /unknown sharded/],
  [['--variants', 'stateless,stateless'], /must not repeat/],
  [['--bogus'], /bogus/],
  [['--runtime', 'compose', '--baseline', '2'], /--baseline applies to --runtime native only/],
  [['--runtime', 'compose', '--instances', '2'], /--instances applies to --runtime native only/],
  [['--target', 'http://127.0.0.1:8080'], /--target applies to --runtime compose only/],
  [['--runtime', 'compose', '--target', 'http://10.1.2.3:8080'], /--target must be on loopback/],
  [['--runtime', 'compose', '--target', 'https://127.0.0.1:8080'], /--target must be http:\/\//],
  [['--runtime', 'compose', '--target', 'http://127.0.0.1:8080/stateful/'], /without a path/],
  [['--runtime', 'compose', '--port', '99999'], /--port must be at most 65535/],
  [['--redis-maxmemory', '64'], /redisMaxmemory must be a size such as 64mb/],
  [['--drain', 'reload'], /--drain must be unlink or close, got "reload"/],
  [['--runtime', 'compose', '--drain', 'close'], /--drain applies to --runtime native only/],
  [
    ['--runtime', 'compose', '--redis-maxmemory', '2mb'],
    /--redis-maxmemory applies to --runtime native only/,
  ],
];
for (const [argv, message] of badFlags) {
  test(`${argv.join(' ')} → exit 64 with a message, nothing started`, async () => {
    const { io, out, err } = memoryIo();
    assert.equal(await main(argv, { PATH: '/nonexistent', STATELAB_SBIN_DIRS: '' }, io), EXIT.usage);
    assert.match(err(), message);
    assert.equal(out(), '');
  });
}

test('--runtime k8s → exit 64 with one line naming the runtimes, nothing started', async () => {
  const { io, out, err } = memoryIo();
  assert.equal(
    await main(['--runtime', 'k8s'], { PATH: '/nonexistent', STATELAB_SBIN_DIRS: '' }, io),
    EXIT.usage,
  );
  assert.equal(err(), 'statelab lab: --runtime must be native or compose, got "k8s" (see --help)\n');
  assert.equal(out(), '');
});

test('--runtime compose: the front on 127.0.0.1:8081, the target http://127.0.0.1:8080 by default; both can be set', () => {
  assert.deepEqual(parseCliArgs(['--runtime', 'compose']), {
    help: false,
    runtime: 'compose',
    config: { port: 8081, target: 'http://127.0.0.1:8080', uiRoot: DEFAULT_UI_DIR },
  });
  const set = parseCliArgs([
    '--runtime',
    'compose',
    '--port',
    '9000',
    '--target',
    'http://localhost:18080/',
    '--ui-dir',
    '/srv/ui',
  ]);
  assert.deepEqual(set, {
    help: false,
    runtime: 'compose',
    config: { port: 9000, target: 'http://localhost:18080', uiRoot: '/srv/ui' },
  });
  const native = parseCliArgs(['--port', '0']);
  assert.equal(native.help === false && native.runtime, 'native');
});

test('--redis-maxmemory sets the native Redis limit; 64mb by default', () => {
  const limit = (argv: string[]) => {
    const request = parseCliArgs(argv);
    return request.help === false && request.runtime === 'native' ? request.config.redisMaxmemory : undefined;
  };
  assert.equal(limit([]), '64mb');
  assert.equal(limit(['--redis-maxmemory', '2mb']), '2mb');
});

test('--drain picks how a stopping app leaves the rotation; unlink (Unix sockets) by default', () => {
  const drain = (argv: string[]) => {
    const request = parseCliArgs(argv);
    return request.help === false && request.runtime === 'native' ? request.config.drain : undefined;
  };
  assert.equal(drain([]), 'unlink');
  assert.equal(drain(['--drain', 'close']), 'close');
});

test('--help names --runtime and --target', async () => {
  const { io, out } = memoryIo();
  assert.equal(await main(['--help'], {}, io), EXIT.ok);
  assert.match(out(), /--runtime R +native or compose/);
  assert.match(out(), /--target URL/);
});
