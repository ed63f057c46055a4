/** Configuration: parsed once, every problem in one ConfigError; `main.ts` exits 78 on a bad config. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT } from '@statelab/cart-core';
import { ConfigError } from '@statelab/cart-core/http';
import { loadConfig } from '../src/config.ts';
import { runMain, TEST_SECRET } from './helpers.ts';

test('defaults: TTL one day, max age one week, variant stateless, frozen', () => {
  const config = loadConfig({ INSTANCE_ID: 'stateless-1', JWT_SECRET: TEST_SECRET });
  assert.equal(config.variant, 'stateless');
  assert.equal(config.instance, 'stateless-1');
  assert.equal(config.port, 3000);
  assert.deepEqual(config.token, { secret: TEST_SECRET, ttlS: 86_400, maxAgeS: 604_800 });
  assert.deepEqual(config.limits, { maxLines: 50, maxQuantity: 99, maxBodyBytes: 16_384 });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.token));
  assert.equal(
    loadConfig({ INSTANCE_ID: 'stateless-1', JWT_SECRET: TEST_SECRET, VARIANT: 'stateless' }).variant,
    'stateless',
  );
});

test('short secret, missing INSTANCE_ID and VARIANT=stateful → one ConfigError listing all three', () => {
  assert.throws(
    () => loadConfig({ JWT_SECRET: 'short', VARIANT: 'stateful' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 3, err.message);
      assert.match(err.message, /INSTANCE_ID is required/);
      assert.match(err.message, /JWT_SECRET must be at least 32 bytes/);
      assert.match(err.message, /VARIANT must be stateless/);
      return true;
    },
  );
});

const BAD_ENVS: ReadonlyArray<[string, Record<string, string | undefined>, RegExp]> = [
  ['missing JWT_SECRET', { JWT_SECRET: undefined }, /JWT_SECRET is required/],
  ['TOKEN_TTL_S not a number', { TOKEN_TTL_S: 'soon' }, /TOKEN_TTL_S/],
  ['TOKEN_MAX_AGE_S zero', { TOKEN_MAX_AGE_S: '0' }, /TOKEN_MAX_AGE_S/],
  [
    'TOKEN_TTL_S above TOKEN_MAX_AGE_S',
    { TOKEN_TTL_S: '7200', TOKEN_MAX_AGE_S: '3600' },
    /TOKEN_TTL_S must not exceed/,
  ],
  ['PORT out of range', { PORT: '70000' }, /PORT/],
];
for (const [name, env, message] of BAD_ENVS) {
  test(`${name} → ConfigError`, () => {
    const base = {
      INSTANCE_ID: 'stateless-1',
      ...(name === 'missing JWT_SECRET' ? {} : { JWT_SECRET: TEST_SECRET }),
    };
    assert.throws(
      () => loadConfig({ ...base, ...env }),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
  });
}

test('main.ts with a bad config exits 78 with one line on stderr and nothing on stdout', async (t) => {
  const { code, stdout, stderr } = await runMain(t, {
    INSTANCE_ID: undefined,
    JWT_SECRET: 'short',
    VARIANT: 'stateful',
  });
  assert.equal(code, EXIT.config, stderr);
  assert.equal(stdout, '');
  const lines = stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, /^invalid configuration: (?=.*INSTANCE_ID)(?=.*JWT_SECRET)(?=.*VARIANT)/);
});
