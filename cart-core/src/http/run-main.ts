/**
 * The process edge both apps share: start, then stop gracefully on SIGTERM or SIGINT. Exit codes
 * come from the one table, so the lab and compose can tell a bad config from a crash.
 */
import type { Logger } from 'pino';
import { EXIT } from '../exit-codes.ts';
import { ConfigError } from './config.ts';

export interface Stoppable {
  close(): Promise<void>;
}

export async function runMain(start: () => Promise<{ running: Stoppable; logger: Logger }>): Promise<void> {
  let started: { running: Stoppable; logger: Logger };
  try {
    started = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT.config);
    }
    process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT.failure);
  }
  const { running, logger } = started;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    running.close().then(
      () => logger.flush(() => process.exit(EXIT.ok)),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        logger.flush(() => process.exit(EXIT.failure));
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
