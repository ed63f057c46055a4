/** The process edge: env in, listen, drain on SIGTERM/SIGINT, then close the session store. */
import { createLifecycle, createLogger, createMetrics, runMain, serve } from '@statelab/cart-core/http';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createSessionStore } from './session-store/create-session-store.ts';

await runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, instance: config.instance, variant: config.variant });
  const lifecycle = createLifecycle();
  const metrics = createMetrics({ instance: config.instance, variant: config.variant });
  const sessions = createSessionStore(config, logger);
  const app = buildApp(config, { logger, lifecycle, metrics, sessions });
  // On a socket, published once the store is ready: no write reaches an instance that would 503 it.
  const running = await serve(app, { ...config, lifecycle, logger, ready: sessions.isReady }).catch(
    async (err: unknown) => {
      await sessions.close();
      throw err;
    },
  );
  return {
    logger,
    running: {
      async close() {
        // Sessions are saved before each answer, so once drained nothing still needs the store.
        await running.close();
        await sessions.close();
      },
    },
  };
});
