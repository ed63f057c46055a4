import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface AppMetrics {
  readonly registry: Registry;
  /** Records one finished request; `route` is the matched route pattern, never the raw path. */
  observe(method: string, route: string, status: number, seconds: number): void;
  readonly handler: RequestHandler;
}

export function createMetrics(labels: { instance: string; variant: string }): AppMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      const l = { method, route, status: String(status) };
      requests.inc(l);
      duration.observe(l, seconds);
    },
    handler: async (_req, res, next) => {
      try {
        const text = await registry.metrics();
        res.type(registry.contentType).send(text);
      } catch (err) {
        next(err);
      }
    },
  };
}
