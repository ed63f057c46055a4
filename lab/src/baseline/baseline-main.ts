/** Process edge of the baseline app: env in, graceful serve, SIGTERM drains (core's runMain). */
import {
  commonConfig,
  commonEnvShape,
  createLifecycle,
  createLogger,
  parseEnv,
  runMain,
  serve,
} from '@statelab/cart-core/http';
import { buildBaselineApp } from './baseline-app.ts';

await runMain(async () => {
  const config = commonConfig(parseEnv(commonEnvShape, process.env));
  const logger = createLogger({ level: config.logLevel, instance: config.instance, variant: 'baseline' });
  const lifecycle = createLifecycle();
  const app = buildBaselineApp(config.instance, lifecycle.isDraining);
  const running = await serve(app, { ...config, lifecycle, logger });
  return { running, logger };
});
