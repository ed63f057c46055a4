/**
 * What the lab runs for each instance id, from the topology table: the app process interface
 * (command + env), redis-server's flags, and each one's readiness probe.
 */
import { join } from 'node:path';
import { instanceIds, REDIS_ID, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { httpStatus, nodeMainArgs, redisPing, redisServerArgs, redisUrl } from '@statelab/processes';
import { BASELINE_MAIN } from '../baseline/baseline-app.ts';
import { REPO_ROOT } from '../repo-root.ts';
import type { InstanceSpec } from './instance.ts';
import { LOOPBACK } from './ports.ts';

export interface SpecInput {
  readonly variants: readonly Variant[];
  readonly instances: number;
  readonly baseline: number;
  readonly logDir: string;
  readonly redis: {
    /** redis-server's --dir (nothing is written there: no RDB, no AOF). */
    readonly dir: string;
    /** Holds the password (`writeRedisConfig`), kept off the command line. */
    readonly configFile: string;
    readonly maxmemory: string;
  };
  readonly redisServer: string;
  readonly secrets: { readonly session: string; readonly jwt: string; readonly redis: string };
  readonly logLevel: string;
  /** Inherited environment, then the lab's variables, then these (tests shorten grace periods). */
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly appEnv: Readonly<Record<string, string>>;
}

const APP_READY_TIMEOUT_MS = 50_000;
const REDIS_READY_TIMEOUT_MS = 10_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 15_000;
/** Beyond the app's own shutdown deadline, before the lab SIGKILLs it. */
const STOP_MARGIN_MS = 5_000;

export function needsRedis(variants: readonly Variant[]): boolean {
  return variants.some((v) => TOPOLOGY[v].needsRedis);
}

function readyz(port: number): Promise<boolean> {
  return httpStatus(`http://${LOOPBACK}:${port}/readyz`).then((status) => status === 200);
}

function nodeCommand(entry: string, env: NodeJS.ProcessEnv, logFile: string) {
  return {
    command: process.execPath,
    args: nodeMainArgs(entry),
    env,
    cwd: REPO_ROOT,
    logFile,
    ownGroup: true,
  };
}

function variantEnv(variant: Variant, input: SpecInput, redisPort: () => number): Record<string, string> {
  switch (TOPOLOGY[variant].store) {
    case 'memory-session':
      return { VARIANT: variant, SESSION_SECRET: input.secrets.session };
    case 'redis-session':
      return {
        VARIANT: variant,
        SESSION_SECRET: input.secrets.session,
        REDIS_URL: redisUrl(redisPort(), input.secrets.redis),
      };
    case 'jwt':
      return { VARIANT: variant, JWT_SECRET: input.secrets.jwt };
  }
}

/** Redis first, then each variant's instances, then baseline: the order `list()` shows. */
export function instanceSpecs(input: SpecInput, redisPort: () => number): InstanceSpec[] {
  const shutdownMs = Number(
    input.appEnv.SHUTDOWN_TIMEOUT_MS ?? input.baseEnv.SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
  );
  const appStop = (Number.isFinite(shutdownMs) ? shutdownMs : DEFAULT_SHUTDOWN_TIMEOUT_MS) + STOP_MARGIN_MS;
  const logFile = (id: string) => join(input.logDir, `${id}.log`);
  const specs: InstanceSpec[] = [];

  if (needsRedis(input.variants)) {
    specs.push({
      id: REDIS_ID,
      variant: REDIS_ID,
      command: (port) => ({
        command: input.redisServer,
        args: redisServerArgs({ port, ...input.redis }),
        env: input.baseEnv,
        logFile: logFile(REDIS_ID),
        ownGroup: true,
      }),
      ready: (port) => redisPing(LOOPBACK, port, { password: input.secrets.redis }),
      readyTimeoutMs: REDIS_READY_TIMEOUT_MS,
      stopTimeoutMs: STOP_MARGIN_MS,
    });
  }

  for (const variant of input.variants) {
    const entry = join(REPO_ROOT, TOPOLOGY[variant].app, 'src', 'main.ts');
    for (const id of instanceIds(variant, input.instances)) {
      specs.push({
        id,
        variant,
        command: (port) =>
          nodeCommand(
            entry,
            {
              ...input.baseEnv,
              INSTANCE_ID: id,
              HOST: LOOPBACK,
              PORT: String(port),
              LOG_LEVEL: input.logLevel,
              ...variantEnv(variant, input, redisPort),
              ...input.appEnv,
            },
            logFile(id),
          ),
        ready: readyz,
        readyTimeoutMs: APP_READY_TIMEOUT_MS,
        stopTimeoutMs: appStop,
      });
    }
  }

  for (let n = 1; n <= input.baseline; n++) {
    const id = `baseline-${n}`;
    specs.push({
      id,
      variant: 'baseline',
      command: (port) =>
        nodeCommand(
          BASELINE_MAIN,
          {
            ...input.baseEnv,
            INSTANCE_ID: id,
            HOST: LOOPBACK,
            PORT: String(port),
            LOG_LEVEL: input.logLevel,
            ...input.appEnv,
          },
          logFile(id),
        ),
      ready: readyz,
      readyTimeoutMs: APP_READY_TIMEOUT_MS,
      stopTimeoutMs: appStop,
    });
  }
  return specs;
}
