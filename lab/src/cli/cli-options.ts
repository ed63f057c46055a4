/** `npm run lab` flags: parsed with node's parseArgs, then checked by the same rules as `startLab()`. */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isVariant, VARIANTS } from '@statelab/cart-core';
import { ConfigError } from '@statelab/cart-core/http';
import { COMPOSE_DEFAULTS, type ComposeLabConfig, parseTarget } from '../compose/compose-options.ts';
import {
  DRAIN_MODES,
  type DrainMode,
  LAB_DEFAULTS,
  type LabConfig,
  MAX_INSTANCES,
  parseLabOptions,
} from '../native/lab-options.ts';
import { REPO_ROOT } from '../repo-root.ts';

export const RUNTIMES = ['native', 'compose'] as const;

/** Where `npm run build` (which `npm run lab` runs first) writes the cart UI. */
export const DEFAULT_UI_DIR = join(REPO_ROOT, 'cart-ui', 'dist');

export const USAGE = `Usage: npm run lab -- [options]

--runtime native (default): starts redis-server, nginx and every app instance as local processes on
loopback, prints the URLs, then a line containing "ready". Ctrl-C or SIGTERM stops everything it started.

--runtime compose: starts nothing; serves the UI with working kill buttons on 127.0.0.1, proxies the
variants to the load balancer of \`docker compose up\` and drives it with the docker compose CLI.

Options:
  --runtime R       ${RUNTIMES.join(' or ')} (default native)
  --port P          port on 127.0.0.1 (native: nginx, default ${LAB_DEFAULTS.port}; compose: the front,
                    default ${COMPOSE_DEFAULTS.port}; 0 = any free port)
  --target URL      compose only: the load balancer (default ${COMPOSE_DEFAULTS.target})
  --instances N     instances per variant, 1-${MAX_INSTANCES} (default ${LAB_DEFAULTS.instances})
  --variants a,b    variants to run (default ${VARIANTS.join(',')})
  --baseline N      bare express instances at /baseline/, the bench's ceiling (default ${LAB_DEFAULTS.baseline})
  --log-level L     apps' LOG_LEVEL (default ${LAB_DEFAULTS.logLevel})
  --redis-maxmemory S
                    Redis's memory limit (default ${LAB_DEFAULTS.redisMaxmemory}); a full Redis refuses writes (503)
  --drain D         how a stopping app leaves nginx's rotation: unlink (default; apps on Unix
                    sockets they unlink before closing, so no request is lost) or close (apps on
                    TCP ports; the closing listener resets connections nginx may have sent a POST on)
  --ui-dir DIR      the built cart UI served at / (default cart-ui/dist, built by npm run build)
                    (--instances, --variants, --baseline, --log-level, --redis-maxmemory, --drain:
                    native only)
  --help            this text
`;

export type CliRequest =
  | { help: true }
  | { help: false; runtime: 'native'; config: LabConfig }
  | { help: false; runtime: 'compose'; config: ComposeLabConfig };

/** Flags that only one runtime reads; given to the other, they are refused rather than ignored. */
const NATIVE_ONLY = ['instances', 'variants', 'baseline', 'log-level', 'redis-maxmemory', 'drain'] as const;
const COMPOSE_ONLY = ['target'] as const;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError([`--${name} must be a whole number, got "${value}"`]);
  return Number(value);
}

/** Throws ConfigError (bad values) or a TypeError from parseArgs (unknown flag, missing value). */
export function parseCliArgs(argv: readonly string[]): CliRequest {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      instances: { type: 'string' },
      variants: { type: 'string' },
      baseline: { type: 'string' },
      'log-level': { type: 'string' },
      'redis-maxmemory': { type: 'string' },
      drain: { type: 'string' },
      runtime: { type: 'string' },
      target: { type: 'string' },
      'ui-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return { help: true };
  const runtime = values.runtime ?? 'native';
  if (runtime !== 'native' && runtime !== 'compose')
    throw new ConfigError([`--runtime must be ${RUNTIMES.join(' or ')}, got "${runtime}"`]);
  const misplaced = (runtime === 'native' ? COMPOSE_ONLY : NATIVE_ONLY).filter(
    (f) => values[f] !== undefined,
  );
  if (misplaced.length > 0) {
    const other = runtime === 'native' ? 'compose' : 'native';
    throw new ConfigError(misplaced.map((f) => `--${f} applies to --runtime ${other} only`));
  }
  const problems: string[] = [];
  const read = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const port = read(() => integer('port', values.port));
  const uiRoot = resolve(values['ui-dir'] ?? DEFAULT_UI_DIR);
  if (runtime === 'compose') {
    const target = read(() => parseTarget(values.target ?? COMPOSE_DEFAULTS.target));
    if (port !== undefined && port > 65535) problems.push(`--port must be at most 65535, got ${port}`);
    if (problems.length > 0) throw new ConfigError(problems);
    const config = Object.freeze({ port: port ?? COMPOSE_DEFAULTS.port, target: target!, uiRoot });
    return { help: false, runtime, config };
  }
  const instances = read(() => integer('instances', values.instances));
  const baseline = read(() => integer('baseline', values.baseline));
  const variants = values.variants?.split(',').map((v) => v.trim());
  const unknown = variants?.filter((v) => !isVariant(v)) ?? [];
  if (unknown.length > 0)
    problems.push(`--variants: unknown ${unknown.join(', ')} (known: ${VARIANTS.join(', ')})`);
  const drain = values.drain;
  if (drain !== undefined && !(DRAIN_MODES as readonly string[]).includes(drain))
    problems.push(`--drain must be ${DRAIN_MODES.join(' or ')}, got "${drain}"`);
  if (problems.length > 0) throw new ConfigError(problems);
  const config = parseLabOptions({
    ...(port !== undefined ? { port } : {}),
    ...(instances !== undefined ? { instances } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(variants ? { variants: variants.filter(isVariant) } : {}),
    ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] } : {}),
    ...(values['redis-maxmemory'] !== undefined ? { redisMaxmemory: values['redis-maxmemory'] } : {}),
    ...(drain !== undefined ? { drain: drain as DrainMode } : {}),
    uiRoot,
  });
  return { help: false, runtime, config };
}
