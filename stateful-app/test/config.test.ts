import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT } from '@statelab/cart-core';
import { ConfigError } from '@statelab/cart-core/http';
import { loadConfig } from '../src/config.ts';
import { runMain } from './support/app-process.ts';
import { SECRET } from './support/in-process-app.ts';

const VALID = { INSTANCE_ID: 'stateful-1', VARIANT: 'stateful', SESSION_SECRET: SECRET };

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults: memory sessions, 30 min sliding, 24 h absolute, 100000 cap, an eviction warning at most every 10 s, cookie named for the variant', () => {
    const config = loadConfig(VALID);
    assert.equal(config.variant, 'stateful');
    assert.equal(config.redis, undefined);
    assert.deepEqual(config.session, {
      cookieName: 'statelab_sf_sid',
      secret: SECRET,
      idleTimeoutS: 1_800,
      absoluteTimeoutS: 86_400,
      memoryCap: 100_000,
      evictionWarnEveryS: 10,
    });
    assert.equal(config.port, 3000);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.session));
  });

  it('stateful-redis takes REDIS_URL (with its password) and REDIS_COMMAND_TIMEOUT_MS', () => {
    const url = 'redis://:0123456789abcdef0123456789abcdef@127.0.0.1:6379';
    const config = loadConfig({
      ...VALID,
      VARIANT: 'stateful-redis',
      REDIS_URL: url,
      REDIS_COMMAND_TIMEOUT_MS: '250',
    });
    assert.deepEqual(config.redis, { url, commandTimeoutMs: 250 });
    assert.equal(config.session.cookieName, 'statelab_sfr_sid');
  });

  it('a short secret, a missing INSTANCE_ID and a bad VARIANT are all reported in one ConfigError', () => {
    const message = problemsOf({ SESSION_SECRET: 'short', VARIANT: 'stateless' });
    assert.match(message, /SESSION_SECRET must be at least 32 bytes/);
    assert.match(message, /INSTANCE_ID is required/);
    assert.match(message, /VARIANT must be one of stateful, stateful-redis/);
  });

  const table: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a missing SESSION_SECRET',
      { INSTANCE_ID: 'stateful-1', VARIANT: 'stateful' },
      /SESSION_SECRET is required/,
    ],
    [
      'stateful-redis without REDIS_URL',
      { ...VALID, VARIANT: 'stateful-redis' },
      /REDIS_URL is required when VARIANT is stateful-redis/,
    ],
    [
      'a REDIS_URL that is not redis://',
      { ...VALID, VARIANT: 'stateful-redis', REDIS_URL: 'http://x' },
      /REDIS_URL must be a redis:\/\//,
    ],
    [
      'a REDIS_URL that does not parse',
      { ...VALID, VARIANT: 'stateful-redis', REDIS_URL: 'redis://[::1' },
      /REDIS_URL must be a redis:\/\//,
    ],
    [
      'an idle timeout above the absolute one',
      { ...VALID, SESSION_IDLE_TIMEOUT_S: '90', SESSION_ABSOLUTE_TIMEOUT_S: '60' },
      /must not exceed/,
    ],
    ['a cap of 0', { ...VALID, SESSION_MEMORY_CAP: '0' }, /SESSION_MEMORY_CAP/],
    [
      'an eviction warning interval of 0',
      { ...VALID, SESSION_EVICTION_WARN_EVERY_S: '0' },
      /SESSION_EVICTION_WARN_EVERY_S/,
    ],
    [
      'a non-numeric command timeout',
      { ...VALID, REDIS_COMMAND_TIMEOUT_MS: 'fast' },
      /REDIS_COMMAND_TIMEOUT_MS/,
    ],
    ['an uppercase INSTANCE_ID', { ...VALID, INSTANCE_ID: 'Stateful-1' }, /INSTANCE_ID must be lowercase/],
  ];
  for (const [name, env, expected] of table) {
    it(`${name} is refused`, () => {
      assert.match(problemsOf(env), expected);
    });
  }

  it('main.ts with a bad configuration exits 78 with one line on stderr naming every problem', async () => {
    const { code, stdout, stderr } = await runMain({ SESSION_SECRET: 'short', VARIANT: 'nope' });
    assert.equal(code, EXIT.config);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /^invalid configuration: /);
    for (const name of ['INSTANCE_ID', 'VARIANT', 'SESSION_SECRET'])
      assert.match(lines[0]!, new RegExp(name));
  });
});
