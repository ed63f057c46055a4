/**
 * Each variant's app, one instance straight on its port (no nginx), against bare express in the
 * same run, as the performance targets are stated: req/s as a fraction of bare express's, with
 * latency and the server's CPU time per request (on 2 shared cores req/s alone misleads).
 * Usage: node --import tsx bench/scripts/direct-vs-bare.ts [seconds, default 5] [connections, default 50]
 *
 * Reads are GET /api/cart with a 3-line cart; writes alternate POST /api/cart/items (adds 1 to a
 * line) and PUT that line back to 1, so every request is a real change and no line nears 99.
 * Bare express is measured first and last; the ratios use the mean of both.
 */
import { EXIT, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { TARGET_RULE } from '../src/targets.ts';
import { Children, cpuSeconds, type Started } from './children.ts';
import { type LoadResult, prepareShoppers, runLoad, type Workload } from './shopper-load.ts';

const SECRET = 'direct-vs-bare-secret-0123456789abcdef0123';
const WARMUP_S = 1;

/** The fraction of bare express's req/s a variant's workload must reach: the bench's one rule. */
function targetOf(variant: Variant, workload: Workload): number {
  return TARGET_RULE.appAllowance * TARGET_RULE.references[variant][workload];
}

interface Row extends LoadResult {
  name: string;
  target?: number;
  cpuUsPerReq: number;
  /** Redis's CPU per request, for the variant that uses it. */
  redisUsPerReq?: number;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function parseArgs(argv: readonly string[]): { seconds: number; connections: number } | undefined {
  const seconds = Number(argv[0] ?? 5);
  const connections = Number(argv[1] ?? 50);
  const ok = Number.isInteger(seconds) && seconds >= 1 && seconds <= 60;
  return ok && Number.isInteger(connections) && connections >= 1 && connections <= 500
    ? { seconds, connections }
    : undefined;
}

async function measure(
  name: string,
  server: Started,
  spec: Parameters<typeof runLoad>[0],
  redis?: Started,
  target?: number,
): Promise<Row> {
  await runLoad({ ...spec, seconds: WARMUP_S });
  const cpu = cpuSeconds(server.pid);
  const redisCpu = redis ? cpuSeconds(redis.pid) : 0;
  const result = await runLoad(spec);
  const perRequest = (seconds: number) => (seconds / Math.max(1, result.requests)) * 1e6;
  return {
    name,
    ...result,
    cpuUsPerReq: perRequest(cpuSeconds(server.pid) - cpu),
    ...(redis ? { redisUsPerReq: perRequest(cpuSeconds(redis.pid) - redisCpu) } : {}),
    ...(target === undefined ? {} : { target }),
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

async function run(seconds: number, connections: number, children: Children, io: Io): Promise<void> {
  const redis = await children.startRedis();
  const bare = await children.startNode('baseline-1', 'lab/src/baseline-main.ts', {});
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

  const base = { connections, seconds };
  const rows: Row[] = [];
  const step = async (row: Promise<Row>) => {
    const done = await row;
    io.err(`  ${done.name}: ${done.rps.toFixed(0)} req/s\n`);
    rows.push(done);
  };
  await step(measure('bare read (first)', bare, { ...base, url: bare.url, workload: 'read' }));
  for (const [variant, app] of apps) {
    const { cookieName } = TOPOLOGY[variant];
    const cookies = await prepareShoppers(app.url, cookieName, connections);
    const viaRedis = TOPOLOGY[variant].needsRedis ? redis : undefined;
    for (const workload of ['read', 'write'] as Workload[]) {
      const spec = { ...base, url: app.url, workload, cookies };
      await step(measure(`${variant} ${workload}`, app, spec, viaRedis, targetOf(variant, workload)));
    }
  }
  await step(measure('bare read (last)', bare, { ...base, url: bare.url, workload: 'read' }));
  const bareRps = (rows[0]!.rps + rows.at(-1)!.rps) / 2;
  io.out(
    `${renderTable(rows, bareRps)}\nratio: req/s over the mean of both bare runs (${bareRps.toFixed(0)} req/s)\n`,
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
