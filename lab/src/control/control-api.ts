/**
 * The control API (docs/contract.md §4) over any Runtime: list instances and the topology, and
 * kill / stop / start / restart one instance. Loopback peers and the lab's own origin only; every
 * error is JSON.
 */

import { BASELINE_PREFIX, CartError, errors, REDIS_ID, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { sendError } from '@statelab/cart-core/http';
import express, { type ErrorRequestHandler, type Express, Router } from 'express';
import {
  InstanceFailedError,
  isRuntimeAction,
  RUNTIME_ACTIONS,
  type Runtime,
  RuntimeClosedError,
  UnknownInstanceError,
} from '../runtime.ts';
import { loopbackOnly } from './loopback.ts';
import { type SameOriginOptions, sameOriginOnly } from './same-origin.ts';

export interface ControlApiOptions extends SameOriginOptions {
  runtime: Runtime;
  variants: readonly Variant[];
  /** Told about unexpected errors (answered as a bare 500). */
  onError?: (err: unknown) => void;
}

/** The path nginx proxies to this API. */
export const CONTROL_API_PATH = '/lab/api';

function routes({ runtime, variants }: ControlApiOptions): Router {
  const router = Router();

  router.get('/instances', async (_req, res) => {
    res.json({ runtime: runtime.kind, instances: await runtime.list() });
  });

  router.get('/topology', async (_req, res) => {
    const instances = await runtime.list();
    const baseline = instances.filter((i) => i.variant === 'baseline');
    res.json({
      runtime: runtime.kind,
      variants: variants.map((variant) => ({
        ...TOPOLOGY[variant],
        instances: instances.filter((i) => i.variant === variant),
      })),
      redis: instances.find((i) => i.variant === REDIS_ID) ?? null,
      baseline: baseline.length > 0 ? { prefix: BASELINE_PREFIX, instances: baseline } : null,
    });
  });

  router.post('/instances/:id/:action', async (req, res) => {
    const { id, action } = req.params;
    if (!isRuntimeAction(action))
      return sendError(res, errors.unknownAction({ action, actions: RUNTIME_ACTIONS }));
    res.json({ instance: await runtime[action](id) });
  });

  return router;
}

function fromRuntime(err: unknown): CartError | undefined {
  if (err instanceof CartError) return err;
  if (err instanceof UnknownInstanceError) return errors.unknownInstance(err.id, err);
  // Loopback callers only: the child's last lines help more than a bare 500.
  if (err instanceof InstanceFailedError) return errors.instanceFailed(err.message, err);
  if (err instanceof RuntimeClosedError) return errors.labStopping(err);
  return undefined;
}

function errorHandler(onError: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const known = fromRuntime(err);
    if (!known) onError(err);
    sendError(res, known ?? errors.internalError());
  };
}

export function buildControlApi(options: ControlApiOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Refusals too: never cached, never sniffed into something a browser would run.
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(loopbackOnly());
  app.use(sameOriginOnly(options));
  app.use(CONTROL_API_PATH, routes(options));
  app.use((req, res) => sendError(res, errors.notFound(req)));
  app.use(errorHandler(options.onError ?? (() => undefined)));
  return app;
}
