/**
 * Leaving the rotation before closing (docs/contract.md §3): with the lab's default `--drain unlink`
 * a graceful stop under 50 closed-loop writers costs no client an error, in every variant, and the
 * instance comes back on the same socket path. `--drain close` (TCP) runs the same stop; its errors
 * depend on timing, so they are reported, not asserted.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CATALOG, VARIANTS, type Variant } from '@statelab/cart-core';
import { type InstanceInfo, type LabHandle, processHost, startLab } from '../src/index.ts';
import { createShopper, type Shopper } from './support/shopper.ts';

const WRITERS = 50;
/** A writer becomes a new shopper after this many POSTs, so no line reaches its quantity limit. */
const POSTS_PER_SHOPPER = 40;
/** Load before the stop, so the instance is busy when it gets SIGTERM. */
const POSTS_BEFORE_STOP = 300;
/** Load goes on this long after the stop returned: the instance is gone, nginx must know it. */
const LOAD_AFTER_STOP_MS = 1_000;
const HARD_DEADLINE_MS = 60_000;
// The drain's idle grace must outlast nginx's 4 s upstream keepalive_timeout (no reused socket is cut).
const APP_ENV = { SHUTDOWN_IDLE_GRACE_MS: '4500', LOG_LEVEL: 'warn' };

interface Load {
  /** Resolves once `count` POSTs were answered (or the load ended). */
  answered(count: number): Promise<void>;
  /** Ends the load; resolves with what it saw. */
  stop(): Promise<{ requests: number; failures: string[]; servedBy: Map<string, number> }>;
}

/** WRITERS closed loops of POSTs through nginx, each a shopper with its own cookie jar. */
function writeLoad(lab: LabHandle, variant: Variant): Load {
  const deadline = Date.now() + HARD_DEADLINE_MS;
  const failures: string[] = [];
  const servedBy = new Map<string, number>();
  let requests = 0;
  let stopping = false;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const loops = Array.from({ length: WRITERS }, async (_, w) => {
    let shopper: Shopper | undefined;
    for (let n = 0; !stopping && Date.now() < deadline; n++) {
      if (n % POSTS_PER_SHOPPER === 0) shopper = createShopper(lab.baseUrl, variant, `writer ${w}`);
      const answer = await shopper!.add(CATALOG[n % CATALOG.length]!.id);
      requests++;
      if (answer.servedBy) servedBy.set(answer.servedBy, (servedBy.get(answer.servedBy) ?? 0) + 1);
      if (answer.status !== 200)
        failures.push(
          `${answer.status} from ${answer.servedBy}: ${JSON.stringify(answer.body).slice(0, 160)}`,
        );
      for (const waiter of waiters.filter((waiter) => requests >= waiter.count)) waiter.resolve();
    }
  });
  const all = Promise.all(loops);
  return {
    answered: (count) =>
      Promise.race([new Promise<void>((resolve) => waiters.push({ count, resolve })), all.then(() => {})]),
    async stop() {
      stopping = true;
      await all;
      return { requests, failures, servedBy };
    },
  };
}

async function info(lab: LabHandle, id: string): Promise<InstanceInfo> {
  const found = (await lab.runtime.list()).find((i) => i.id === id);
  assert.ok(found, id);
  return found;
}

/** ms until a new client of `variant` is served by `id`; fails after the contract's 15 s. */
async function untilServedBy(lab: LabHandle, variant: Variant, id: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 15_000) {
    const answer = await createShopper(lab.baseUrl, variant, 'probe').add(CATALOG[0]!.id);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    if (answer.servedBy === id) return Date.now() - started;
  }
  return assert.fail(`${id} got no traffic within 15 s of its start`);
}

/** Stops `id` under the write load and starts it again; what the load saw, and the rejoin time. */
async function stopUnderLoad(lab: LabHandle, variant: Variant, id: string) {
  const load = writeLoad(lab, variant);
  await load.answered(POSTS_BEFORE_STOP);
  const stopped = await lab.runtime.stop(id);
  await delay(LOAD_AFTER_STOP_MS);
  const seen = await load.stop();
  assert.equal(stopped.state, 'stopped');
  const started = await lab.runtime.start(id);
  assert.equal(started.state, 'running');
  return { seen, stopped, started, rejoinMs: await untilServedBy(lab, variant, id) };
}

describe('--drain unlink (the default): apps on Unix sockets', () => {
  let lab: LabHandle;
  before(async () => {
    lab = await startLab({ port: 0, instances: 2, appEnv: APP_ENV }, processHost());
  });
  after(() => lab?.close());

  for (const variant of VARIANTS) {
    const id = `${variant}-1`;
    test(`${variant}: SIGTERM ${id} under ${WRITERS} writers → no POST fails; started again on its socket, it serves`, async (t) => {
      const { socket } = await info(lab, id);
      assert.ok(socket && existsSync(socket), `${id} is on a socket`);
      const { seen, stopped, started, rejoinMs } = await stopUnderLoad(lab, variant, id);
      assert.ok((seen.servedBy.get(id) ?? 0) > 0, `${id} was serving the load when it was stopped`);
      assert.deepEqual(
        seen.failures.slice(0, 10),
        [],
        `${seen.failures.length} of ${seen.requests} POSTs failed`,
      );
      assert.equal(stopped.socket, socket);
      assert.equal(started.socket, socket, 'a restart reuses the socket path');
      t.diagnostic(`${seen.requests} POSTs, 0 failed; ${id} served again ${rejoinMs} ms after its start`);
    });
  }
});

describe('--drain close: apps on TCP ports, as before', () => {
  let lab: LabHandle;
  before(async () => {
    lab = await startLab(
      { port: 0, instances: 2, variants: ['stateful-redis'], drain: 'close', appEnv: APP_ENV },
      processHost(),
    );
  });
  after(() => lab?.close());

  test('stateful-redis: a stop under load and a start work on the same port; the errors are reported', async (t) => {
    const id = 'stateful-redis-1';
    const { port, socket } = await info(lab, id);
    assert.ok(port !== undefined && socket === undefined, `${id} is on a port`);
    const { seen, started, rejoinMs } = await stopUnderLoad(lab, 'stateful-redis', id);
    assert.ok((seen.servedBy.get(id) ?? 0) > 0, `${id} was serving the load when it was stopped`);
    assert.equal(started.port, port, 'a restart reuses the port');
    t.diagnostic(
      `${seen.requests} POSTs, ${seen.failures.length} failed (the listener's backlog reset); ${id} served again ${rejoinMs} ms after its start`,
    );
  });
});
