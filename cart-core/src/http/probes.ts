/** `/healthz` (the process runs), `/readyz` (it can serve carts) and `/api/instance`. */
import type { IRouter } from 'express';
import { errorBody } from '../errors.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface ProbeOptions {
  instance: string;
  variant: string;
  lifecycle: Lifecycle;
  /** Whether the cart store answers; absent when the variant has no dependency. */
  storeReady?: () => boolean;
}

export function probes(router: IRouter, { instance, variant, lifecycle, storeReady }: ProbeOptions): IRouter {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', instance });
  });
  router.get('/readyz', (_req, res) => {
    if (lifecycle.isDraining()) {
      res.status(503).json(errorBody('draining', 'this instance is shutting down'));
    } else if (storeReady && !storeReady()) {
      res
        .set('Retry-After', '1')
        .status(503)
        .json(errorBody('store_unavailable', 'the cart store is unavailable'));
    } else {
      res.json({ status: 'ready', instance });
    }
  });
  router.get('/api/instance', (_req, res) => {
    res.json({
      instance,
      variant,
      pid: process.pid,
      startedAt: lifecycle.startedAt.toISOString(),
      uptimeS: Math.round((Date.now() - lifecycle.startedAt.getTime()) / 100) / 10,
    });
  });
  return router;
}
