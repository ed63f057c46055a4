/**
 * SIGTERM under load: keep-alive clients busy on a `main.ts` child all get their answers; each
 * is told `Connection: close` and leaves; the process drains and exits 0.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { it } from 'node:test';
import { CATALOG, EXIT, TOPOLOGY } from '@statelab/cart-core';
import { startAppProcess, waitFor } from './support/app-process.ts';
import { SECRET } from './support/in-process-app.ts';

const NAME = TOPOLOGY.stateful.cookieName;
const CLIENTS = 8;
const MAX_REQUESTS = 2_000;

interface Answer {
  status: number;
  closing: boolean;
  cookie: string | undefined;
}

function send(
  agent: http.Agent,
  url: string,
  method: string,
  path: string,
  cookie: string | undefined,
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request(new URL(path, url), { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          closing: res.headers.connection === 'close',
          cookie: res.headers['set-cookie']?.find((c) => c.startsWith(`${NAME}=`))?.split(';')[0],
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

it('SIGTERM with keep-alive requests in flight: every request succeeds, each client is told to close, exit 0', async (t) => {
  const app = await startAppProcess({
    INSTANCE_ID: 'stateful-1',
    VARIANT: 'stateful',
    SESSION_SECRET: SECRET,
    SHUTDOWN_IDLE_GRACE_MS: '300',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  t.after(() => app.kill());

  let answered = 0;
  const failures: string[] = [];
  const told = new Set<number>();
  const shopper = async (n: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let cookie: string | undefined;
    try {
      for (let i = 0; i < MAX_REQUESTS; i++) {
        const answer =
          i % 2 === 0
            ? await send(agent, app.url, 'POST', '/api/cart/items', cookie, { productId: CATALOG[n]!.id })
            : await send(agent, app.url, 'GET', '/api/cart', cookie);
        cookie = answer.cookie ?? cookie;
        answered += 1;
        if (answer.status !== 200) failures.push(`client ${n}: status ${answer.status}`);
        // Draining: a load balancer would send this client's next request to another instance.
        if (answer.closing) {
          told.add(n);
          return;
        }
      }
    } catch (err) {
      failures.push(`client ${n}: ${String(err)}`);
    } finally {
      agent.destroy();
    }
  };
  const running = Array.from({ length: CLIENTS }, (_, n) => shopper(n));
  await waitFor(
    'some answers before the stop',
    async () => (answered >= 50 ? true : undefined),
    10_000,
    app.output,
  );
  process.kill(app.pid, 'SIGTERM');
  await Promise.all(running);

  assert.deepEqual(failures, []);
  assert.equal(told.size, CLIENTS, 'every client was still connected when the drain began');
  assert.equal(await app.exited, EXIT.ok, app.output());
  assert.match(app.output(), /"msg":"stopping"/);
  assert.match(app.output(), /"msg":"stopped"/);
});
