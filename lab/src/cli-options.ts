/** `npm run lab` flags: parsed with node's parseArgs, then checked by the same rules as `startLab()`. */
import { parseArgs } from 'node:util';
import { ConfigError, isVariant, VARIANTS } from '@statelab/cart-core';
import { LAB_DEFAULTS, type LabConfig, MAX_INSTANCES, parseLabOptions } from './lab-options.ts';

export const USAGE = `Usage: npm run lab -- [options]

Starts redis-server, nginx and every app instance as local processes on loopback, prints the URLs,
then a line containing "ready". Ctrl-C or SIGTERM stops everything it started.

Options:
  --port P          nginx port on 127.0.0.1 (default ${LAB_DEFAULTS.port}; 0 = any free port)
  --instances N     instances per variant, 1-${MAX_INSTANCES} (default ${LAB_DEFAULTS.instances})
  --variants a,b    variants to run (default ${VARIANTS.join(',')})
  --baseline N      bare express instances at /baseline/, the bench's ceiling (default ${LAB_DEFAULTS.baseline})
  --log-level L     apps' LOG_LEVEL (default ${LAB_DEFAULTS.logLevel})
  --help            this text
`;

export type CliRequest = { help: true } | { help: false; config: LabConfig };

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
      help: { type: 'boolean' },
    },
  });
  if (values.help) return { help: true };
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
  const instances = read(() => integer('instances', values.instances));
  const baseline = read(() => integer('baseline', values.baseline));
  const variants = values.variants?.split(',').map((v) => v.trim());
  const unknown = variants?.filter((v) => !isVariant(v)) ?? [];
  if (unknown.length > 0)
    problems.push(`--variants: unknown ${unknown.join(', ')} (known: ${VARIANTS.join(', ')})`);
  if (problems.length > 0) throw new ConfigError(problems);
  const config = parseLabOptions({
    ...(port !== undefined ? { port } : {}),
    ...(instances !== undefined ? { instances } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(variants ? { variants: variants.filter(isVariant) } : {}),
    ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] } : {}),
  });
  return { help: false, config };
}
