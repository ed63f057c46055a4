/**
 * `unix:` servers with a real nginx: an instance leaves the rotation by taking its socket's path
 * away while it still listens, and nginx sends everything elsewhere, POSTs to a server-side-state
 * variant included (the connect fails before anything is sent); it rejoins when the path is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CATALOG, TOPOLOGY } from '@statelab/cart-core';
import { createTestClient } from '@statelab/cart-core/testing';
import { cleanupStack, type RunningNginx, startNginx, tempDir } from './support/nginx.ts';
import { type SocketUpstream, startSocketUpstream } from './support/upstreams.ts';

const { cleanup, runAll } = cleanupStack();
after(runAll);
let nginx: RunningNginx;
let stateful: SocketUpstream[];
let redis: SocketUpstream[];

const asServers = (upstreams: SocketUpstream[]) => upstreams.map(({ id, socket }) => ({ id, socket }));

before(async () => {
  const dir = await tempDir(cleanup, 'sockets');
  const pair = async (variant: string) => [
    await startSocketUpstream(cleanup, dir, `${variant}-1`),
    await startSocketUpstream(cleanup, dir, `${variant}-2`),
  ];
  stateful = await pair('stateful');
  redis = await pair('stateful-redis');
  nginx = await startNginx(cleanup, (listen, prefixDir) => ({
    mode: 'native',
    listen,
    prefixDir,
    variants: [
      { variant: 'stateful', servers: asServers(stateful) },
      { variant: 'stateful-redis', servers: asServers(redis) },
    ],
  }));
});

const post = () =>
  createTestClient(nginx.baseUrl).request('POST', '/stateful-redis/api/cart/items', {
    json: { productId: CATALOG[0]!.id },
  });

describe('unix: upstream servers', () => {
  test('render as unix:<path>: round-robin marked out for 1 s after a failed connect, sticky groups never', () => {
    const lines = nginx.config.split('\n').filter((l) => l.trim().startsWith('server unix:'));
    for (const { id, socket } of redis) {
      assert.ok(
        lines.some((l) => l.trim() === `server unix:${socket} max_fails=1 fail_timeout=1s; # ${id}`),
        id,
      );
    }
    for (const { id, socket } of stateful) {
      assert.ok(
        lines.some((l) => l.trim() === `server unix:${socket} max_fails=0; # ${id}`),
        `${id} in the pool`,
      );
      assert.ok(
        lines.some((l) => l.trim() === `server unix:${socket} max_fails=0 backup; # ${id}`),
        `${id} as a backup`,
      );
    }
    assert.match(nginx.config, /#\s+unix: a stopping instance unlinks its socket/);
  });

  test('a server-side-state POST goes to the other instance once one has taken its path away; none reach it', async () => {
    const [leaving, staying] = redis as [SocketUpstream, SocketUpstream];
    const served = new Set<string | null>();
    for (let i = 0; i < 10; i++) served.add((await post()).headers.get('x-served-by'));
    assert.deepEqual([...served].sort(), [leaving.id, staying.id], 'both serve while both are in');

    await leaving.leave();
    const before = leaving.received();
    for (let i = 0; i < 20; i++) {
      const res = await post();
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('x-served-by'), staying.id);
    }
    assert.equal(leaving.received(), before, 'nothing was sent to the instance that left');
    assert.match(
      nginx.output(),
      /\[crit\].*connect\(\) to unix:\S+stateful-redis-1\.sock failed \(2: No such file or directory\)/,
      'nginx logs a failed connect to a missing socket at [crit] (the README says so)',
    );
  });

  test('with every path gone the answer is 503 no_instance; a path put back gets traffic again within 15 s', async (t) => {
    const [left, last] = redis as [SocketUpstream, SocketUpstream];
    await last.leave();
    const none = await post();
    assert.equal(none.status, 503, none.text);
    assert.equal(none.body.error.code, 'no_instance');

    await Promise.all([left.rejoin(), last.rejoin()]);
    const started = Date.now();
    const seen = new Set<string | null>();
    while (seen.size < 2 && Date.now() - started < 15_000) {
      const res = await post();
      // Until the marks of the failed connects expire (1 s), nginx may still say no instance is up.
      if (res.status === 503 && res.body?.error?.code === 'no_instance') continue;
      assert.equal(res.status, 200, res.text);
      seen.add(res.headers.get('x-served-by'));
    }
    assert.deepEqual([...seen].sort(), [left.id, last.id]);
    t.diagnostic(`both served again ${Date.now() - started} ms after their paths were back`);
  });

  test('sticky: a session whose home took its path away is served by a backup, and by its home once it is back', async () => {
    const [home, backup] = stateful as [SocketUpstream, SocketUpstream];
    const client = createTestClient(nginx.baseUrl);
    client.jar.set(TOPOLOGY.stateful.cookieName, `s%3Arandom.${home.id}.signature`);
    const servedBy = async () =>
      (await client.request('GET', '/stateful/api/cart')).headers.get('x-served-by');
    assert.equal(await servedBy(), home.id);
    await home.leave();
    assert.equal(await servedBy(), backup.id);
    await home.rejoin();
    assert.equal(await servedBy(), home.id, 'max_fails=0: the home is tried first again at once');
  });
});
