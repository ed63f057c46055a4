/** `LabOptions`: the one table of defaults, then validation listing every problem in one message. */

import { VARIANTS, type Variant } from '@statelab/cart-core';
import { ConfigError } from '@statelab/cart-core/http';
import { REDIS_DEFAULT_MAXMEMORY, REDIS_MAXMEMORY_PATTERN } from '@statelab/processes';
import { z } from 'zod';

/**
 * How a stopping app leaves nginx's rotation: `unlink`, apps on Unix sockets that unlink their path
 * first (nothing is lost); `close`, apps on TCP ports whose closing listener resets the connections
 * in its backlog (a POST nginx already sent there is a 502). Kept to compare the two.
 */
export const DRAIN_MODES = ['unlink', 'close'] as const;
export type DrainMode = (typeof DRAIN_MODES)[number];

export interface LabOptions {
  /** nginx listen port on 127.0.0.1; default 8080; 0 = a free port. */
  port?: number;
  /** Per variant, default 3. */
  instances?: number;
  /** Default all three. */
  variants?: Variant[];
  /** Bare express instances at /baseline/ (the bench's ceiling); default 0. */
  baseline?: number;
  /** Apps' LOG_LEVEL, default 'info'. */
  logLevel?: string;
  /** Extra env for every app (tests: short grace periods). */
  appEnv?: Record<string, string>;
  /** A built cart UI folder (absolute) that nginx serves at `/`; without one `/` is a JSON 404. */
  uiRoot?: string;
  /** Redis's memory limit (`64mb`); full, it refuses writes (noeviction). */
  redisMaxmemory?: string;
  /** Default `unlink`. */
  drain?: DrainMode;
}

export const LAB_DEFAULTS = Object.freeze({
  port: 8080,
  instances: 3,
  baseline: 0,
  logLevel: 'info',
  redisMaxmemory: REDIS_DEFAULT_MAXMEMORY,
  drain: 'unlink' as DrainMode,
});
export const MAX_INSTANCES = 16;

const schema = z.object({
  port: z.number().int().min(0).max(65535).default(LAB_DEFAULTS.port),
  instances: z.number().int().min(1).max(MAX_INSTANCES).default(LAB_DEFAULTS.instances),
  variants: z
    .array(z.enum(VARIANTS))
    .min(1)
    .refine((v) => new Set(v).size === v.length, 'must not repeat a variant')
    .default([...VARIANTS]),
  baseline: z.number().int().min(0).max(MAX_INSTANCES).default(LAB_DEFAULTS.baseline),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  appEnv: z.record(z.string(), z.string()).default({}),
  uiRoot: z.string().startsWith('/', 'must be an absolute path').optional(),
  redisMaxmemory: z
    .string()
    .regex(REDIS_MAXMEMORY_PATTERN, 'must be a size such as 64mb (kb, mb or gb)')
    .default(LAB_DEFAULTS.redisMaxmemory),
  drain: z.enum(DRAIN_MODES).default(LAB_DEFAULTS.drain),
});

export type LabConfig = Readonly<z.infer<typeof schema>>;

export function parseLabOptions(options: LabOptions): LabConfig {
  const result = schema.strict().safeParse(options);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'options'} ${i.message}`));
  }
  return Object.freeze(result.data);
}
