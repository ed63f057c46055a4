/** The stateless app: core's cart app over a token cart holder. No side effects: `main.ts` listens. */

import { TOPOLOGY } from '@statelab/cart-core';
import {
  type AppMetrics,
  buildCartApp,
  createMetrics,
  type Lifecycle,
  type Logger,
} from '@statelab/cart-core/http';
import type { Express } from 'express';
import type { StatelessConfig } from './config.ts';
import { createTokenCodec } from './token.ts';
import { createTokenCartHolder } from './token-cart-holder.ts';

export interface AppDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  metrics?: AppMetrics;
}

export function buildApp(config: StatelessConfig, deps: AppDeps): Express {
  const { instance, variant, limits } = config;
  const holder = createTokenCartHolder({
    codec: createTokenCodec(config.token),
    limits,
    cookieName: TOPOLOGY.stateless.cookieName,
    cookieSecure: config.cookieSecure,
    ttlS: config.token.ttlS,
  });
  return buildCartApp({
    instance,
    variant,
    limits,
    trustProxy: config.trustProxy,
    answerDelayMs: config.answerDelayMs,
    logger: deps.logger,
    lifecycle: deps.lifecycle,
    metrics: deps.metrics ?? createMetrics({ instance, variant }),
    holder,
  });
}
