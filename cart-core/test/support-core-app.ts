/** The core's cart app over a given holder, served on a free loopback port, quiet. */
import { Writable } from 'node:stream';
import {
  buildCartApp,
  type CartHolder,
  createLifecycle,
  createLogger,
  createMetrics,
  type RunningServer,
  serve,
} from '../src/http/index.ts';
import { DEFAULT_LIMITS } from '../src/index.ts';

const quiet = new Writable({ write: (_chunk, _enc, done) => done() });

export async function startCoreApp(holder: CartHolder): Promise<RunningServer> {
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
    holder,
  });
  return serve(app, {
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
}
