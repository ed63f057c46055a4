/**
 * The bench's ceiling: bare express answering a constant cart-shaped body, no store, no session,
 * no validation. Whatever a variant costs beyond this is what its state handling costs.
 */
import { fileURLToPath } from 'node:url';
import { errors } from '@statelab/cart-core';
import { requestIdOf, sendError } from '@statelab/cart-core/http';
import express, { type Express } from 'express';

/** The entry point the lab runs for each baseline instance (and `npm run bench:direct` for its ceiling). */
export const BASELINE_MAIN = fileURLToPath(new URL('./baseline-main.ts', import.meta.url));

export function buildBaselineApp(instance: string, isDraining: () => boolean): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const cart = JSON.stringify({
    cartId: 'c_baseline',
    rev: 0,
    items: [],
    itemCount: 0,
    totalCents: 0,
    servedBy: { instance, variant: 'baseline' },
  });
  // Like every app here it names the request it answers (docs/contract.md §2): the bench checks it.
  app.use((req, res, next) => {
    res.setHeader('X-Served-By', instance);
    res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id']));
    next();
  });
  app.get('/api/cart', (_req, res) => {
    res.type('application/json').send(cart);
  });
  app.get('/readyz', (_req, res) => {
    if (isDraining()) sendError(res, errors.draining());
    else res.json({ status: 'ready', instance });
  });
  app.use((req, res) => sendError(res, errors.notFound(req)));
  return app;
}
