/**
 * The stateful app's configuration: the common variables plus the session's secret, timeouts and
 * store, parsed once from the environment; every problem is listed in one ConfigError.
 */

import { isVariant, TOPOLOGY, type Variant, variantsServedBy } from '@statelab/cart-core';
import {
  type CommonConfig,
  ConfigError,
  commonConfig,
  commonEnvShape,
  type Env,
  parseEnv,
  secret,
} from '@statelab/cart-core/http';
import { z } from 'zod';

export const STATEFUL_VARIANTS: readonly Variant[] = variantsServedBy('stateful-app');

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envShape = {
  ...commonEnvShape,
  VARIANT: z.enum(STATEFUL_VARIANTS, { error: `must be one of ${STATEFUL_VARIANTS.join(', ')}` }),
  SESSION_SECRET: secret,
  /** `redis://:password@host:port`: ioredis sends AUTH with the password. */
  REDIS_URL: z
    .string()
    .refine(
      (url) => /^rediss?:\/\/\S+$/.test(url) && URL.canParse(url),
      'must be a redis:// or rediss:// URL',
    )
    .optional(),
  /** Sliding: every answer pushes the session's expiry this far ahead. */
  SESSION_IDLE_TIMEOUT_S: integer(1, 365 * 86_400).default(1_800),
  /** However active, a session older than this starts over with a new cart. */
  SESSION_ABSOLUTE_TIMEOUT_S: integer(1, 365 * 86_400).default(86_400),
  SESSION_MEMORY_CAP: integer(1, 10_000_000).default(100_000),
  /** At most one warning per this many seconds about sessions evicted at the cap. */
  SESSION_EVICTION_WARN_EVERY_S: integer(1, 86_400).default(10),
  REDIS_COMMAND_TIMEOUT_MS: integer(50, 60_000).default(500),
};

export interface SessionConfig {
  readonly cookieName: string;
  readonly secret: string;
  readonly idleTimeoutS: number;
  readonly absoluteTimeoutS: number;
  readonly memoryCap: number;
  readonly evictionWarnEveryS: number;
}

export interface RedisConfig {
  readonly url: string;
  readonly commandTimeoutMs: number;
}

export interface StatefulConfig extends CommonConfig {
  readonly variant: Variant;
  readonly session: SessionConfig;
  /** Present exactly when the variant keeps sessions in Redis. */
  readonly redis: RedisConfig | undefined;
}

/** Rules across variables, checked on the raw env so they join the schema's problems in one message. */
function crossProblems(env: Env): string[] {
  const problems: string[] = [];
  const variant = env.VARIANT ?? '';
  if (isVariant(variant) && TOPOLOGY[variant].needsRedis && !env.REDIS_URL) {
    problems.push(
      `REDIS_URL is required when VARIANT is ${variant} (for example redis://:password@127.0.0.1:6379)`,
    );
  }
  const idle = Number(env.SESSION_IDLE_TIMEOUT_S ?? 1_800);
  const absolute = Number(env.SESSION_ABSOLUTE_TIMEOUT_S ?? 86_400);
  if (idle > absolute) problems.push('SESSION_IDLE_TIMEOUT_S must not exceed SESSION_ABSOLUTE_TIMEOUT_S');
  return problems;
}

export function loadConfig(env: Env): StatefulConfig {
  const problems: string[] = [];
  let parsed: z.infer<z.ZodObject<typeof envShape>> | undefined;
  try {
    parsed = parseEnv(envShape, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  problems.push(...crossProblems(env));
  if (!parsed || problems.length > 0) throw new ConfigError(problems);

  const variant = parsed.VARIANT;
  return Object.freeze({
    ...commonConfig(parsed),
    variant,
    session: Object.freeze({
      cookieName: TOPOLOGY[variant].cookieName,
      secret: parsed.SESSION_SECRET,
      idleTimeoutS: parsed.SESSION_IDLE_TIMEOUT_S,
      absoluteTimeoutS: parsed.SESSION_ABSOLUTE_TIMEOUT_S,
      memoryCap: parsed.SESSION_MEMORY_CAP,
      evictionWarnEveryS: parsed.SESSION_EVICTION_WARN_EVERY_S,
    }),
    redis:
      TOPOLOGY[variant].needsRedis && parsed.REDIS_URL
        ? Object.freeze({ url: parsed.REDIS_URL, commandTimeoutMs: parsed.REDIS_COMMAND_TIMEOUT_MS })
        : undefined,
  });
}
