/**
 * The stateful app: the shared cart API over a cart kept in the session. Built apart from
 * running: no env, no listening, no timers here.
 */
import { type AppMetrics, buildCartApp, type Lifecycle, type Logger } from '@statelab/cart-core/http';
import type { Express } from 'express';
import { Counter, Gauge } from 'prom-client';
import type { StatefulConfig } from './config.ts';
import { sessionCartHolder } from './session-cart-holder.ts';
import { sessionLifecycle } from './session-lifecycle.ts';
import type { SessionStoreHandle } from './session-store/create-session-store.ts';

export interface AppDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  metrics: AppMetrics;
  sessions: SessionStoreHandle;
  now?: () => number;
}

function sessionGauge(metrics: AppMetrics, size: () => number): void {
  new Gauge({
    name: 'sessions_in_memory',
    help: "Sessions held in this instance's memory",
    registers: [metrics.registry],
    collect() {
      this.set(size());
    },
  });
}

function evictionCounter(metrics: AppMetrics, evicted: () => number): void {
  new Counter({
    name: 'sessions_evicted_total',
    help: 'Unexpired sessions evicted at SESSION_MEMORY_CAP: each one a client whose cart was lost',
    registers: [metrics.registry],
    // The store keeps the total; a scrape reads it, as the gauge reads the size.
    collect() {
      this.reset();
      this.inc(evicted());
    },
  });
}

export function buildApp(config: StatefulConfig, deps: AppDeps): Express {
  const { logger, lifecycle, metrics, sessions } = deps;
  if (sessions.size) sessionGauge(metrics, sessions.size);
  if (sessions.evicted) evictionCounter(metrics, sessions.evicted);
  const session = sessionLifecycle(config, sessions, deps.now);
  return buildCartApp({
    instance: config.instance,
    variant: config.variant,
    limits: config.limits,
    trustProxy: config.trustProxy,
    answerDelayMs: config.answerDelayMs,
    logger,
    metrics,
    lifecycle,
    holder: sessionCartHolder(config.limits, session),
    before: [session.middleware],
    storeReady: sessions.isReady,
  });
}
