/**
 * A throwaway redis-server on loopback, as the lab, the tests and the bench run it: no persistence,
 * so a killed Redis comes back empty (the outage the lab shows), and its files in one temp dir.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { ManagedProcess } from './managed-process.ts';
import { redisPing, waitUntilReady } from './wait.ts';

export function redisServerArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Its working dir, removed by `close()`. */
  readonly dir: string;
  /** The running process's pid; undefined while it is down. */
  readonly pid: number | undefined;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (no-op while it runs); resolves once PING answers PONG. */
  start(): Promise<void>;
  /** Stops it and removes its temp dir. */
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

async function launch(command: string, port: number, dir: string): Promise<ManagedProcess> {
  const proc = await ManagedProcess.spawn({
    command,
    args: redisServerArgs(port, dir),
    env: { PATH: process.env.PATH ?? '' },
  });
  try {
    await waitUntilReady(
      proc,
      `redis-server on port ${port}`,
      () => redisPing('127.0.0.1', port),
      READY_TIMEOUT_MS,
    );
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return proc;
}

/** redis-server on a free loopback port (`command` defaults to the one on PATH). */
export async function startRedisServer(command = 'redis-server'): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-redis-'));
  const port = await freePort();
  let proc: ManagedProcess | undefined;
  try {
    proc = await launch(command, port, dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const kill = async () => {
    await proc?.kill();
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      return proc?.isRunning() ? proc.pid : undefined;
    },
    kill,
    async start() {
      if (proc?.isRunning()) return;
      proc = await launch(command, port, dir);
    },
    async close() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
