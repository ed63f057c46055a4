/**
 * A key still being processed: while the first request's write has not been stored, a repeat on
 * the same instance is 409 idempotency_key_in_flight and changes nothing; once stored, a repeat is
 * the replay. A holder whose write waits for the test makes the window certain.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CartHolder } from '../src/http/index.ts';
import { CATALOG, TOPOLOGY } from '../src/index.ts';
import { createTestClient, type TestClient } from '../src/testing/index.ts';
import { startCoreApp } from './support-core-app.ts';
import { memoryHolder } from './support-memory-holder.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const memory = memoryHolder(TOPOLOGY.stateful.cookieName);
/** While `gate` is set, writes wait for it and say when they start waiting. */
let gate: Promise<void> | undefined;
let writing: (() => void) | undefined;
const holder: CartHolder = {
  read: memory.read,
  async write(req, res, cart) {
    if (gate) {
      writing?.();
      await gate;
    }
    return memory.write(req, res, cart);
  },
};

let server: Awaited<ReturnType<typeof startCoreApp>>;
let client: TestClient;
before(async () => {
  server = await startCoreApp(holder);
  client = createTestClient(server.url);
  await client.request('POST', '/api/cart/items', { json: { productId: A.id } });
});
after(() => server.close());

const add = (key: string, productId = B.id) =>
  client.request('POST', '/api/cart/items', { json: { productId }, headers: { 'idempotency-key': key } });

test('a repeat while the first is still being stored → 409 idempotency_key_in_flight, Retry-After 1; then the replay', async () => {
  const started = new Promise<void>((resolve) => {
    writing = resolve;
  });
  let open = () => {};
  gate = new Promise((resolve) => {
    open = resolve;
  });
  const first = add('k-1');
  await started;
  const busy = await add('k-1');
  assert.equal(busy.status, 409, busy.text);
  assert.equal(busy.body.error.code, 'idempotency_key_in_flight');
  assert.equal(busy.headers.get('retry-after'), '1');
  // Another key is another write: not held up by the first one's key.
  const other = add('k-2', A.id);
  open();
  gate = undefined;
  const done = await first;
  assert.equal(done.status, 200);
  assert.equal((await other).status, 200);
  const again = await add('k-1');
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual([again.body.rev, again.body.items], [done.body.rev, done.body.items]);
  const cart = (await client.request('GET', '/api/cart')).body;
  assert.deepEqual(
    cart.items.map((i: { productId: string; quantity: number }) => [i.productId, i.quantity]),
    [
      [A.id, 2],
      [B.id, 1],
    ],
    'B once (the 409 changed nothing), A twice',
  );
});
