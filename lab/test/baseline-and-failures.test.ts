/**
 * The bench's baseline at /baseline/ (round-robin over bare express instances), and start-up
 * failures reported with the failing child's exit code and last output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processHost, startLab } from '../src/index.ts';

test('baseline: 2 → /baseline/api/cart answers a constant cart round-robin from baseline-1 and baseline-2', async (t) => {
  const lab = await startLab(
    {
      port: 0,
      instances: 1,
      variants: ['stateless'],
      baseline: 2,
      appEnv: { LOG_LEVEL: 'warn' },
    },
    processHost(),
  );
  t.after(() => lab.close());
  const { instances } = await (await fetch(`${lab.baseUrl}/lab/api/instances`)).json();
  assert.deepEqual(
    instances.map((i: { id: string; variant: string; state: string }) => [i.id, i.variant, i.state]),
    [
      ['stateless-1', 'stateless', 'running'],
      ['baseline-1', 'baseline', 'running'],
      ['baseline-2', 'baseline', 'running'],
    ],
    'no redis: no variant here needs it',
  );
  const servedBy = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${lab.baseUrl}/baseline/api/cart`);
    assert.equal(res.status, 200);
    const cart = await res.json();
    assert.deepEqual(Object.keys(cart), ['cartId', 'rev', 'items', 'itemCount', 'totalCents', 'servedBy']);
    assert.equal(cart.servedBy.instance, res.headers.get('x-served-by'));
    servedBy.add(cart.servedBy.instance);
  }
  assert.deepEqual([...servedBy].sort(), ['baseline-1', 'baseline-2']);
  const topology = await (await fetch(`${lab.baseUrl}/lab/api/topology`)).json();
  assert.equal(topology.baseline.prefix, '/baseline/');
  assert.equal(topology.redis, null);
});

test('an app that refuses its config → startLab rejects with "<id> exited with code 78: <its last lines>"', async () => {
  await assert.rejects(
    startLab(
      { port: 0, instances: 1, variants: ['stateless'], appEnv: { JWT_SECRET: 'too-short' } },
      processHost(),
    ),
    /stateless-1 exited with code 78:[\s\S]*JWT_SECRET/,
  );
});

test('startLab with bad options → one error listing every problem', async () => {
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: a caller without types passing wrong values.
    startLab({ port: -1, instances: 0, variants: ['nope'] } as any, processHost()),
    (err: Error) => /port/.test(err.message) && /instances/.test(err.message) && /variants/.test(err.message),
  );
});
