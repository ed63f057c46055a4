/**
 * The load driver over autocannon's programmatic API. Each connection carries one shopper at a time
 * (a fresh one when the last has made its visit); `setupRequest` builds the shopper's next request
 * with its jar, `onResponse` checks the answer as it arrives. Latency, phases and the per-second
 * series are recorded here, from our own send stamps, so a broken connection cannot skew them.
 */

import { isFreshCart } from '@statelab/cart-core';
import autocannon from 'autocannon';
import { honourConnectionClose } from './connection-close.ts';
import type { CpuGroups } from './cpu.ts';
import { recordConnectionError, recordMispaired, type Tally } from './ledger.ts';
import { createRunRecord, type LoadResult } from './load-record.ts';

export type { LoadResult, PhaseResult, SecondResult } from './load-record.ts';

import { buildRequest, handleAnswer, handleNoAnswer, nextSend, type Send, type Shopper } from './shopper.ts';

export interface LoadSpec {
  /** http://127.0.0.1:<port> of the load balancer, or of one app straight on its port. */
  baseUrl: string;
  /** The variant's path prefix behind the load balancer, e.g. `/stateless/`; `/` for an app on its port. */
  prefix: string;
  connections: number;
  /** Upper bound: the run stops itself then, or earlier on `stop()`. */
  maxDurationS: number;
  /** Total requests per second (open loop); undefined for closed loop. */
  rate?: number | undefined;
  /** Called for each new shopper (index counts shoppers, not connections). */
  makeShopper: (index: number) => Shopper;
  /** Unmeasured seconds first (phase `warmup`). */
  warmupS?: number;
  /** Name of the first measured phase; `steady` unless the scenario names it. */
  firstPhase?: string;
  cpu?: CpuGroups;
  /** Request timeout in seconds (autocannon's, default 10). */
  timeoutS?: number;
  /**
   * false: autocannon's own handling of `Connection: close`, which mis-pairs answers; kept so that
   * bench/test/pairing.test.ts shows what the fix prevents and that the detector sees it.
   */
  honourConnectionClose?: boolean;
}

export interface AnswerEvent {
  /** ms since the load started. */
  t: number;
  status: number | undefined;
  latencyMs: number;
  servedBy: string | undefined;
  body: string;
  /** Which autocannon connection (one shopper at a time) got the answer. */
  connection: number;
  /** After this answer the shopper's cart holds something to lose (rev > 0). */
  holdsCart: boolean;
}

export interface LoadHandle {
  /**
   * Ends the current phase and starts another at once, before it returns; `label` also becomes a
   * chart marker. The promise resolves once CPU time is sampled for the boundary.
   */
  mark(phase: string, label?: string): Promise<void>;
  event(label: string): void;
  /** ms since the load started, the clock of `AnswerEvent.t`. */
  now(): number;
  onAnswer(listener: (answer: AnswerEvent) => void): void;
  live(): { elapsedS: number; requests: number; errors: number; rps: number; tally: Tally };
  stop(): void;
  readonly done: Promise<LoadResult>;
}

function lowerCase(headers: Record<string, unknown>): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v as string | string[];
  return out;
}

/** Each connection's share of `--rate`, as autocannon splits `overallRate`. */
function connectionRate(rate: number, connections: number, i: number): number {
  return Math.floor(rate / connections) + (i + 1 <= rate % connections ? 1 : 0);
}

export function startLoad(spec: LoadSpec): LoadHandle {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const listeners: Array<(a: AnswerEvent) => void> = [];
  const record = createRunRecord(now, spec.cpu);
  const { current, second } = record;
  let shoppers = 0;
  let connections = 0;

  const warmupS = spec.warmupS ?? 0;
  const firstPhase = spec.firstPhase ?? 'steady';
  void record.openPhase(warmupS > 0 ? 'warmup' : firstPhase, warmupS <= 0);

  function setupClient(client: autocannon.Client): void {
    const index = connections++;
    const interval = spec.rate ? 1000 / Math.max(1, connectionRate(spec.rate, spec.connections, index)) : 0;
    let shopper = spec.makeShopper(shoppers++);
    let pending: { trying: Send; id: string; sentAt: number; answered: boolean } | undefined;
    let sent = 0;

    // A server that ends the connection (a draining app, nginx's keepalive_requests) says so; the
    // next request then goes out on a new connection (connection-close.ts).
    const closing = { announced: false };
    if (spec.honourConnectionClose !== false) honourConnectionClose(client, closing);
    const onFail = () => {
      recordConnectionError(current().tally);
      second(now()).errors++;
    };
    // Connection failures and timeouts: events autocannon's types do not list.
    (client as NodeJS.EventEmitter).on('connError', onFail);
    (client as NodeJS.EventEmitter).on('timeout', onFail);

    const request: autocannon.Request = {
      // autocannon calls this once per send, right before writing it (the first one at set-up).
      setupRequest: (req) => {
        if (pending && !pending.answered) handleNoAnswer(shopper, pending.trying, current().tally);
        if (shopper.actionsLeft <= 0) shopper = spec.makeShopper(shoppers++);
        const trying = nextSend(shopper);
        const t = now();
        // Open loop: latency runs from when the request was due, so a stalled server is not hidden.
        const due = spec.rate ? sent * interval : t;
        sent++;
        // Every request names itself; the answer must name the same (docs/contract.md §2).
        const id = `c${index}-${sent}`;
        pending = { trying, id, sentAt: Math.min(t, due), answered: false };
        const out = buildRequest(shopper, trying, spec.prefix);
        out.headers['x-request-id'] = id;
        const phase = current();
        phase.sent++;
        if (out.method === 'GET') phase.reads++;
        phase.identityBytes += out.identityBytes;
        const headerBytes = Object.entries(out.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
        phase.requestBytes +=
          out.method.length + out.path.length + headerBytes + (out.body?.length ?? 0) + 64;
        return { ...req, method: out.method, path: out.path, headers: out.headers, body: out.body ?? '' };
      },
      onResponse: (status, body, _context, headers) => {
        const t = now();
        const phase = current();
        if (!pending || pending.answered) return;
        const { trying } = pending;
        const latencyMs = t - pending.sentAt;
        pending.answered = true;
        const lower = lowerCase((headers ?? {}) as Record<string, unknown>);
        closing.announced = /\bclose\b/i.test(String(lower.connection ?? ''));
        if (lower['x-request-id'] === pending.id) {
          handleAnswer(shopper, trying, { status, headers: lower, body }, phase.tally);
        } else {
          // Another request's answer: no ledger can judge it.
          recordMispaired(phase.tally);
        }
        phase.latency.record(latencyMs);
        const s = second(t);
        s.requests++;
        if (status < 200 || status >= 300) s.errors++;
        s.latency.record(latencyMs);
        const servedBy = lower['x-served-by'];
        for (const listener of listeners) {
          listener({
            t,
            status,
            latencyMs,
            servedBy: Array.isArray(servedBy) ? servedBy[0] : servedBy,
            body,
            connection: index,
            holdsCart: !isFreshCart(shopper.exp),
          });
        }
      },
    };
    client.setRequests([request]);
  }

  let settle: (err: unknown, result?: autocannon.Result) => void = () => {};
  const instance = autocannon(
    {
      url: spec.baseUrl,
      connections: spec.connections,
      duration: spec.maxDurationS,
      timeout: spec.timeoutS ?? 10,
      ...(spec.rate ? { overallRate: spec.rate } : {}),
      setupClient,
      requests: [{ method: 'GET', path: `${spec.prefix}api/cart` }],
    },
    (err, result) => settle(err, result),
  );

  const warmupTimer =
    warmupS > 0
      ? setTimeout(() => {
          void record.openPhase(firstPhase, true);
        }, warmupS * 1000)
      : undefined;

  const done = new Promise<LoadResult>((resolve, reject) => {
    settle = (err, result) => {
      if (warmupTimer) clearTimeout(warmupTimer);
      if (err || !result) return reject(err ?? new Error('autocannon ended without a result'));
      record.finish().then(() => resolve(record.summarize(result)), reject);
    };
  });

  return {
    mark(name, label) {
      const sampled = record.openPhase(name, true);
      if (label) record.event(label);
      return sampled;
    },
    event: record.event,
    now,
    onAnswer(listener) {
      listeners.push(listener);
    },
    live() {
      const tally = record.tally();
      return {
        elapsedS: now() / 1000,
        requests: tally.requests,
        errors: tally.errors,
        rps: record.lastRps(),
        tally,
      };
    },
    stop() {
      instance.stop();
    },
    done,
  };
}
