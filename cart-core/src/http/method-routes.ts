/**
 * One express route per path with every method it serves, and 405 with `Allow` for the rest
 * (RFC 9110 §15.5.6): a known path asked for another method is not a missing resource.
 */
import type { IRouter, RequestHandler } from 'express';
import { errors } from '../errors.ts';

/** In `Allow` order; express answers HEAD with the GET chain, so GET brings HEAD. */
const METHODS = ['get', 'post', 'put', 'delete'] as const;

/** A method's handler, or its chain (the variant's middleware first). */
export type MethodHandlers = Partial<Record<(typeof METHODS)[number], RequestHandler | RequestHandler[]>>;

export function methodRoutes(router: IRouter, path: string, handlers: MethodHandlers): IRouter {
  const route = router.route(path);
  const allow: string[] = [];
  for (const method of METHODS) {
    const chain = handlers[method];
    if (!chain) continue;
    route[method](...(Array.isArray(chain) ? chain : [chain]));
    allow.push(...(method === 'get' ? ['GET', 'HEAD'] : [method.toUpperCase()]));
  }
  Object.freeze(allow);
  // OPTIONS too: with no CORS to answer, it is one more method the path does not serve.
  route.all((_req, _res, next) => next(errors.methodNotAllowed(allow)));
  return router;
}
