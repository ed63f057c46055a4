/**
 * `startLab()`: the native topology. Redis and every app instance start in parallel, then nginx is
 * rendered with where they listen, ports or sockets (and the built UI folder it is given); `close()`
 * stops nginx, then apps, then redis.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_ID } from '@statelab/cart-core';
import type { UpstreamServer } from '@statelab/load-balancer';
import { writeRedisConfig } from '@statelab/processes';
import { buildControlApi, CONTROL_API_PATH } from '../control/control-api.ts';
import type { Runtime } from '../runtime.ts';
import { tcpPort } from './instance.ts';
import { instanceSpecs, needsRedis } from './instance-specs.ts';
import { type LabConfig, type LabOptions, parseLabOptions } from './lab-options.ts';
import { createNativeRuntime, type NativeRuntime } from './native-runtime.ts';
import { type RunningNginx, startNginx } from './nginx-process.ts';
import { LOOPBACK } from './ports.ts';
import { findTools, type Tools } from './tools.ts';

export interface LabHandle {
  readonly baseUrl: string;
  readonly runtime: Runtime;
  /** The control API's own loopback URL (nginx proxies /lab/ to it). */
  readonly controlApiUrl: string;
  /** The bench reads CPU time from /proc/<pid>/stat (+ workers). */
  nginxPid(): number | undefined;
  nginxWorkerPids(): number[];
  /** Stops everything it started; removes its temp dir. */
  close(): Promise<void>;
}

/** What `npm run lab` needs beyond the public handle: the temp dir it prints. */
export interface NativeLab extends LabHandle {
  readonly runtime: NativeRuntime;
  readonly config: LabConfig;
  readonly tempDir: string;
  readonly logDir: string;
}

export interface LaunchContext {
  env: NodeJS.ProcessEnv;
  tools: Tools;
  /** Where crashes are reported (the lab's stdout). */
  report(line: string): void;
}

function secret(): string {
  return randomBytes(32).toString('hex');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function launchLab(config: LabConfig, context: LaunchContext): Promise<NativeLab> {
  const tempDir = await mkdtemp(join(tmpdir(), 'statelab-lab-'));
  const logDir = join(tempDir, 'logs');
  const prefixDir = join(tempDir, 'nginx');
  // The apps' sockets, in the lab's own 0700 temp dir: nginx's workers run as the lab's user.
  const socketDir = config.drain === 'unlink' ? join(tempDir, 'sockets') : undefined;
  await Promise.all(
    [logDir, join(prefixDir, 'logs'), join(tempDir, 'redis'), ...(socketDir ? [socketDir] : [])].map((d) =>
      mkdir(d, { recursive: true }),
    ),
  );

  const undo: Array<() => Promise<void>> = [];
  const unwind = async () => {
    for (const step of undo.reverse())
      await step().catch((err: Error) => context.report(`cleanup: ${err.message}`));
    await rm(tempDir, { recursive: true, force: true });
  };

  try {
    let runtime: NativeRuntime | undefined;
    const redisDir = join(tempDir, 'redis');
    const redisPassword = secret();
    const specs = instanceSpecs(
      {
        ...config,
        logDir,
        socketDir,
        redis: {
          dir: redisDir,
          configFile: await writeRedisConfig(redisDir, redisPassword),
          maxmemory: config.redisMaxmemory,
        },
        redisServer: context.tools.redisServer ?? 'redis-server',
        secrets: { session: secret(), jwt: secret(), redis: redisPassword },
        baseEnv: context.env,
      },
      () => tcpPort(runtime!.instance(REDIS_ID).endpoint),
    );
    runtime = await createNativeRuntime(specs, (message) => context.report(`crashed: ${message}`));
    const started = runtime;
    undo.push(() => started.close());
    // Children run in their own process groups: if the lab itself dies, nothing else would stop them.
    const killAll = () => started.killAllNow();
    process.once('exit', killAll);
    undo.push(async () => void process.off('exit', killAll));

    // nginx's port, the lab's public one: known only once nginx is started on it.
    let publicPort: number | undefined;
    const control = createServer(
      buildControlApi({
        runtime,
        variants: config.variants,
        publicPort: () => publicPort,
        onError: (err) => context.report(`control API: ${err instanceof Error ? err.message : String(err)}`),
      }),
    );
    const controlPort = await listen(control);
    undo.push(() => closeServer(control));

    await runtime.startAll();
    const servers = (ids: string[]): UpstreamServer[] =>
      ids.map((id) => {
        const { socket, port } = started.instance(id).endpoint;
        return socket === undefined ? { id, host: LOOPBACK, port } : { id, socket };
      });
    const list = await runtime.list();
    const baseline = list.filter((i) => i.variant === 'baseline').map((i) => i.id);
    const nginx: RunningNginx = await startNginx({
      model: {
        mode: 'native',
        prefixDir,
        variants: config.variants.map((variant) => ({
          variant,
          servers: servers(list.filter((i) => i.variant === variant).map((i) => i.id)),
        })),
        ...(baseline.length > 0 ? { baseline: { servers: servers(baseline) } } : {}),
        ...(config.uiRoot ? { uiRoot: config.uiRoot } : {}),
        controlApi: { host: LOOPBACK, port: controlPort },
      },
      prefixDir,
      nginx: context.tools.nginx,
      port: config.port,
      probePath: `${CONTROL_API_PATH}/instances`,
      logFile: join(logDir, 'nginx.log'),
      onPort: (port) => {
        publicPort = port;
      },
      onCrash: (message) => context.report(`crashed: ${message}`),
    });
    undo.push(() => nginx.stop());
    const killNginx = () => nginx.killNow();
    process.once('exit', killNginx);
    undo.push(async () => void process.off('exit', killNginx));

    let closing: Promise<void> | undefined;
    return {
      baseUrl: `http://${LOOPBACK}:${nginx.port}`,
      controlApiUrl: `http://${LOOPBACK}:${controlPort}`,
      runtime,
      config,
      tempDir,
      logDir,
      nginxPid: () => nginx.pid,
      nginxWorkerPids: () => nginx.workerPids(),
      close: () => {
        closing ??= unwind();
        return closing;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** What the lab takes from its host process, given rather than read, so a library touches no globals. */
export interface LabHost {
  /** The environment the lab's children inherit and its tools are looked up in. */
  env: NodeJS.ProcessEnv;
  /** Where crashes and cleanup problems are reported. */
  report(line: string): void;
}

export async function startLab(options: LabOptions, host: LabHost): Promise<LabHandle> {
  const config = parseLabOptions(options);
  const found = findTools(host.env, needsRedis(config.variants));
  if ('missing' in found) throw new Error(found.missing);
  return launchLab(config, { ...host, tools: found.tools });
}
