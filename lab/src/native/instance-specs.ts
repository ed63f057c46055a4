/**
 * What the lab runs for each instance id, from the topology table: the app process interface
 * (command + env), redis-server's flags, and each one's readiness probe. With a socket folder, every
 * app listens on `<folder>/<id>.sock` (`--drain unlink`); without one, on a loopback port.
 */
import { join } from 'node:path';
import { instanceIds, REDIS_ID, TOPOLOGY, type Variant } from '@statelab/cart-core';
import { httpStatus, nodeMainArgs, redisPing, redisServerArgs, redisUrl } from '@statelab/processes';
import { BASELINE_MAIN } from '../baseline/baseline-app.ts';
import { REPO_ROOT } from '../repo-root.ts';
import { type Endpoint, type InstanceSpec, tcpPort } from './instance.ts';
import { LOOPBACK } from './ports.ts';

export interface SpecInput {
  readonly variants: readonly Variant[];
  readonly instances: number;
  readonly baseline: number;
  readonly logDir: string;
  /** Where the apps' Unix sockets go (`--drain unlink`); undefined: apps on TCP (`--drain close`). */
  readonly socketDir: string | undefined;
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

function readyz(endpoint: Endpoint): Promise<boolean> {
  const status =
    endpoint.socket === undefined
      ? httpStatus(`http://${LOOPBACK}:${endpoint.port}/readyz`)
      : httpStatus('http://localhost/readyz', { socketPath: endpoint.socket });
  return status.then((s) => s === 200);
}

/** Where an app listens, as its environment says it. */
function listenEnv(endpoint: Endpoint): Record<string, string> {
  return endpoint.socket === undefined
    ? { HOST: LOOPBACK, PORT: String(endpoint.port) }
    : { SOCKET_PATH: endpoint.socket };
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
  const socket = (id: string) =>
    input.socketDir === undefined ? {} : { socket: join(input.socketDir, `${id}.sock`) };
  const specs: InstanceSpec[] = [];

  if (needsRedis(input.variants)) {
    specs.push({
      id: REDIS_ID,
      variant: REDIS_ID,
      command: (endpoint) => ({
        command: input.redisServer,
        args: redisServerArgs({ port: tcpPort(endpoint), ...input.redis }),
        env: input.baseEnv,
        logFile: logFile(REDIS_ID),
        ownGroup: true,
      }),
      ready: (endpoint) => redisPing(LOOPBACK, tcpPort(endpoint), { password: input.secrets.redis }),
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
        ...socket(id),
        command: (endpoint) =>
          nodeCommand(
            entry,
            {
              ...input.baseEnv,
              INSTANCE_ID: id,
              ...listenEnv(endpoint),
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
      ...socket(id),
      command: (endpoint) =>
        nodeCommand(
          BASELINE_MAIN,
          {
            ...input.baseEnv,
            INSTANCE_ID: id,
            ...listenEnv(endpoint),
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
