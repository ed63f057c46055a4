/**
 * The servers `direct-vs-bare.ts` measures, as child processes: each in its own process group (a
 * terminal's Ctrl-C reaches only the script, which then stops them), ready when it says so, and
 * stopped by its PID. `Children` remembers every process it started so that all of them go at the end.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, redisServerArgs } from '@statelab/cart-core';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface Started {
  readonly name: string;
  readonly pid: number;
  /** http://127.0.0.1:<port> for an HTTP server, redis://127.0.0.1:<port> for Redis. */
  readonly url: string;
}

/** utime + stime of a process, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; utime and stime are the 12th and 13th fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export class Children {
  readonly #running = new Map<number, ChildProcess>();
  readonly #dirs: string[] = [];

  /** Spawns, then resolves with the URL that `ready` finds in its output, or fails with that output. */
  async #start(
    name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    ready: (out: string) => string | undefined,
  ): Promise<Started> {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`${name} ${why}; last output:\n${output.slice(-2000)}`));
      };
      const timer = setTimeout(() => fail(`was not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      child.once('error', (err) => fail(`could not start: ${err.message}`));
      child.once('exit', (code, signal) => fail(`exited early (${signal ?? code})`));
      const onData = (chunk: string) => {
        output = (output + chunk).slice(-20_000);
        const found = ready(output);
        if (found === undefined) return;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        resolve(found);
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      if (child.pid !== undefined) this.#running.set(child.pid, child);
    });
    // Keep draining its output so a chatty child never blocks on a full pipe.
    child.stdout.resume();
    child.stderr.resume();
    return { name, pid: child.pid!, url };
  }

  /** A Node entry point run with tsx; ready at its pino `listening` line. */
  startNode(name: string, script: string, env: Record<string, string>): Promise<Started> {
    const fullEnv = { PATH: process.env.PATH ?? '', PORT: '0', ...env };
    return this.#start(name, process.execPath, ['--import', 'tsx', script], fullEnv, (out) => {
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      return line ? (JSON.parse(line) as { url: string }).url : undefined;
    });
  }

  /** redis-server on a free loopback port, without persistence, in a temp dir removed at the end. */
  async startRedis(): Promise<Started> {
    const dir = mkdtempSync(path.join(tmpdir(), 'statelab-direct-redis-'));
    this.#dirs.push(dir);
    const port = await freePort();
    const args = redisServerArgs(port, dir);
    return this.#start('redis-server', 'redis-server', args, { PATH: process.env.PATH ?? '' }, (out) =>
      out.includes('Ready to accept connections') ? `redis://127.0.0.1:${port}` : undefined,
    );
  }

  /** SIGTERM to each, SIGKILL to whoever is still there after a few seconds; temp dirs removed. */
  async stopAll(): Promise<void> {
    const all = [...this.#running.values()];
    for (const child of all) child.kill('SIGTERM');
    const gone = Promise.all(all.map(exited));
    const timer = setTimeout(() => {
      for (const child of all)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
    this.#running.clear();
    this.#removeDirs();
  }

  /** For `process.on('exit')`, where nothing asynchronous runs: SIGKILL by PID, dirs removed. */
  killAllNow(): void {
    for (const child of this.#running.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.#running.clear();
    this.#removeDirs();
  }

  #removeDirs(): void {
    for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
