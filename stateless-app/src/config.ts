/**
 * The stateless app's configuration: the common variables plus the token's secret and lifetimes,
 * parsed once from the environment; every problem is listed in one ConfigError.
 */
import { type Variant, variantsServedBy } from '@statelab/cart-core';
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

/** The one variant this app serves, from the topology table. */
export const VARIANT: Variant = variantsServedBy('stateless-app')[0]!;

const seconds = (max: number) => z.coerce.number().int().min(1).max(max);

const envShape = {
  ...commonEnvShape,
  VARIANT: z.literal(VARIANT, { error: `must be ${VARIANT} for stateless-app (or unset)` }).optional(),
  JWT_SECRET: secret,
  /** How long a token stays valid after its last change (`exp`). */
  TOKEN_TTL_S: seconds(365 * 86_400).default(86_400),
  /** Oldest `iat` accepted whatever `exp` says: a bound even on a token signed with a long TTL. */
  TOKEN_MAX_AGE_S: seconds(365 * 86_400).default(604_800),
};

export interface TokenConfig {
  readonly secret: string;
  readonly ttlS: number;
  readonly maxAgeS: number;
}

export interface StatelessConfig extends CommonConfig {
  readonly variant: typeof VARIANT;
  readonly token: TokenConfig;
}

export function loadConfig(env: Env): StatelessConfig {
  const parsed = parseEnv(envShape, env);
  if (parsed.TOKEN_TTL_S > parsed.TOKEN_MAX_AGE_S) {
    throw new ConfigError(['TOKEN_TTL_S must not exceed TOKEN_MAX_AGE_S']);
  }
  return Object.freeze({
    ...commonConfig(parsed),
    variant: VARIANT,
    token: Object.freeze({
      secret: parsed.JWT_SECRET,
      ttlS: parsed.TOKEN_TTL_S,
      maxAgeS: parsed.TOKEN_MAX_AGE_S,
    }),
  });
}
