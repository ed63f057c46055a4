import { Writable } from 'node:stream';
import { buildCartApp, createLifecycle, createLogger, createMetrics, serve } from '../src/http/index.ts';
import { DEFAULT_LIMITS, TOPOLOGY } from '../src/index.ts';
import { cartContract } from '../src/testing/index.ts';
import { memoryHolder } from './support-memory-holder.ts';

const quiet = new Writable({ write: (_chunk, _enc, done) => done() });

cartContract('core routes over an in-memory holder', async () => {
  const lifecycle = createLifecycle();
  const logger = createLogger({
    level: 'info',
    instance: 'stateful-1',
    variant: 'stateful',
    destination: quiet,
  });
  const app = buildCartApp({
    instance: 'stateful-1',
    variant: 'stateful',
    limits: DEFAULT_LIMITS,
    logger,
    metrics: createMetrics({ instance: 'stateful-1', variant: 'stateful' }),
    lifecycle,
    holder: memoryHolder(TOPOLOGY.stateful.cookieName),
  });
  const running = await serve(app, {
    instance: 'stateful-1',
    host: '127.0.0.1',
    port: 0,
    keepAliveTimeoutMs: 5000,
    shutdownAcceptGraceMs: 0,
    shutdownIdleGraceMs: 0,
    shutdownTimeoutMs: 1000,
    lifecycle,
    logger,
  });
  return { baseUrl: running.url, variant: 'stateful', instance: 'stateful-1', close: running.close };
});
