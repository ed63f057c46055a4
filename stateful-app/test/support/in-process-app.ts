/** The app built and served in this process on a free port, with its logs kept in memory. */
import { Writable } from 'node:stream';
import { createLifecycle, createLogger, createMetrics, serve } from '@statelab/cart-core/http';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type StatefulConfig } from '../../src/config.ts';
import { createSessionStore, type SessionStoreHandle } from '../../src/session-store/create-session-store.ts';
import { waitFor } from './app-process.ts';

export const SECRET = 'test-secret-0123456789abcdef-0123456789abcdef';

export interface StartedApp {
  readonly baseUrl: string;
  readonly instance: string;
  readonly variant: StatefulConfig['variant'];
  readonly config: StatefulConfig;
  readonly sessions: SessionStoreHandle;
  logs(): string;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Use this store instead of the one the config names. */
  sessions?: SessionStoreHandle;
  now?: () => number;
  /** Wait for /readyz 200 before returning (default true). */
  ready?: boolean;
}

export async function startApp(options: StartOptions = {}): Promise<StartedApp> {
  const config = loadConfig({
    INSTANCE_ID: 'stateful-1',
    VARIANT: 'stateful',
    SESSION_SECRET: SECRET,
    PORT: '0',
    SHUTDOWN_IDLE_GRACE_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...options.env,
  });
  let logs = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  const logger = createLogger({
    level: 'info',
    instance: config.instance,
    variant: config.variant,
    destination,
  });
  const lifecycle = createLifecycle();
  const sessions = options.sessions ?? createSessionStore(config, logger);
  const app = buildApp(config, {
    logger,
    lifecycle,
    metrics: createMetrics({ instance: config.instance, variant: config.variant }),
    sessions,
    ...(options.now ? { now: options.now } : {}),
  });
  const running = await serve(app, { ...config, lifecycle, logger });
  if (options.ready !== false) {
    // As the lab does: no traffic before /readyz says the store is there.
    await waitFor(
      '/readyz 200',
      async () => ((await fetch(`${running.url}/readyz`)).ok ? true : undefined),
      10_000,
      () => logs,
    ).catch(async (err: unknown) => {
      await running.close();
      await sessions.close();
      throw err;
    });
  }
  return {
    baseUrl: running.url,
    instance: config.instance,
    variant: config.variant,
    config,
    sessions,
    logs: () => logs,
    async close() {
      await running.close();
      await sessions.close();
    },
  };
}
