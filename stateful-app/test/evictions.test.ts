/**
 * What a flood costs, with `main.ts` child processes as the lab runs them: reads without a stored
 * session store nothing (memory or Redis), so they cannot push a victim's cart out; writes past
 * SESSION_MEMORY_CAP evict, and each eviction is counted on /metrics and warned about in the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CATALOG, TOPOLOGY } from '@statelab/cart-core';
import { createTestClient, type TestClient } from '@statelab/cart-core/testing';
import { type RedisServer, startRedisServer } from '@statelab/processes';
import { Redis } from 'ioredis';
import { type AppProcess, startAppProcess, waitFor } from './support/app-process.ts';
import { SECRET } from './support/in-process-app.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const CAP = 40;
const FLOOD = 45;

function memoryEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    INSTANCE_ID: 'stateful-1',
    VARIANT: 'stateful',
    SESSION_SECRET: SECRET,
    SESSION_MEMORY_CAP: String(CAP),
    SESSION_EVICTION_WARN_EVERY_S: '1',
    ...extra,
  };
}

async function metric(url: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

interface EvictionWarning {
  time: number;
  evicted: number;
  evictedTotal: number;
  cap: number;
}

function evictionWarnings(output: string): EvictionWarning[] {
  return output
    .split('\n')
    .filter((line) => line.includes('evicted at SESSION_MEMORY_CAP'))
    .map((line) => JSON.parse(line) as EvictionWarning & { level: number });
}

/** A victim with a 5-item cart. */
async function victimOf(url: string): Promise<{ client: TestClient; cartId: string }> {
  const client = createTestClient(url);
  await client.request('POST', '/api/cart/items', { json: { productId: A.id, quantity: 3 } });
  const cart = (await client.request('POST', '/api/cart/items', { json: { productId: B.id, quantity: 2 } }))
    .body;
  assert.equal(cart.itemCount, 5);
  return { client, cartId: cart.cartId };
}

/** `count` requests from clients that never send a cookie of their own (some send a forged one). */
async function flood(
  url: string,
  count: number,
  request: (client: TestClient, i: number) => Promise<unknown>,
) {
  for (let i = 0; i < count; i += 15) {
    await Promise.all(
      Array.from({ length: Math.min(15, count - i) }, (_, j) => request(createTestClient(url), i + j)),
    );
  }
}

const forged = `${TOPOLOGY.stateful.cookieName}=s%3Aforged.stateful-1.c2lnbmF0dXJl`;

describe(`stateful at SESSION_MEMORY_CAP=${CAP}`, () => {
  let app: AppProcess;
  before(async () => {
    app = await startAppProcess(memoryEnv());
  });
  after(() => app?.kill());

  it(`${FLOOD * 10} reads without a cookie or with a forged one store nothing: the victim's cart survives, nothing evicted`, async () => {
    const victim = await victimOf(app.url);
    await flood(app.url, FLOOD * 10, async (client, i) => {
      const headers = i % 2 === 0 ? { cookie: forged } : undefined;
      const res = await client.request('GET', '/api/cart', headers ? { headers } : {});
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.getSetCookie().length, 0, 'no cookie for a session never stored');
    });
    const seen = (await victim.client.request('GET', '/api/cart')).body;
    assert.equal(seen.cartId, victim.cartId);
    assert.equal(seen.itemCount, 5);
    assert.equal(await metric(app.url, 'sessions_in_memory'), 1, 'only the victim is stored');
    assert.equal(await metric(app.url, 'sessions_evicted_total'), 0);
    assert.deepEqual(evictionWarnings(app.output()), []);
  });

  it(`${FLOOD} new clients that write evict the oldest live sessions: sessions_evicted_total counts each, and the warnings, at most one a second, add up to it`, async () => {
    const victim = await victimOf(app.url);
    const stored = (await metric(app.url, 'sessions_in_memory'))!;
    await flood(app.url, FLOOD, async (client, i) => {
      const res = await client.request('POST', '/api/cart/items', {
        json: { productId: CATALOG[i % CATALOG.length]!.id },
        ...(i % 2 === 0 ? { headers: { cookie: forged } } : {}),
      });
      assert.equal(res.status, 200, res.text);
    });
    const evicted = stored + FLOOD - CAP;
    assert.equal(await metric(app.url, 'sessions_in_memory'), CAP);
    assert.equal(await metric(app.url, 'sessions_evicted_total'), evicted);
    const lost = (await victim.client.request('GET', '/api/cart')).body;
    assert.notEqual(lost.cartId, victim.cartId, 'the victim was the least recently used');
    assert.deepEqual(lost.items, []);

    // The first eviction is warned about at once; the rest within the second follow when it ends.
    const warnings = await waitFor(
      `warnings adding up to ${evicted} evictions`,
      async () => {
        const all = evictionWarnings(app.output());
        return all.reduce((n, w) => n + w.evicted, 0) === evicted ? all : undefined;
      },
      10_000,
      app.output,
    );
    assert.ok(warnings.length >= 2, JSON.stringify(warnings));
    assert.equal(warnings.at(-1)!.evictedTotal, evicted);
    for (const w of warnings) assert.equal(w.cap, CAP);
    for (let i = 1; i < warnings.length; i++) {
      const gap = warnings[i]!.time - warnings[i - 1]!.time;
      assert.ok(gap >= 990, `warnings ${gap} ms apart, at most one per SESSION_EVICTION_WARN_EVERY_S`);
    }
  });
});

describe('stateful-redis', () => {
  let redis: RedisServer;
  let app: AppProcess;
  let client: Redis;
  before(async () => {
    redis = await startRedisServer();
    app = await startAppProcess({
      INSTANCE_ID: 'stateful-redis-1',
      VARIANT: 'stateful-redis',
      SESSION_SECRET: SECRET,
      REDIS_URL: redis.url,
    });
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
  });
  after(async () => {
    client?.disconnect();
    await app?.kill();
    await redis?.close();
  });

  it(`${FLOOD * 10} reads without a cookie or with a forged one store nothing: DBSIZE stays at the victim's one session`, async () => {
    const victim = await victimOf(app.url);
    assert.equal(await client.dbsize(), 1);
    const forgedRedis = `${TOPOLOGY['stateful-redis'].cookieName}=s%3Aforged.stateful-redis-1.c2lnbmF0dXJl`;
    await flood(app.url, FLOOD * 10, async (c, i) => {
      const res = await c.request(
        'GET',
        '/api/cart',
        i % 2 === 0 ? { headers: { cookie: forgedRedis } } : {},
      );
      assert.equal(res.status, 200, res.text);
    });
    assert.equal(await client.dbsize(), 1);
    const seen = (await victim.client.request('GET', '/api/cart')).body;
    assert.equal(seen.cartId, victim.cartId);
    assert.equal(seen.itemCount, 5);
  });
});
