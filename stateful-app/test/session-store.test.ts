/**
 * One Store suite, run against the memory store and connect-redis over a real redis-server (as
 * express-session runs its MemoryStore beside real stores), then the memory store's own bounds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@statelab/cart-core/http';
import { startRedisServer } from '@statelab/processes';
import type { SessionData, Store } from 'express-session';
import { MemorySessionStore } from '../src/session-store/memory-store.ts';
import { createRedisSessionStore } from '../src/session-store/redis-store.ts';
import { waitFor } from './support/app-process.ts';

const logger = createLogger({ level: 'silent', instance: 'test', variant: 'stateful' });

function sessionData(
  expiresInMs: number,
  cart = { cartId: 'c_aaaaaaaaaaaaaaaa', rev: 1, lines: [] },
): SessionData {
  const expires = new Date(Date.now() + expiresInMs);
  return {
    cookie: { originalMaxAge: expiresInMs, expires, httpOnly: true, path: '/' },
    cart,
    createdAt: Date.now(),
  } as unknown as SessionData;
}

const promised = (store: Store) => ({
  get: (sid: string) =>
    new Promise<SessionData | null | undefined>((resolve, reject) =>
      store.get(sid, (err, s) => (err ? reject(err) : resolve(s))),
    ),
  set: (sid: string, s: SessionData) =>
    new Promise<void>((resolve, reject) => store.set(sid, s, (err) => (err ? reject(err) : resolve()))),
  destroy: (sid: string) =>
    new Promise<void>((resolve, reject) => store.destroy(sid, (err) => (err ? reject(err) : resolve()))),
  touch: (sid: string, s: SessionData) =>
    new Promise<void>((resolve) => store.touch!(sid, s, () => resolve())),
});

type OpenStore = (ttlS?: number) => Promise<{ store: Store; close(): Promise<void> }>;

function storeSuite(name: string, open: OpenStore): void {
  describe(`session store: ${name}`, () => {
    let s: ReturnType<typeof promised>;
    let handle: { store: Store; close(): Promise<void> };
    before(async () => {
      handle = await open();
      s = promised(handle.store);
    });
    after(() => handle?.close());

    it('set then get returns the session; an unknown id reads as none', async () => {
      const data = sessionData(60_000);
      await s.set('set-get.stateful-1', data);
      const back = await s.get('set-get.stateful-1');
      assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(data)));
      assert.equal((await s.get('nobody.stateful-1')) ?? null, null);
    });

    it('set replaces the stored session', async () => {
      await s.set('replace.stateful-1', sessionData(60_000));
      const next = sessionData(60_000, { cartId: 'c_bbbbbbbbbbbbbbbb', rev: 2, lines: [] });
      await s.set('replace.stateful-1', next);
      assert.equal(((await s.get('replace.stateful-1')) as { cart: { rev: number } }).cart.rev, 2);
    });

    it('destroy removes the session', async () => {
      await s.set('destroy.stateful-1', sessionData(60_000));
      await s.destroy('destroy.stateful-1');
      assert.equal((await s.get('destroy.stateful-1')) ?? null, null);
    });

    it('a session expires with its cookie, and touch pushes its expiry back', async () => {
      await s.set('untouched.stateful-1', sessionData(1_000));
      await s.set('touched.stateful-1', sessionData(1_000));
      await s.touch('touched.stateful-1', sessionData(60_000));
      assert.ok(await s.get('untouched.stateful-1'), 'present before it expires');
      await waitFor(
        'the untouched session to expire',
        async () => ((await s.get('untouched.stateful-1')) ? undefined : true),
        5_000,
      );
      assert.ok(await s.get('touched.stateful-1'), 'the touched session outlives the untouched one');
    });

    it('with an idle TTL, a session expires that long after its last read, whatever its cookie says', async (t) => {
      const withTtl = await open(2);
      t.after(() => withTtl.close());
      const ttl = promised(withTtl.store);
      await ttl.set('idle.stateful-1', sessionData(60_000));
      await ttl.set('read.stateful-1', sessionData(60_000));
      // Four reads 0.8 s apart outlive one 2 s TTL only if each one pushed the expiry back.
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 800));
        assert.ok(await ttl.get('read.stateful-1'), `read ${i + 1}`);
      }
      assert.equal((await ttl.get('idle.stateful-1')) ?? null, null, 'the unread session expired');
      assert.ok(await ttl.get('read.stateful-1'), 'the session read meanwhile outlives the idle one');
    });
  });
}

storeSuite('memory', async (ttlS) => {
  const store = new MemorySessionStore({ cap: 1_000, ...(ttlS === undefined ? {} : { ttlS }) });
  return { store, close: async () => store.close() };
});

storeSuite('connect-redis over a real redis-server', async (ttlS) => {
  const redis = await startRedisServer();
  const handle = createRedisSessionStore({ url: redis.url, commandTimeoutMs: 500 }, logger, ttlS);
  await waitFor('redis client ready', async () => (handle.isReady() ? true : undefined), 5_000);
  return {
    store: handle.store,
    async close() {
      await handle.close();
      await redis.close();
    },
  };
});

describe('memory store bounds', () => {
  it('the prune timer drops expired sessions without anyone reading them', async (t) => {
    const store = new MemorySessionStore({ cap: 100, pruneIntervalMs: 50 });
    t.after(() => store.close());
    const s = promised(store);
    await s.set('short.stateful-1', sessionData(100));
    await s.set('long.stateful-1', sessionData(60_000));
    assert.equal(store.size, 2);
    await waitFor(
      'the expired session to be pruned',
      async () => (store.size === 1 ? true : undefined),
      5_000,
    );
    assert.ok(await s.get('long.stateful-1'));
  });

  it('prune() removes exactly the expired sessions', async (t) => {
    let now = Date.now();
    const store = new MemorySessionStore({ cap: 100, now: () => now });
    t.after(() => store.close());
    const s = promised(store);
    await s.set('a.stateful-1', sessionData(1_000));
    await s.set('b.stateful-1', sessionData(1_000));
    await s.set('c.stateful-1', sessionData(10_000));
    now += 5_000;
    assert.equal(store.prune(), 2);
    assert.equal(store.size, 1);
  });

  it('at the cap, a new session evicts the least recently used one', async (t) => {
    const store = new MemorySessionStore({ cap: 3 });
    t.after(() => store.close());
    const s = promised(store);
    for (const sid of ['a', 'b', 'c']) await s.set(sid, sessionData(60_000));
    await s.get('a');
    await s.set('d', sessionData(60_000));
    assert.equal(store.size, 3);
    assert.equal(await s.get('b'), null, 'b was the least recently used');
    for (const sid of ['a', 'c', 'd']) assert.ok(await s.get(sid), sid);
  });

  it('onEvict is told of every unexpired session evicted at the cap, not of an expired one', async (t) => {
    let now = Date.now();
    const evicted: number[] = [];
    const store = new MemorySessionStore({ cap: 2, now: () => now, onEvict: (n) => evicted.push(n) });
    t.after(() => store.close());
    const s = promised(store);
    await s.set('expiring', sessionData(1_000));
    await s.set('live', sessionData(60_000));
    now += 5_000;
    await s.set('third', sessionData(60_000));
    assert.deepEqual(evicted, [], 'the expired session made room');
    await s.set('fourth', sessionData(60_000));
    assert.deepEqual(evicted, [1], 'the live one it evicted');
    assert.equal(await s.get('live'), null);
  });

  it('thousands of sessions over the cap stay bounded, keeping the newest', async (t) => {
    const store = new MemorySessionStore({ cap: 1_000 });
    t.after(() => store.close());
    const s = promised(store);
    for (let i = 0; i < 5_000; i++) await s.set(`s${i}`, sessionData(60_000));
    assert.equal(store.size, 1_000);
    assert.equal(await s.get('s0'), null);
    assert.equal(await s.get('s3999'), null);
    assert.ok(await s.get('s4000'));
    assert.ok(await s.get('s4999'));
  });

  it('close() stops the prune timer', async () => {
    const store = new MemorySessionStore({ cap: 10, pruneIntervalMs: 20 });
    const s = promised(store);
    store.close();
    await s.set('gone.stateful-1', sessionData(1));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(store.size, 1, 'no prune ran after close');
  });
});
