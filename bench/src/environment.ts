/**
 * What the numbers were measured on: CPUs, memory, versions, runtime, how an instance leaves the
 * rotation; and plain warnings for readers.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { BASELINE_PREFIX, cartTravelsWithClient, isVariant, TOPOLOGY, VARIANTS } from '@statelab/cart-core';
import type { DrainMode, InstanceInfo } from '@statelab/lab';
import type { Environment } from './report-record.ts';

function version(commands: readonly string[], args: string[], pattern: RegExp): string | null {
  for (const command of commands) {
    // nginx prints its version on stderr, redis-server on stdout.
    const run = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
    const match = pattern.exec(`${run.stdout ?? ''}${run.stderr ?? ''}`);
    if (match) return match[1]!;
  }
  return null;
}

export function collectEnvironment(runtime: 'native' | 'compose', target: string | undefined): Environment {
  const cpus = os.availableParallelism();
  const nginx = version(['nginx', '/usr/sbin/nginx'], ['-v'], /nginx\/(\S+)/);
  const redis = version(['redis-server', '/usr/bin/redis-server'], ['--version'], /v=(\S+)/);
  const warnings: string[] = [];
  if (cpus <= 2) {
    warnings.push(
      `This machine has ${cpus} CPU cores, shared by nginx, every instance and the load generator: adding instances cannot add capacity here, so the scaling question cannot be answered on it. CPU time per request is the honest number.`,
    );
  }
  return {
    cpus,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nginx,
    redis,
    runtime,
    target: target ?? null,
    warnings,
  };
}

/**
 * The lab's drain mode, from where its apps listen: on Unix sockets (`unlink`) or on ports
 * (`close`); null when the runtime does not say (the instances list neither).
 */
export function drainOf(instances: readonly InstanceInfo[]): DrainMode | null {
  const apps = instances.filter((i) => isVariant(i.variant));
  if (apps.some((i) => i.socket !== undefined)) return 'unlink';
  if (apps.some((i) => i.port !== undefined)) return 'close';
  return null;
}

const withRedis = VARIANTS.filter((v) => TOPOLOGY[v].needsRedis).join(' and ');
const withToken = VARIANTS.filter(cartTravelsWithClient).join(', ');

export const METHOD: readonly string[] = Object.freeze([
  `One variant at a time, each in its own lab (nginx in front of N instances; Redis for ${withRedis}), on loopback.`,
  `Load: autocannon, one shopper per connection with its own cookie jar (${withToken}: its bearer token). A shopper opens and closes its visit with GET /api/cart and browses in between (35% GET, 40% add, 12% set quantity, 13% remove); after 40 requests a new shopper takes the connection, so sessions keep being created through the load balancer.`,
  'Closed loop by default (each connection sends its next request when the answer arrived). With --rate the loop is open and latency runs from the intended send time, so a stalled server is not hidden (coordinated omission).',
  "Every answer is checked as it arrives: status, X-Served-By, cart shape, cartId and the items the shopper expects. lostSessions: a shopper's cartId changed without its asking. A cart at rev 0 holds nothing to lose: its cartId changing is no loss (stateful variants store no session for it, so every read of it shows a new one). lostItems: acknowledged items no longer seen. duplicatedItems: items seen more often than added. The shoppers are careful clients: each write carries a fresh Idempotency-Key (unless --no-idempotency), and a write whose connection broke or that got 502/503/504 is sent again with the same key, up to 3 times; the retry's answer is checked as that write's, so a write applied twice shows as duplicated items. A write that fails for good makes its line uncertain, settled without blame by the next answer.",
  "errors: tries that failed (answers that were not 2xx, connection failures and timeouts). firstTryFailures: requests whose first try failed; retriedWrites: writes sent again; finalErrors: requests that still failed after the retries, or were not retried (reads: nginx retries those itself; 4xx). Every request carries an X-Request-Id and every answer must name it: one that names another request is counted as mispairedAnswers, not checked (autocannon ignores a server's `Connection: close` and can credit answers to the wrong request; the bench makes it open a new connection then, so there should be none).",
  'Latency: HDR histograms (microsecond resolution) of our own send-to-answer time; percentiles per phase (before / during / after a fault) and per second.',
  "sessionsEvicted: sessions_evicted_total read from each app instance's /metrics before and after the load (warm-up included), per instance process; sessions evicted at the memory cap are lost carts the ledger may not see, as their shoppers may have left. Counted by the stateful variant's instances only; an instance killed during the run takes its count with it.",
  "Graceful stops (rolling-restart; scaling stops instances too): with drain unlink, the lab default, every app listens on a Unix socket and unlinks it before it stops accepting, so nginx sends even a POST elsewhere; with drain close, the apps listen on TCP ports and a stop under load can reset a POST nginx had already sent into the closing listener's backlog (a 502 for stateful and stateful-redis). environment.drain says which the run used.",
  'CPU per request: utime + stime from /proc/<pid>/stat of the app instances, nginx (master and workers) and Redis, over the measured window, divided by the answers in it. The bench reports its own CPU the same way, to show the load generator is not the limit.',
  `scaling sweeps N..1 instances by stopping one at a time; the same sweep on a bare express handler (${BASELINE_PREFIX}) is the ceiling of this machine.`,
  "Performance targets: each variant's req/s at 1 instance over the bare express baseline's at 1 instance, in the same scaling run and through the same nginx, against a target derived from reference servers measured direct (the rule and its reasoning are stored in report.json under targets.rule). The bench's own CPU under load is its CPU per request times req/s, against 0.5 core.",
  "Load generator check: right after autocannon's step on the baseline at 1 instance, wrk (1 thread, the same connections, the step's duration in whole seconds) loads the same URL; the two req/s should agree within 15%, or autocannon, not the server, set the pace.",
  "cart-size fills each shopper's cart to 1, 10, 25 or 50 lines first, then loads it with GETs and quantity changes that keep the line count; bytes are those of the identity header (Cookie or Authorization) per request.",
  'concurrent-updates: each shopper first adds one product (so its cart exists; a burst from a client without a session would start K sessions, not update one cart), then sends K additions of different products at once, then reads the cart: acknowledged additions that are missing are lost updates.',
]);
