import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  instance: string;
  variant: string;
  /** Where lines go; tests pass an in-memory stream. Defaults to stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { instance: options.instance, variant: options.variant, pid: process.pid };
  return pino({ level: options.level, base }, options.destination ?? pino.destination({ sync: false }));
}
