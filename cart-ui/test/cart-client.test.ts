/**
 * The page's cart client as a careful client, against a real loopback server that fails on cue:
 * a write is sent again with the same Idempotency-Key after a 502/503/504 or a broken connection,
 * at most 3 more times; reads and 4xx are not; every write has a key of its own.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { type CartClient, createCartClient, WRITE_RETRIES } from '../src/api/cart-client.ts';

const CART = {
  cartId: 'c_AAAAAAAAAAAAAAAA',
  rev: 1,
  items: [{ productId: 'mug-ink', name: 'Mug', quantity: 1, unitPriceCents: 100, lineTotalCents: 100 }],
  itemCount: 1,
  totalCents: 100,
  servedBy: { instance: 'stateful-redis-2', variant: 'stateful-redis' },
};

/** What the server does with each request, in order; then 200 with the cart. */
let script: Array<'502' | '503' | '504' | 'drop' | '409'> = [];
const seen: Array<{ method: string; key: string | undefined }> = [];

function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ method: req.method!, key: req.headers['idempotency-key'] as string | undefined });
  const next = script.shift();
  if (next === 'drop') return void req.socket.destroy();
  const status = next === undefined ? 200 : Number(next);
  const body = status === 200 ? CART : { error: { code: 'x', message: 'scripted' } };
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-served-by': 'stateful-redis-2',
    ...(status === 200 && seen.length > 1 ? { 'idempotent-replayed': 'true' } : {}),
  });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => req.resume().on('end', () => answer(req, res)));
let client: CartClient;
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = createCartClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stateful-redis/`, 1);
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  seen.length = 0;
});

test('a write that gets 502, 503 and a broken connection is sent again with the same key, and the answer says so', async () => {
  script = ['502', '503', 'drop'];
  const added = await client.add('mug-ink');
  assert.equal(added.status, 200);
  assert.equal(added.tries, 4);
  assert.equal(added.replayed, true);
  assert.equal(seen.length, 4);
  assert.match(seen[0]!.key!, /^[0-9a-f]{32}$/);
  assert.ok(
    seen.every((s) => s.key === seen[0]!.key && s.method === 'POST'),
    JSON.stringify(seen),
  );
});

test(`after ${WRITE_RETRIES} retries the client gives up and shows the last failure`, async () => {
  script = ['504', '504', '504', '504', '504'];
  const failed = await client.remove('mug-ink');
  assert.equal(failed.status, 504);
  assert.equal(failed.tries, 1 + WRITE_RETRIES);
  assert.equal(seen.length, 1 + WRITE_RETRIES);
});

test('a 4xx is final, and a read is never retried by the page (nginx retries reads itself)', async () => {
  script = ['409'];
  const refused = await client.setQuantity('mug-ink', 3);
  assert.equal(refused.status, 409);
  assert.equal(refused.tries, undefined);
  script = ['502'];
  const read = await client.cart();
  assert.equal(read.status, 502);
  assert.equal(seen.length, 2);
  assert.equal(seen[1]!.key, undefined, 'a read sends no key');
});

test('two writes carry two keys', async () => {
  await client.add('mug-ink');
  await client.clear();
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0]!.key, seen[1]!.key);
});
