/**
 * nginx in the foreground of its own prefix folder, rendered from the one configuration source.
 * It is ready when a request through it reaches our control API: only our nginx can do that, so
 * another server already on a fixed port is never mistaken for it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type NginxModel, nginxCommand, renderNginxConfig } from '@statelab/load-balancer';
import {
  childPids,
  describeExit,
  freePort,
  httpStatus,
  ManagedProcess,
  pollUntil,
  workerUser,
} from '@statelab/processes';
import { LOOPBACK, saysAddressInUse } from './ports.ts';

export interface NginxStartOptions {
  /** Everything but `listen`, which is chosen here. */
  model: Omit<NginxModel, 'listen'>;
  prefixDir: string;
  nginx: string;
  /** 0: a free port. */
  port: number;
  /** A path nginx proxies to the lab's control API, answered 200 once nginx serves. */
  probePath: string;
  logFile: string;
  /** Told each port before nginx is started on it: the control API checks it before the probe arrives. */
  onPort(port: number): void;
  onCrash(message: string): void;
}

export interface RunningNginx {
  readonly port: number;
  readonly pid: number;
  workerPids(): number[];
  /** Graceful quit (finish in-flight requests), then fast shutdown, then SIGKILL to every nginx process. */
  stop(): Promise<void>;
  /** SIGKILL to master and workers without waiting (the lab is exiting). */
  killNow(): void;
}

const READY_TIMEOUT_MS = 15_000;
const QUIT_WAIT_MS = 5_000;
const TERM_WAIT_MS = 2_000;
const PORT_ATTEMPTS = 4;

async function startOnce(options: NginxStartOptions, port: number): Promise<ManagedProcess> {
  options.onPort(port);
  const confPath = join(options.prefixDir, 'nginx.conf');
  const model: NginxModel = { ...options.model, listen: { host: LOOPBACK, port }, user: workerUser() };
  await writeFile(confPath, renderNginxConfig(model));
  const { args } = nginxCommand(confPath, options.prefixDir);
  const proc = await ManagedProcess.spawn({
    command: options.nginx,
    args,
    env: process.env,
    logFile: options.logFile,
    ownGroup: true,
  });
  try {
    await pollUntil(
      async () => (await httpStatus(`http://${LOOPBACK}:${port}${options.probePath}`)) === 200,
      {
        timeoutMs: READY_TIMEOUT_MS,
        failFast: () => {
          const exit = proc.exitInfo();
          return exit && new Error(describeExit('nginx', exit, proc.lastLines()));
        },
        onTimeout: () =>
          new Error(
            `nginx did not serve ${options.probePath} within ${READY_TIMEOUT_MS / 1000} s: ${proc.lastLines().join('\n  ')}`,
          ),
      },
    );
  } catch (err) {
    await stopNginx(proc);
    throw err;
  }
  return proc;
}

/** A SIGKILLed master leaves its workers behind: kill those by pid too. */
function killNginx(proc: ManagedProcess, workers: readonly number[]): void {
  for (const pid of new Set([...workers, ...childPids(proc.pid)])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  proc.signal('SIGKILL');
}

async function stopNginx(proc: ManagedProcess): Promise<void> {
  if (!proc.isRunning()) return;
  const workers = childPids(proc.pid);
  proc.signal('SIGQUIT');
  if (await proc.exitsWithin(QUIT_WAIT_MS)) return;
  proc.signal('SIGTERM');
  if (await proc.exitsWithin(TERM_WAIT_MS)) return;
  killNginx(proc, workers);
  await proc.exited;
}

export async function startNginx(options: NginxStartOptions): Promise<RunningNginx> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port === 0 ? await freePort() : options.port;
    let proc: ManagedProcess;
    try {
      proc = await startOnce(options, port);
    } catch (err) {
      const retry = options.port === 0 && attempt < PORT_ATTEMPTS && saysAddressInUse((err as Error).message);
      if (retry) continue;
      throw err;
    }
    let stopping: Promise<void> | undefined;
    void proc.exited.then((exit) => {
      if (!exit.expected) options.onCrash(describeExit('nginx', exit, proc.lastLines()));
    });
    return {
      port,
      pid: proc.pid,
      workerPids: () => (proc.isRunning() ? childPids(proc.pid) : []),
      stop: () => {
        stopping ??= stopNginx(proc);
        return stopping;
      },
      killNow: () => {
        if (proc.isRunning()) killNginx(proc, []);
      },
    };
  }
}
