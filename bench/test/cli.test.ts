import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { EXIT } from '@statelab/cart-core';
import { processHost, startLab } from '@statelab/lab';
import { main } from '../src/cli.ts';

function memoryIo() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'statelab-bench-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('npm run bench (main)', () => {
  it('--help prints the flags and exits 0', async () => {
    const m = memoryIo();
    assert.equal(await main(['--help'], {}, m.io), EXIT.ok);
    for (const flag of ['--quick', '--variants', '--thresholds', '--target', '--rate', 'render <dir>'])
      assert.ok(m.out().includes(flag), flag);
  });

  it('bad flags → exit 64 with every problem and the usage, nothing run', async () => {
    const m = memoryIo();
    assert.equal(await main(['--instances', '0', '--variants', 'nope'], {}, m.io), EXIT.usage);
    assert.match(m.err(), /--variants .*; --instances/);
    assert.match(m.err(), /usage: npm run bench/);
  });

  it('a thresholds file that cannot be read or parsed → exit 64', async (t) => {
    const dir = await tempDir(t);
    const m = memoryIo();
    assert.equal(await main(['--thresholds', path.join(dir, 'missing.json')], {}, m.io), EXIT.usage);
    assert.match(m.err(), /cannot read/);
    await writeFile(path.join(dir, 'bad.json'), '{"stateless.kill.lostSessions": "zero"}');
    const m2 = memoryIo();
    assert.equal(await main(['--thresholds', 'bad.json'], { INIT_CWD: dir }, m2.io), EXIT.usage);
    assert.match(m2.err(), /is not "<op> <number>"/);
  });

  it('render <dir> re-renders report.md, report.html and charts from report.json alone', async (t) => {
    const dir = await tempDir(t);
    await copyFile(new URL('./fixtures/report.json', import.meta.url), path.join(dir, 'report.json'));
    const m = memoryIo();
    assert.equal(await main(['render', dir], {}, m.io), EXIT.ok, m.err());
    assert.deepEqual((await readdir(dir)).sort(), ['charts', 'report.html', 'report.json', 'report.md']);
    assert.equal((await readdir(path.join(dir, 'charts'))).length, 6);
    assert.match(await readFile(path.join(dir, 'report.md'), 'utf8'), /## Claims/);
    assert.match(await readFile(path.join(dir, 'report.html'), 'utf8'), /<svg/);
    assert.match(m.out(), /Reliability/);
  });

  it('render of a folder without a statelab report.json → exit 64 naming the file', async (t) => {
    const dir = await tempDir(t);
    await mkdir(path.join(dir, 'x'));
    await writeFile(path.join(dir, 'x', 'report.json'), '{"schemaVersion": 9}');
    const m = memoryIo();
    assert.equal(await main(['render', path.join(dir, 'x')], {}, m.io), EXIT.usage);
    assert.match(m.err(), /not a statelab report/);
    assert.equal(await main(['render'], {}, memoryIo().io), EXIT.usage);
  });

  it('a real run writes report.json then the views, prints the summary, and applies thresholds (exit 2 on failure)', async (t) => {
    const dir = await tempDir(t);
    await writeFile(
      path.join(dir, 'thresholds.json'),
      JSON.stringify({
        'stateless.concurrent-updates.errors': '== 0',
        'stateless.concurrent-updates.lostItems': '< 0',
      }),
    );
    const m = memoryIo();
    const argv = [
      '--variants',
      'stateless',
      '--scenarios',
      'concurrent-updates',
      '--instances',
      '1',
      '--connections',
      '3',
      '--parallel-updates',
      '4',
    ];
    const code = await main(
      [...argv, '--out', 'results', '--thresholds', 'thresholds.json'],
      { INIT_CWD: dir },
      m.io,
    );
    assert.equal(code, EXIT.thresholdsFailed, m.err());
    assert.match(
      m.err(),
      /thresholds failed:\n {2}stateless\.concurrent-updates\.lostItems < 0: stateless concurrent-updates \(1 inst\.\) is \d+/,
    );
    assert.doesNotMatch(m.err(), /errors == 0/);
    const [run] = await readdir(path.join(dir, 'results'));
    assert.match(run!, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    const files = await readdir(path.join(dir, 'results', run!));
    assert.deepEqual(files.sort(), ['charts', 'report.html', 'report.json', 'report.md']);
    const report = JSON.parse(await readFile(path.join(dir, 'results', run!, 'report.json'), 'utf8'));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.environment.runtime, 'native');
    assert.equal(report.environment.drain, 'unlink', "the lab's default, read from where its apps listen");
    assert.equal(report.results.length, 1);
    assert.equal(report.results[0].concurrency.sent, 3 * 3 * 4, '3 shoppers × 3 rounds × 4 in parallel');
    assert.deepEqual(report.environment.loadGeneratorCheck, {
      status: 'not checked',
      reason: 'no baseline scaling step in this run',
    });
    assert.deepEqual(report.targets.throughput, [], 'no scaling run, no target to compare');
    assert.match(m.out(), /Consistency/);
  });

  it('--target benches a running lab, driving its faults through the control API', async (t) => {
    const lab = await startLab(
      { port: 0, instances: 2, variants: ['stateless'], logLevel: 'warn' },
      processHost(),
    );
    t.after(() => lab.close());
    const dir = await tempDir(t);
    const m = memoryIo();
    const argv = [
      '--target',
      lab.baseUrl,
      '--scenarios',
      'kill',
      '--duration',
      '1.5',
      '--connections',
      '4',
      '--out',
      dir,
    ];
    assert.equal(await main(argv, {}, m.io), EXIT.ok, m.err());
    assert.match(m.err(), /stateful: the target lab does not run it; skipped/);
    const [run] = await readdir(dir);
    const report = JSON.parse(await readFile(path.join(dir, run!, 'report.json'), 'utf8'));
    assert.equal(report.environment.target, lab.baseUrl);
    assert.equal(report.environment.drain, 'unlink', "the target's apps are on Unix sockets");
    assert.deepEqual(
      report.results.map((r: { variant: string; scenario: string }) => `${r.variant} ${r.scenario}`),
      ['stateless kill'],
    );
    assert.equal(report.results[0].lostSessions, 0);
    assert.deepEqual(
      report.results[0].events.map((e: { label: string }) => e.label),
      ['kill stateless-1', 'start stateless-1'],
    );
    const instances = await lab.runtime.list();
    assert.ok(
      instances.every((i) => i.state === 'running'),
      'the killed instance was started again',
    );
  });
});
