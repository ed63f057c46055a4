/** Small pure pieces: loopback addresses, the ready table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReadyTable } from '../src/cli/ready-table.ts';
import { isLoopbackAddress } from '../src/control/loopback.ts';

const addresses: Array<[string | undefined, boolean]> = [
  ['127.0.0.1', true],
  ['127.8.9.10', true],
  ['::1', true],
  ['::ffff:127.0.0.1', true],
  ['10.0.0.1', false],
  ['::ffff:192.168.1.2', false],
  ['128.0.0.1', false],
  ['127.0.0.1.evil.example', false],
  ['', false],
  [undefined, false],
];
for (const [address, loopback] of addresses) {
  test(`isLoopbackAddress(${JSON.stringify(address)}) → ${loopback}`, () => {
    assert.equal(isLoopbackAddress(address), loopback);
  });
}

test('the ready table lists the URLs, every process with its port or socket and pid, and a line containing "ready"', () => {
  const text = renderReadyTable({
    baseUrl: 'http://127.0.0.1:8080',
    variants: ['stateful', 'stateless'],
    instances: [
      { id: 'stateful-1', variant: 'stateful', state: 'running', port: 4001, pid: 11 },
      { id: 'stateless-1', variant: 'stateless', state: 'crashed', port: 4002 },
      {
        id: 'stateless-2',
        variant: 'stateless',
        state: 'running',
        socket: '/tmp/x/sockets/stateless-2.sock',
        pid: 12,
      },
    ],
    nginx: { pid: 10, port: 8080 },
    logDir: '/tmp/x/logs',
    seconds: 3.25,
  });
  assert.match(text, /^ {2}stateful +http:\/\/127\.0\.0\.1:8080\/stateful\/ +sticky$/m);
  assert.match(text, /^ {2}control API +http:\/\/127\.0\.0\.1:8080\/lab\/api\/instances/m);
  assert.match(text, /^ {2}nginx +running +8080 +10$/m);
  assert.match(text, /^ {2}stateful-1 +running +4001 +11$/m);
  assert.match(text, /^ {2}stateless-1 +crashed +4002 +-$/m);
  assert.match(text, /^ {2}stateless-2 +running +\/tmp\/x\/sockets\/stateless-2\.sock +12$/m);
  assert.match(text, /ready in 3\.3 s at http:\/\/127\.0\.0\.1:8080\//);
  assert.doesNotMatch(text, /stateful-redis/);
});
