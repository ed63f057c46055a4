import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, OptionsError, parseOptions, QUICK, SCENARIOS } from '../src/options.ts';

describe('options', () => {
  it('no flags: the table of defaults, closed loop, every variant and scenario', () => {
    const o = parseOptions([]);
    assert.deepEqual(o.variants, ['stateful', 'stateful-redis', 'stateless']);
    assert.deepEqual(o.scenarios, SCENARIOS);
    assert.equal(o.instances, DEFAULTS.instances);
    assert.equal(o.durationS, DEFAULTS.durationS);
    assert.equal(o.connections, DEFAULTS.connections);
    assert.equal(o.rate, undefined);
    assert.equal(o.runtime, 'native');
    assert.ok(Object.isFrozen(o));
  });

  it('--quick shortens everything; explicit flags still win over it', () => {
    const quick = parseOptions(['--quick']);
    assert.equal(quick.durationS, QUICK.durationS);
    assert.equal(quick.instances, QUICK.instances);
    assert.equal(quick.connections, QUICK.connections);
    assert.equal(parseOptions(['--quick', '--duration', '5']).durationS, 5);
  });

  it('lists are comma separated, trimmed and deduplicated', () => {
    const o = parseOptions([
      '--variants',
      'stateless, stateful,stateless',
      '--scenarios',
      'kill',
      '--cart-sizes',
      '1,50',
    ]);
    assert.deepEqual(o.variants, ['stateless', 'stateful']);
    assert.deepEqual(o.scenarios, ['kill']);
    assert.deepEqual(o.cartSizes, [1, 50]);
  });

  it('--drain picks how the labs the bench starts stop an instance (unlink by default); a running lab keeps its own', () => {
    assert.equal(parseOptions([]).drain, 'unlink');
    assert.equal(parseOptions(['--drain', 'close']).drain, 'close');
    assert.throws(() => parseOptions(['--drain', 'reload']), OptionsError);
    for (const argv of [
      ['--drain', 'close', '--target', 'http://127.0.0.1:8080'],
      ['--drain', 'unlink', '--runtime', 'compose'],
    ]) {
      assert.throws(
        () => parseOptions(argv),
        /--drain applies to the labs the bench starts itself/,
        argv.join(' '),
      );
    }
  });

  it('--rate turns on the open loop', () => {
    assert.equal(parseOptions(['--rate', '500', '--connections', '10']).rate, 500);
  });

  it('every problem is reported in one message', () => {
    const err = (() => {
      try {
        parseOptions([
          '--variants',
          'nope',
          '--instances',
          '0',
          '--duration',
          'abc',
          '--connections=-1',
          '--target',
          'http://example.com',
        ]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof OptionsError);
    assert.equal(err.problems.length, 5, err.message);
    for (const flag of ['--variants', '--instances', '--duration', '--connections', '--target'])
      assert.match(err.message, new RegExp(flag));
  });

  const refused: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['--bogus'], /bogus/],
    ['a positional argument', ['stateless'], /stateless/],
    ['--rate below --connections', ['--rate', '5', '--connections', '10'], /at least 1 request\/s/],
    ['a cart size over the 50-line limit', ['--cart-sizes', '1,51'], /cart-sizes/],
    ['an unknown scenario', ['--scenarios', 'kill,explode'], /scenarios/],
    ['a target that is not loopback', ['--target', 'http://10.0.0.1:8080'], /loopback/],
  ];
  for (const [name, argv, message] of refused) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => parseOptions(argv),
        (e: unknown) => e instanceof OptionsError && message.test(e.message),
      ));
  }

  it('accepts a loopback --target with --runtime compose', () => {
    const o = parseOptions(['--runtime', 'compose', '--target', 'http://127.0.0.1:8080']);
    assert.equal(o.runtime, 'compose');
    assert.equal(o.target, 'http://127.0.0.1:8080');
  });

  it('accepts --runtime compose alone: the compose lab is then looked for at its published port', () => {
    const o = parseOptions(['--runtime', 'compose']);
    assert.equal(o.runtime, 'compose');
    assert.equal(o.target, undefined);
  });
});
