/**
 * Bench options: one table of defaults, the `--quick` overrides, then one zod validation that lists
 * every problem in one message. Precedence: defaults < `--quick` < explicit flags.
 */
import { parseArgs } from 'node:util';
import { VARIANTS, type Variant } from '@statelab/cart-core';
import { DRAIN_MODES, type DrainMode } from '@statelab/lab';
import { z } from 'zod';

export const SCENARIOS = [
  'scaling',
  'kill',
  'rolling-restart',
  'cart-size',
  'redis-outage',
  'concurrent-updates',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly variants: readonly Variant[];
  readonly scenarios: readonly ScenarioName[];
  /** Instances per variant; scaling sweeps 1..instances. */
  readonly instances: number;
  /** Seconds of measurement per step (a scaling point, a cart size, a fault scenario's whole run). */
  readonly durationS: number;
  /** Seconds of unmeasured load before each scaling or cart-size step. */
  readonly warmupS: number;
  readonly connections: number;
  /** Requests per second in total (open loop); undefined means closed loop. */
  readonly rate: number | undefined;
  readonly runtime: 'native' | 'compose';
  readonly target: string | undefined;
  /** How the labs the bench starts stop an instance (lab `--drain`); a running target keeps its own. */
  readonly drain: DrainMode;
  readonly out: string;
  readonly thresholds: string | undefined;
  readonly cartSizes: readonly number[];
  /** Mutations each shopper sends at once in `concurrent-updates`. */
  readonly parallelUpdates: number;
  /** Requests a shopper makes before a new shopper (new jar) takes its connection. */
  readonly actionsPerShopper: number;
  /**
   * Shoppers send an Idempotency-Key with every write (and nginx may then replay it elsewhere);
   * `--no-idempotency` shows the old client beside it: the same retries, without keys.
   */
  readonly idempotency: boolean;
  readonly quick: boolean;
}

export const DEFAULTS: Readonly<Omit<BenchOptions, 'rate' | 'target' | 'thresholds'>> = Object.freeze({
  variants: VARIANTS,
  scenarios: SCENARIOS,
  instances: 3,
  durationS: 10,
  warmupS: 2,
  connections: 50,
  runtime: 'native',
  drain: 'unlink',
  out: 'bench-results',
  cartSizes: [1, 10, 25, 50],
  parallelUpdates: 10,
  actionsPerShopper: 40,
  idempotency: true,
  quick: false,
});

/** `--quick`: every scenario, shortened to stay under 3 minutes on 2 cores. */
export const QUICK: Readonly<Partial<BenchOptions>> = Object.freeze({
  instances: 2,
  cartSizes: [1, 50],
  durationS: 2,
  warmupS: 0.5,
  connections: 20,
});

export class OptionsError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid options: ${problems.join('; ')}`);
    this.name = 'OptionsError';
    this.problems = problems;
  }
}

const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).min(1, 'needs at least one value'))
    .transform((v) => [...new Set(v)]);
const number = (min: number, max: number, int = true) => {
  const n = z.coerce.number().min(min).max(max);
  return int ? n.int() : n;
};

const schema = z.strictObject({
  variants: list(VARIANTS as unknown as [Variant, ...Variant[]]).optional(),
  scenarios: list(SCENARIOS as unknown as [ScenarioName, ...ScenarioName[]]).optional(),
  instances: number(1, 16).optional(),
  duration: number(0.5, 600, false).optional(),
  warmup: number(0, 60, false).optional(),
  connections: number(1, 2000).optional(),
  rate: number(1, 1_000_000).optional(),
  runtime: z.enum(['native', 'compose']).optional(),
  drain: z.enum(DRAIN_MODES).optional(),
  target: z
    .url({ protocol: /^https?$/, error: 'must be an http URL such as http://127.0.0.1:8080' })
    .refine(
      (u) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname),
      'must be a loopback address',
    )
    .optional(),
  out: z.string().min(1).optional(),
  thresholds: z.string().min(1).optional(),
  'cart-sizes': z
    .string()
    .transform((s) => s.split(',').map((v) => Number(v.trim())))
    .pipe(z.array(z.number().int().min(1).max(50)).min(1))
    .optional(),
  'parallel-updates': number(2, 50).optional(),
  'no-idempotency': z.boolean().optional(),
  quick: z.boolean().optional(),
});

const FLAGS = {
  variants: { type: 'string' },
  scenarios: { type: 'string' },
  instances: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  rate: { type: 'string' },
  runtime: { type: 'string' },
  drain: { type: 'string' },
  target: { type: 'string' },
  out: { type: 'string' },
  thresholds: { type: 'string' },
  'cart-sizes': { type: 'string' },
  'parallel-updates': { type: 'string' },
  'no-idempotency': { type: 'boolean' },
  quick: { type: 'boolean' },
} as const;

/** Parses flags into frozen options; throws one `OptionsError` listing every problem. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new OptionsError([err instanceof Error ? err.message : String(err)]);
  }
  const result = schema.safeParse(values);
  if (!result.success) {
    throw new OptionsError(
      result.error.issues.map((i) => `--${String(i.path[0] ?? 'options')} ${i.message}`),
    );
  }
  const v = result.data;
  const base = { ...DEFAULTS, ...(v.quick ? QUICK : {}) };
  const options: BenchOptions = {
    variants: v.variants ?? base.variants,
    scenarios: v.scenarios ?? base.scenarios,
    instances: v.instances ?? base.instances,
    durationS: v.duration ?? base.durationS,
    warmupS: v.warmup ?? base.warmupS,
    connections: v.connections ?? base.connections,
    rate: v.rate,
    runtime: v.runtime ?? base.runtime,
    target: v.target,
    drain: v.drain ?? base.drain,
    out: v.out ?? base.out,
    thresholds: v.thresholds,
    cartSizes: v['cart-sizes'] ?? base.cartSizes ?? DEFAULTS.cartSizes,
    parallelUpdates: v['parallel-updates'] ?? base.parallelUpdates,
    actionsPerShopper: base.actionsPerShopper,
    idempotency: !v['no-idempotency'],
    quick: v.quick ?? false,
  };
  const problems: string[] = [];
  if (options.rate !== undefined && options.rate < options.connections) {
    problems.push(
      `--rate ${options.rate} is below --connections ${options.connections}: every connection needs at least 1 request/s`,
    );
  }
  if (v.drain !== undefined && (options.target !== undefined || options.runtime === 'compose')) {
    problems.push(
      '--drain applies to the labs the bench starts itself: a running lab keeps how it was started',
    );
  }
  if (problems.length) throw new OptionsError(problems);
  return Object.freeze(options);
}

export const USAGE = `usage: npm run bench -- [flags]
       npm run bench -- render <dir>     re-render report.md and report.html from <dir>/report.json

  --quick                  every scenario, shortened (< 3 min on 2 cores)
  --variants a,b           ${VARIANTS.join(',')} (default: all)
  --scenarios a,b          ${SCENARIOS.join(',')} (default: all)
  --instances N            instances per variant; scaling sweeps 1..N (default ${DEFAULTS.instances}, quick ${QUICK.instances})
  --duration S             seconds measured per step (default ${DEFAULTS.durationS}, quick ${QUICK.durationS})
  --warmup S               unmeasured seconds before each step (default ${DEFAULTS.warmupS}, quick ${QUICK.warmupS})
  --connections N          concurrent shoppers (default ${DEFAULTS.connections}, quick ${QUICK.connections})
  --rate R                 open loop: R requests/s in total, latency from the intended send time
  --cart-sizes 1,10,25,50  cart lines for cart-size (quick: 1,50)
  --parallel-updates K     mutations each shopper sends at once in concurrent-updates (default ${DEFAULTS.parallelUpdates})
  --no-idempotency         shoppers send writes without Idempotency-Key (still retrying them): the old
                           client, so a report shows what the keys change (default: keys on)
  --runtime native|compose native starts its own lab; compose benches docker compose up at --target (default 127.0.0.1:8080)
  --drain unlink|close     how the labs it starts stop an instance: unlink (default; apps on Unix sockets that leave
                           nginx's rotation first) or close (apps on TCP ports, as before)
  --target URL             bench a running lab, driving faults through its control API
  --out DIR                where bench-results/<timestamp>/ goes (default ${DEFAULTS.out})
  --thresholds FILE        JSON such as {"stateless.kill.lostSessions": "== 0"}; exit 2 when one fails
`;
