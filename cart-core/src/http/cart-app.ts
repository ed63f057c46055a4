/**
 * Assembles an app from the shared pieces, in the one order both apps use: context (served-by,
 * logger, metrics), cart routes (each behind the variant's own middleware), probes, metrics, 404,
 * error handler (a known path asked another method is 405, any other path 404). Cart routes come
 * first: they are nearly every request, and each route ahead of them costs every request a match.
 */
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { CartLimits } from '../limits.ts';
import type { CartHolder } from './cart-holder.ts';
import { cartRoutes } from './cart-routes.ts';
import { errorHandler, notFound } from './error-handler.ts';
import type { Lifecycle } from './lifecycle.ts';
import { methodRoutes } from './method-routes.ts';
import type { AppMetrics } from './metrics.ts';
import { probes } from './probes.ts';
import { requestContext } from './request-context.ts';

export interface CartAppOptions {
  instance: string;
  variant: string;
  limits: CartLimits;
  logger: Logger;
  metrics: AppMetrics;
  lifecycle: Lifecycle;
  holder: CartHolder;
  /** Middleware that the cart routes need first (the session); not run for probes or metrics. */
  before?: RequestHandler[];
  storeReady?: () => boolean;
  /** express `trust proxy` value; default: nginx on loopback. */
  trustProxy?: string;
  /** Test switch (ANSWER_DELAY_MS): between storing a write and answering it. */
  answerDelayMs?: number;
}

export function buildCartApp(options: CartAppOptions): Express {
  const { instance, variant, limits, logger, metrics, lifecycle, holder } = options;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Behind nginx: trust its X-Forwarded-* so req.ip and req.protocol are the client's.
  app.set('trust proxy', options.trustProxy ?? 'loopback');
  app.use(requestContext(instance, logger, metrics));
  cartRoutes(app, {
    holder,
    limits,
    servedBy: { instance, variant },
    before: options.before ?? [],
    answerDelayMs: options.answerDelayMs ?? 0,
  });
  probes(app, {
    instance,
    variant,
    lifecycle,
    ...(options.storeReady ? { storeReady: options.storeReady } : {}),
  });
  methodRoutes(app, '/metrics', { get: metrics.handler });
  app.use(notFound());
  app.use(errorHandler(limits.maxBodyBytes));
  return app;
}
