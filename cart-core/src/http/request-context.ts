/**
 * First middleware of every app: stamps `X-Served-By`, gives the request an id (the client's or
 * nginx's `X-Request-Id` when well-formed, else a new one) and echoes it on the answer, so a client
 * can tell which request an answer belongs to; a child logger; on finish logs it (5xx as error,
 * 4xx as info, the rest as debug) and records metrics.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { REQUEST_ID_PATTERN } from '../request-id.ts';
import type { AppMetrics } from './metrics.ts';

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
    }
  }
}

/** The request's own id when well-formed, else a new one. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

export function requestContext(instance: string, logger: Logger, metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    req.id = requestIdOf(req.headers['x-request-id']);
    req.log = logger.child({ reqId: req.id });
    res.setHeader('X-Served-By', instance);
    res.setHeader('X-Request-Id', req.id);
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
