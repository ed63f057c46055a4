/**
 * Each variant's app, one instance straight on its port (no nginx), against bare express in the
 * same run, as the performance targets are stated: req/s as a fraction of bare express's, with
 * latency and the server's CPU time per request (on 2 shared cores req/s alone misleads).
 * Usage: node --import tsx bench/scripts/direct-vs-bare.ts [seconds, default 5] [connections, default 50]
 *
 * The bench's load driver runs the shoppers of `direct-workloads.ts` (bare express: the baseline's
 * probe shoppers), so every answer is checked. Bare express is measured first and last; the ratios
 * use the mean of both.
 */
import { EXIT, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { BASELINE_MAIN } from '@statelab/lab';
import { discrepancies } from '../src/ledger.ts';
import { startLoad } from '../src/load.ts';
import { createShopper, type Shopper } from '../src/shopper.ts';
import { TARGET_RULE } from '../src/targets.ts';
import { Children, type Started } from './children.ts';
import { prepareShoppers, type Workload } from './direct-workloads.ts';

const SECRET = 'direct-vs-bare-secret-0123456789abcdef0123';
const WARMUP_S = 1;

/** The fraction of bare express's req/s a variant's workload must reach: the bench's one rule. */
function targetOf(variant: Variant, workload: Workload): number {
  return TARGET_RULE.appAllowance * TARGET_RULE.references[variant][workload];
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Connection failures and timeouts. */
  errors: number;
  target?: number;
  cpuUsPerReq: number;
  /** Redis's CPU per request, for the variant that uses it. */
  redisUsPerReq?: number;
  /** What the shoppers' ledger found wrong, e.g. `lostItems 2`. */
  discrepancies: string[];
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

interface Measured {
  name: string;
  server: Started;
  /** One shopper per connection, for the whole run. */
  makeShopper: (index: number) => Shopper;
  redis?: Started;
  target?: number;
}

function parseArgs(argv: readonly string[]): { seconds: number; connections: number } | undefined {
  const seconds = Number(argv[0] ?? 5);
  const connections = Number(argv[1] ?? 50);
  const ok = Number.isInteger(seconds) && seconds >= 1 && seconds <= 60;
  return ok && Number.isInteger(connections) && connections >= 1 && connections <= 500
    ? { seconds, connections }
    : undefined;
}

/** One load with a warm-up phase first; figures, CPU and checks are of the measured phase only. */
async function measure(spec: Measured, seconds: number, connections: number): Promise<Row> {
  const { server, redis } = spec;
  const result = await startLoad({
    baseUrl: server.url,
    prefix: '/',
    connections,
    warmupS: WARMUP_S,
    maxDurationS: WARMUP_S + seconds,
    makeShopper: spec.makeShopper,
    cpu: async () => ({ app: [server.pid], ...(redis ? { redis: [redis.pid] } : {}) }),
  }).done;
  const { tally, cpuMs } = result;
  const usPerRequest = (ms: number) => (ms / Math.max(1, result.requests)) * 1000;
  return {
    name: spec.name,
    rps: result.rps,
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    non2xx: tally.errors - tally.connectionErrors,
    errors: tally.connectionErrors,
    cpuUsPerReq: usPerRequest(cpuMs.app ?? 0),
    ...(redis ? { redisUsPerReq: usPerRequest(cpuMs.redis ?? 0) } : {}),
    ...(spec.target === undefined ? {} : { target: spec.target }),
    discrepancies: discrepancies(tally),
  };
}

export function renderTable(rows: readonly Row[], bareRps: number): string {
  const head = [
    'workload'.padEnd(22),
    'req/s'.padStart(7),
    'ratio'.padStart(6),
    'target'.padStart(7),
    'met'.padStart(4),
    'p50 ms'.padStart(7),
    'p99 ms'.padStart(7),
    'non2xx'.padStart(7),
    'errors'.padStart(7),
    'CPU µs/req'.padStart(11),
    'redis µs/req'.padStart(13),
  ].join(' ');
  const body = rows.map((r) => {
    const ratio = r.rps / bareRps;
    return [
      r.name.padEnd(22),
      r.rps.toFixed(0).padStart(7),
      ratio.toFixed(2).padStart(6),
      (r.target === undefined ? '-' : `>=${r.target.toFixed(2)}`).padStart(7),
      (r.target === undefined ? '' : ratio >= r.target ? 'yes' : 'NO').padStart(4),
      r.p50.toFixed(1).padStart(7),
      r.p99.toFixed(1).padStart(7),
      String(r.non2xx).padStart(7),
      String(r.errors).padStart(7),
      r.cpuUsPerReq.toFixed(0).padStart(11),
      (r.redisUsPerReq === undefined ? '' : r.redisUsPerReq.toFixed(0)).padStart(13),
    ].join(' ');
  });
  return [head, ...body].join('\n');
}

/** The ledger's verdict on every answer of every measured phase, one line. */
export function renderChecks(rows: readonly Row[]): string {
  const wrong = rows.filter((r) => r.discrepancies.length > 0);
  if (wrong.length === 0) return "checks: every answer held against its shopper's ledger";
  return `checks FAILED: ${wrong.map((r) => `${r.name} (${r.discrepancies.join(', ')})`).join('; ')}`;
}

async function run(seconds: number, connections: number, children: Children, io: Io): Promise<void> {
  const redis = await children.startRedis();
  const bare = await children.startNode('baseline-1', BASELINE_MAIN, {});
  const common = { SESSION_SECRET: SECRET, JWT_SECRET: SECRET, SHUTDOWN_IDLE_GRACE_MS: '0' };
  const apps: Array<[Variant, Started]> = [];
  for (const variant of ['stateful', 'stateful-redis', 'stateless'] as const) {
    const app = TOPOLOGY[variant].app;
    const env = {
      ...common,
      INSTANCE_ID: `${variant}-1`,
      ...(app === 'stateful-app' ? { VARIANT: variant } : {}),
      ...(TOPOLOGY[variant].needsRedis ? { REDIS_URL: redis.url } : {}),
    };
    apps.push([variant, await children.startNode(`${variant}-1`, `${app}/src/main.ts`, env)]);
  }
  io.err(
    `${connections} connections, ${WARMUP_S} s warm-up + ${seconds} s per workload, one instance, no nginx\n`,
  );

  const rows: Row[] = [];
  const step = async (spec: Measured) => {
    const done = await measure(spec, seconds, connections);
    io.err(`  ${done.name}: ${done.rps.toFixed(0)} req/s\n`);
    rows.push(done);
  };
  // The bench's check for the baseline: its body is a constant, so a probe books status and X-Served-By.
  const probe = () => createShopper('baseline', 'probe', Number.POSITIVE_INFINITY);
  await step({ name: 'bare read (first)', server: bare, makeShopper: probe });
  for (const [variant, app] of apps) {
    const viaRedis = TOPOLOGY[variant].needsRedis ? { redis } : {};
    for (const workload of ['read', 'write'] as Workload[]) {
      const shoppers = await prepareShoppers(app.url, variant, workload, connections);
      await step({
        name: `${variant} ${workload}`,
        server: app,
        // A cycling shopper never leaves its connection: one is asked for per connection.
        makeShopper: (i) => shoppers[i]!,
        ...viaRedis,
        target: targetOf(variant, workload),
      });
    }
  }
  await step({ name: 'bare read (last)', server: bare, makeShopper: probe });
  const bareRps = (rows[0]!.rps + rows.at(-1)!.rps) / 2;
  io.out(
    `${renderTable(rows, bareRps)}\nratio: req/s over the mean of both bare runs (${bareRps.toFixed(0)} req/s)\n${renderChecks(rows)}\n`,
  );
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    io.err('usage: direct-vs-bare.ts [seconds 1-60, default 5] [connections 1-500, default 50]\n');
    return EXIT.usage;
  }
  const children = new Children();
  // Whatever ends this process, nothing it started outlives it.
  process.once('exit', () => children.killAllNow());
  const interrupted = new Promise<number>((resolve) => {
    const stop = () => resolve(EXIT.interrupted);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  try {
    return await Promise.race([
      run(args.seconds, args.connections, children, io).then(() => EXIT.ok),
      interrupted,
    ]);
  } catch (err) {
    io.err(`direct-vs-bare failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  } finally {
    await children.stopAll();
  }
}

const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exit(code);
