/**
 * First middleware of every app: stamps `X-Served-By`, gives the request an id and a child logger,
 * and on finish logs it (5xx as error, 4xx as info, the rest as debug) and records metrics.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AppMetrics } from './metrics.ts';

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
    }
  }
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function requestContext(instance: string, logger: Logger, metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    req.id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ reqId: req.id });
    res.setHeader('X-Served-By', instance);
    // Carts are per client and change with every write: nothing may cache them.
    res.setHeader('Cache-Control', 'no-store');
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.observe(req.method, route, res.statusCode, seconds);
      const entry = {
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
      };
      if (res.statusCode >= 500) req.log.error(entry, 'request failed');
      else if (res.statusCode >= 400) req.log.info(entry, 'request rejected');
      else req.log.debug(entry, 'request served');
    });
    next();
  };
}
