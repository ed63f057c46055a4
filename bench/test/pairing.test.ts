/**
 * Answers are paired with their requests even when the server ends connections. A loopback server
 * that closes every third response with `Connection: close`: with autocannon's own handling the
 * generator writes requests on the closing socket and loses them (phantom failures with no error
 * behind them); with the bench's fix there are none. And the X-Request-Id check: a server that
 * names the wrong request in its answers has every such answer counted, none judged.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startLoad } from '../src/load.ts';
import { createShopper } from '../src/shopper.ts';

let answered = 0;
/** Names the request before this one in each answer, as a mis-paired answer would. */
let namesPrevious = false;
let previousId = 'none';
const server = createServer((req, res) => {
  const id = String(req.headers['x-request-id']);
  answered += 1;
  const body = JSON.stringify({
    cartId: 'c_AAAAAAAAAAAAAAAA',
    rev: 0,
    items: [],
    itemCount: 0,
    totalCents: 0,
    servedBy: { instance: 'stateless-1', variant: 'stateless' },
  });
  res.writeHead(200, {
    'content-type': 'application/json',
    'x-served-by': 'stateless-1',
    'x-request-id': namesPrevious ? previousId : id,
    // Node ends the socket after this answer, as nginx or a draining app would.
    ...(answered % 3 === 0 ? { connection: 'close' } : {}),
  });
  previousId = id;
  res.end(body);
});
let baseUrl = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function load(honourConnectionClose: boolean) {
  return startLoad({
    baseUrl,
    prefix: '/',
    connections: 2,
    maxDurationS: 1,
    makeShopper: () => createShopper('stateless', 'probe', Number.POSITIVE_INFINITY),
    honourConnectionClose,
  }).done;
}

test("autocannon's own handling of Connection: close loses the request it writes on the closing socket", async () => {
  const { tally } = await load(false);
  assert.ok(tally.firstTryFailures > 0, JSON.stringify(tally));
  assert.equal(tally.errors, 0, 'no error behind those failures: the server answered everything it got');
});

test('with the fix every request is answered on a new connection after each close: no loss, no error', async () => {
  const { tally } = await load(true);
  assert.ok(tally.requests > 30, `requests: ${tally.requests}`);
  assert.deepEqual([tally.firstTryFailures, tally.errors, tally.mispairedAnswers], [0, 0, 0]);
  assert.equal(tally.ok, tally.requests);
});

test('an answer that names another request is counted as mis-paired and never judged', async (t) => {
  namesPrevious = true;
  t.after(() => {
    namesPrevious = false;
  });
  const { tally } = await load(true);
  assert.ok(tally.mispairedAnswers > 0);
  assert.equal(tally.ok, 0, 'no answer reached the ledger');
  assert.equal(tally.mispairedAnswers, tally.requests);
});
