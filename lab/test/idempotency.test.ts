/**
 * Idempotency-Key with real processes, per variant (docs/contract.md §2): a key in flight on one
 * instance is a 409; an instance SIGKILLed between storing a keyed write and answering it leaves
 * a write whose retry does not add twice. ANSWER_DELAY_MS holds every stored write open.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CATALOG, TOPOLOGY, VARIANTS, type Variant } from '@statelab/cart-core';
import { createTestClient, type TestClient, type TestResponse } from '@statelab/cart-core/testing';
import { type LabHandle, processHost, startLab } from '../src/index.ts';

const DELAY_MS = 800;
const [A, B] = [CATALOG[0]!, CATALOG[1]!];
let lab: LabHandle;

before(async () => {
  lab = await startLab(
    { port: 0, instances: 2, appEnv: { ANSWER_DELAY_MS: String(DELAY_MS), LOG_LEVEL: 'warn' } },
    processHost(),
  );
});
after(() => lab?.close());

let keys = 0;
const newKey = () => `lab-${process.pid}-${++keys}`;

/** Where an instance listens: its Unix socket (the default drain) or its loopback port. */
async function instanceAddress(id: string): Promise<{ socketPath: string } | { host: string; port: number }> {
  const info = (await lab.runtime.list()).find((i) => i.id === id);
  if (info?.socket) return { socketPath: info.socket };
  assert.ok(info?.port, `${id} listens somewhere`);
  return { host: '127.0.0.1', port: info.port };
}

interface Direct {
  status: number;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on whatever JSON came back.
  body: any;
}

/** A POST straight to an instance, past nginx; rejects when no answer comes (the instance died). */
function post(
  address: Awaited<ReturnType<typeof instanceAddress>>,
  headers: Record<string, string>,
  productId: string,
): Promise<Direct> {
  const body = JSON.stringify({ productId });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...address,
        method: 'POST',
        path: '/api/cart/items',
        headers: { host: 'localhost', 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The client's identity for a request sent straight to an instance: its cookie, or its token. */
function identity(client: TestClient, variant: Variant, last: TestResponse): Record<string, string> {
  if (variant === 'stateless') return { authorization: `Bearer ${last.headers.get('x-cart-token')}` };
  return { cookie: client.jar.header() ?? '' };
}

const lines = (cart: { items: Array<{ productId: string; quantity: number }> }) =>
  cart.items.map((i) => [i.productId, i.quantity]);

for (const variant of VARIANTS) {
  const prefix = TOPOLOGY[variant].prefix;

  describe(variant, () => {
    // The second is 409 while the first's write is not stored yet, and the replay once it is: which
    // one depends on when the store answered (the answer is held back after the write). Either way
    // the item is added once, and both say the same cart.
    test('two requests with one key at once on one instance → one write: a 409 idempotency_key_in_flight or the replay, never two', async () => {
      const client = createTestClient(lab.baseUrl);
      const first = await client.request('POST', `${prefix}api/cart/items`, { json: { productId: A.id } });
      assert.equal(first.status, 200, first.text);
      const address = await instanceAddress(first.headers.get('x-served-by')!);
      const headers = { ...identity(client, variant, first), 'idempotency-key': newKey() };
      const both = await Promise.all([post(address, headers, B.id), post(address, headers, B.id)]);
      const answers = both.map((r) => ({
        status: r.status,
        replayed: r.headers['idempotent-replayed'] ?? null,
        retryAfter: r.headers['retry-after'] ?? null,
        body: r.body,
      }));
      const applied = answers.filter((a) => a.status === 200 && a.replayed === null);
      assert.equal(applied.length, 1, JSON.stringify(answers));
      const other = answers.find((a) => a !== applied[0])!;
      if (other.status === 409) {
        assert.equal(other.body.error.code, 'idempotency_key_in_flight');
        assert.equal(other.retryAfter, '1');
      } else {
        assert.deepEqual([other.status, other.replayed], [200, 'true'], JSON.stringify(other));
        assert.deepEqual(other.body.items, applied[0]!.body.items);
      }
      assert.deepEqual(lines(applied[0]!.body), [
        [A.id, 1],
        [B.id, 1],
      ]);
      assert.equal(applied[0]!.body.rev, first.body.rev + 1);
    });

    test('SIGKILL between storing a keyed write and answering it → the retry with the key does not add twice', async (t) => {
      const client = createTestClient(lab.baseUrl);
      const first = await client.request('POST', `${prefix}api/cart/items`, { json: { productId: A.id } });
      assert.equal(first.status, 200, first.text);
      const victim = first.headers.get('x-served-by')!;
      const address = await instanceAddress(victim);
      const headers = { ...identity(client, variant, first), 'idempotency-key': newKey() };
      t.after(() => lab.runtime.start(victim));

      // Sent straight to the instance that holds the cart; killed while it holds the answer back.
      const pending = post(address, headers, B.id).then(
        (r) => r.status,
        () => 'no answer' as const,
      );
      await new Promise((resolve) => setTimeout(resolve, DELAY_MS / 2));
      await lab.runtime.kill(victim);
      assert.equal(await pending, 'no answer', 'the killed instance never answered');

      // The careful client's retry, through nginx: another instance answers it.
      const retry = await client.request('POST', `${prefix}api/cart/items`, {
        json: { productId: B.id },
        headers,
      });
      assert.equal(retry.status, 200, retry.text);
      assert.notEqual(retry.headers.get('x-served-by'), victim);
      if (variant === 'stateful') {
        // The session died with its instance: a lost cart (counted by the bench), not an error.
        assert.notEqual(retry.body.cartId, first.body.cartId);
        assert.deepEqual(lines(retry.body), [[B.id, 1]]);
        return;
      }
      assert.equal(retry.body.cartId, first.body.cartId);
      assert.deepEqual(lines(retry.body), [
        [A.id, 1],
        [B.id, 1],
      ]);
      assert.equal(retry.body.rev, first.body.rev + 1, 'applied once');
      if (variant === 'stateful-redis') {
        // The write and its receipt reached Redis in one SET before the kill: this is a replay.
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      }
    });
  });
}
