import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findExecutable } from '@statelab/processes';
import { checkWithWrk, parseWrkOutput } from '../src/wrk.ts';

/** wrk on one PATH value only, as the bench looks it up (no sbin folders). */
const locateWrk = (pathEnv: string | undefined) =>
  findExecutable('wrk', { PATH: pathEnv, STATELAB_SBIN_DIRS: '' });

const OUTPUT = `Running 2s test @ http://127.0.0.1:8080/baseline/api/cart
  1 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.12ms    1.02ms  20.00ms   90.00%
    Req/Sec     4.90k   200.00     5.10k    70.00%
  9801 requests in 2.00s, 2.50MB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 3, write 0, timeout 1
Requests/sec:   4900.50
Transfer/sec:      1.25MB
`;

describe('load generator check against wrk', () => {
  it("reads wrk's req/s, request count, non-2xx answers and socket errors", () => {
    assert.deepEqual(parseWrkOutput(OUTPUT), { rps: 4900.5, requests: 9801, errors: 16 });
    const clean = OUTPUT.replace(/ {2}Non-2xx.*\n {2}Socket errors.*\n/, '');
    assert.deepEqual(parseWrkOutput(clean), { rps: 4900.5, requests: 9801, errors: 0 });
  });

  it('output that is not a wrk summary is an error quoting it', () => {
    assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1'), /unexpected wrk output: unable/);
  });

  it('wrk is looked up on the PATH given; absent → "not checked (wrk not installed)"', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'statelab-wrk-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    assert.equal(locateWrk(''), undefined);
    assert.equal(locateWrk(undefined), undefined);
    await writeFile(path.join(dir, 'wrk'), '#!/bin/sh\n');
    assert.equal(locateWrk(dir), undefined, 'a file that is not executable is not wrk');
    await chmod(path.join(dir, 'wrk'), 0o755);
    assert.equal(locateWrk(`/nonexistent${path.delimiter}${dir}`), path.join(dir, 'wrk'));
    const spec = { url: 'http://127.0.0.1:1/', instances: 1, connections: 2, durationS: 1, autocannonRps: 1 };
    assert.deepEqual(await checkWithWrk({ ...spec, command: locateWrk('') }), {
      status: 'not checked',
      reason: 'wrk not installed',
    });
  });

  it('a wrk that fails (nothing listening) is recorded as not checked with its output, not thrown', async () => {
    const command = locateWrk(process.env.PATH);
    assert.ok(command, 'wrk is on PATH (apt-get install wrk; .ci/run installs it)');
    const check = await checkWithWrk({
      command,
      url: 'http://127.0.0.1:1/',
      instances: 1,
      connections: 2,
      durationS: 1,
      autocannonRps: 100,
    });
    assert.equal(check.status, 'not checked');
    assert.match(check.status === 'not checked' ? check.reason : '', /^wrk failed: .*(refused|connect)/is);
  });
});
