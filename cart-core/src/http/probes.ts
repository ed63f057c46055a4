/** `/healthz` (the process runs), `/readyz` (it can serve carts) and `/api/instance`. */
import type { IRouter } from 'express';
import { errors } from '../errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import { methodRoutes } from './method-routes.ts';
import { sendError } from './send-error.ts';

export interface ProbeOptions {
  instance: string;
  variant: string;
  lifecycle: Lifecycle;
  /** Whether the cart store answers; absent when the variant has no dependency. */
  storeReady?: () => boolean;
}

export function probes(router: IRouter, { instance, variant, lifecycle, storeReady }: ProbeOptions): IRouter {
  methodRoutes(router, '/healthz', {
    get: (_req, res) => {
      res.json({ status: 'ok', instance });
    },
  });
  methodRoutes(router, '/readyz', {
    get: (_req, res) => {
      if (lifecycle.isDraining()) sendError(res, errors.draining());
      else if (storeReady && !storeReady()) sendError(res, errors.storeUnavailable());
      else res.json({ status: 'ready', instance });
    },
  });
  methodRoutes(router, '/api/instance', {
    get: (_req, res) => {
      res.json({
        instance,
        variant,
        pid: process.pid,
        startedAt: lifecycle.startedAt.toISOString(),
        uptimeS: Math.round((Date.now() - lifecycle.startedAt.getTime()) / 100) / 10,
      });
    },
  });
  return router;
}
