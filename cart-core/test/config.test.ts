import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, commonConfig, commonEnvShape, parseEnv, secret } from '../src/http/index.ts';

describe('config parsing', () => {
  it('defaults fill in everything but INSTANCE_ID', () => {
    const config = commonConfig(parseEnv(commonEnvShape, { INSTANCE_ID: 'stateful-1' }));
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.limits, { maxLines: 50, maxQuantity: 99, maxBodyBytes: 16384 });
  });

  it('SOCKET_PATH is optional, absolute and shorter than 100 bytes; the accept grace defaults to 1 s', () => {
    const parse = (env: Record<string, string>) =>
      commonConfig(parseEnv(commonEnvShape, { INSTANCE_ID: 'stateful-1', ...env }));
    assert.equal(parse({}).socketPath, undefined);
    assert.equal(parse({}).shutdownAcceptGraceMs, 1_000);
    const longest = `/${'s'.repeat(98)}`;
    assert.equal(parse({ SOCKET_PATH: longest }).socketPath, longest);
    assert.throws(() => parse({ SOCKET_PATH: `${longest}x` }), /SOCKET_PATH must be shorter than 100 bytes/);
    assert.throws(() => parse({ SOCKET_PATH: 'run/app.sock' }), /SOCKET_PATH must be an absolute path/);
  });

  it('every problem is listed in one ConfigError', () => {
    const shape = { ...commonEnvShape, SESSION_SECRET: secret };
    assert.throws(
      () => parseEnv(shape, { PORT: 'eighty', LOG_LEVEL: 'loud', SESSION_SECRET: 'short' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 4, err.message);
        for (const name of ['INSTANCE_ID', 'PORT', 'LOG_LEVEL', 'SESSION_SECRET'])
          assert.match(err.message, new RegExp(name));
        assert.match(err.message, /at least 32 bytes/);
        return true;
      },
    );
  });

  it('a 32-byte secret is accepted, a 31-byte one is not', () => {
    const shape = { S: secret };
    assert.doesNotThrow(() => parseEnv(shape, { S: 'x'.repeat(32) }));
    assert.throws(() => parseEnv(shape, { S: 'x'.repeat(31) }), ConfigError);
    assert.equal(z.object(shape).safeParse({}).success, false);
  });
});
