import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cartTravelsWithClient, TOPOLOGY, VARIANTS, variantsServedBy } from '../src/index.ts';

test('each app serves the variants the table gives it, in table order, and every variant has one app', () => {
  assert.deepEqual(variantsServedBy('stateful-app'), ['stateful', 'stateful-redis']);
  assert.deepEqual(variantsServedBy('stateless-app'), ['stateless']);
  assert.deepEqual(
    [...variantsServedBy('stateful-app'), ...variantsServedBy('stateless-app')].sort(),
    [...VARIANTS].sort(),
  );
});

test('only the token variant carries its cart with the client; only stateful-redis needs Redis', () => {
  assert.deepEqual(VARIANTS.filter(cartTravelsWithClient), ['stateless']);
  assert.deepEqual(
    VARIANTS.filter((v) => TOPOLOGY[v].needsRedis),
    ['stateful-redis'],
  );
});
