/**
 * The servers `direct-vs-bare.ts` measures, as children started by the process toolkit, each in
 * its own process group (a terminal's Ctrl-C reaches only the script, which then stops them).
 * `Children` remembers every process it started so that all of them go at the end.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ManagedProcess, type RedisServer, startNodeMain, startRedisServer } from '@statelab/processes';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STOP_TIMEOUT_MS = 5_000;

export interface Started {
  readonly name: string;
  readonly pid: number;
  /** http://127.0.0.1:<port> for an HTTP server, redis://127.0.0.1:<port> for Redis. */
  readonly url: string;
}

export class Children {
  readonly #running: ManagedProcess[] = [];
  readonly #redis: RedisServer[] = [];

  /** A Node entry point (absolute, or relative to the repository) run with tsx; ready at its `listening` line. */
  async startNode(name: string, script: string, env: Record<string, string>): Promise<Started> {
    const started = await startNodeMain({
      script: resolve(REPO_ROOT, script),
      env: { PATH: process.env.PATH ?? '', PORT: '0', INSTANCE_ID: name, ...env },
      cwd: REPO_ROOT,
      ownGroup: true,
      ready: 'listening',
    });
    this.#running.push(started.process);
    return { name, pid: started.process.pid, url: started.url };
  }

  /** redis-server on a free loopback port, without persistence, in a temp dir removed at the end. */
  async startRedis(): Promise<Started> {
    const redis = await startRedisServer();
    this.#redis.push(redis);
    return { name: 'redis-server', pid: redis.pid!, url: redis.url };
  }

  /** SIGTERM to each, SIGKILL to whoever is still there after a few seconds; temp dirs removed. */
  async stopAll(): Promise<void> {
    await Promise.all(this.#running.splice(0).map((proc) => proc.terminate('SIGTERM', STOP_TIMEOUT_MS)));
    await Promise.all(this.#redis.splice(0).map((redis) => redis.close()));
  }

  /** For `process.on('exit')`, where nothing asynchronous runs: SIGKILL by PID, dirs removed. */
  killAllNow(): void {
    for (const proc of this.#running.splice(0)) proc.signal('SIGKILL');
    for (const redis of this.#redis.splice(0)) {
      if (redis.pid !== undefined) process.kill(redis.pid, 'SIGKILL');
      rmSync(redis.dir, { recursive: true, force: true });
    }
  }
}
