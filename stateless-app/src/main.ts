/** The process edge: env in, listen, drain on SIGTERM/SIGINT, exit 78 on a bad config. */
import { createLifecycle, createLogger, runMain, serve } from '@statelab/cart-core/http';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

await runMain(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, instance: config.instance, variant: config.variant });
  const lifecycle = createLifecycle();
  const app = buildApp(config, { logger, lifecycle });
  const running = await serve(app, {
    instance: config.instance,
    host: config.host,
    port: config.port,
    socketPath: config.socketPath,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    shutdownAcceptGraceMs: config.shutdownAcceptGraceMs,
    shutdownIdleGraceMs: config.shutdownIdleGraceMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    lifecycle,
    logger,
  });
  return { running, logger };
});
