/**
 * Environment parsing shared by both apps: one zod schema, every problem listed in one message,
 * a frozen typed object out. Only `main.ts` hands `process.env` in.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { type CartLimits, DEFAULT_LIMITS } from '../limits.ts';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** At least 32 bytes, so that a weak or empty secret refuses to start. */
export const secret = z
  .string({ error: 'is required (at least 32 bytes; for example: openssl rand -hex 32)' })
  .refine((v) => Buffer.byteLength(v) >= 32, 'must be at least 32 bytes (for example: openssl rand -hex 32)');

/** Variables every app reads; each app extends this with its own. */
export const commonEnvShape = {
  INSTANCE_ID: z
    .string({ error: 'is required (for example stateful-1)' })
    .regex(/^[a-z0-9-]{1,64}$/, 'must be lowercase letters, digits and dashes'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer(0, 65535).default(3000),
  /**
   * Listen on this Unix socket instead of HOST/PORT, so a stop can leave nginx's rotation first
   * (graceful-serve.ts). Short: sun_path holds 108 bytes, and the app first binds `<path>.<pid>`.
   */
  SOCKET_PATH: z
    .string()
    .refine(isAbsolute, 'must be an absolute path')
    .refine(
      (p) => Buffer.byteLength(p) < 100,
      'must be shorter than 100 bytes (a Unix socket path is at most 107)',
    )
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COOKIE_SECURE: bool.default(false),
  /** Which peers' X-Forwarded-* express believes: nginx on loopback natively, on a private network in compose. */
  TRUST_PROXY: z.string().min(1).default('loopback'),
  CART_MAX_LINES: integer(1, 500).default(DEFAULT_LIMITS.maxLines),
  CART_MAX_QUANTITY: integer(1, 1_000_000).default(DEFAULT_LIMITS.maxQuantity),
  BODY_LIMIT_BYTES: integer(256, 1024 * 1024).default(DEFAULT_LIMITS.maxBodyBytes),
  /** Longer than nginx's upstream `keepalive_timeout`, so nginx never reuses a socket we are closing. */
  KEEP_ALIVE_TIMEOUT_MS: integer(1000, 600_000).default(10_000),
  /** On a socket: how long a stopping instance still accepts after unlinking its path (racing connects). */
  SHUTDOWN_ACCEPT_GRACE_MS: integer(0, 60_000).default(1_000),
  /** How long a stopping instance lets idle keep-alive sockets be closed by the peer first. */
  SHUTDOWN_IDLE_GRACE_MS: integer(0, 60_000).default(5_000),
  /** Hard deadline for a graceful stop. */
  SHUTDOWN_TIMEOUT_MS: integer(100, 120_000).default(15_000),
  /** Test switch: a pause between storing a write and answering it, for a kill to land in. */
  ANSWER_DELAY_MS: integer(0, 60_000).default(0),
};

export function parseEnv<S extends z.ZodRawShape>(shape: S, env: Env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'env'} ${i.message}`));
  }
  return result.data;
}

export interface CommonConfig {
  readonly instance: string;
  readonly host: string;
  readonly port: number;
  /** Set: listen on this Unix socket, not on host/port. */
  readonly socketPath: string | undefined;
  readonly logLevel: string;
  readonly cookieSecure: boolean;
  readonly trustProxy: string;
  readonly limits: CartLimits;
  readonly keepAliveTimeoutMs: number;
  readonly shutdownAcceptGraceMs: number;
  readonly shutdownIdleGraceMs: number;
  readonly shutdownTimeoutMs: number;
  readonly answerDelayMs: number;
}

export function commonConfig(env: z.infer<z.ZodObject<typeof commonEnvShape>>): CommonConfig {
  return {
    instance: env.INSTANCE_ID,
    host: env.HOST,
    port: env.PORT,
    socketPath: env.SOCKET_PATH,
    logLevel: env.LOG_LEVEL,
    cookieSecure: env.COOKIE_SECURE,
    trustProxy: env.TRUST_PROXY,
    limits: Object.freeze({
      maxLines: env.CART_MAX_LINES,
      maxQuantity: env.CART_MAX_QUANTITY,
      maxBodyBytes: env.BODY_LIMIT_BYTES,
    }),
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    shutdownAcceptGraceMs: env.SHUTDOWN_ACCEPT_GRACE_MS,
    shutdownIdleGraceMs: env.SHUTDOWN_IDLE_GRACE_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    answerDelayMs: env.ANSWER_DELAY_MS,
  };
}
