/**
 * Runs `src/main.ts` as a child process with the process toolkit, configured only by env, as the
 * lab and compose do: ready at its `listening` line, then at `/readyz` when asked.
 */
import { fileURLToPath } from 'node:url';
import { ManagedProcess, nodeMainArgs, pollFor, startNodeMain } from '@statelab/processes';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface AppProcess {
  readonly process: ManagedProcess;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGKILL unless already gone; for cleanup. */
  kill(): Promise<void>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env };
}

/** Runs main.ts to completion (for configurations that must refuse to start). */
export async function runMain(env: Record<string, string>, timeoutMs = START_TIMEOUT_MS): Promise<RunResult> {
  const proc = await ManagedProcess.spawn({
    command: process.execPath,
    args: nodeMainArgs(MAIN),
    env: childEnv(env),
  });
  if (!(await proc.exitsWithin(timeoutMs))) {
    await proc.kill();
    throw new Error(`main.ts did not exit within ${timeoutMs} ms:\n${proc.output()}`);
  }
  const { code } = await proc.exited;
  return { code, stdout: proc.output('stdout'), stderr: proc.output('stderr') };
}

/** The stateful tests' poll signature over the toolkit's pollFor; at the deadline it shows `output()`. */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  output = () => '',
): Promise<T> {
  return pollFor(probe, {
    timeoutMs,
    onTimeout: () =>
      new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${output().slice(-3000)}`),
  });
}

/** main.ts spawned without waiting for it (a test that watches it get ready); the caller kills it. */
export function spawnAppProcess(env: Record<string, string>): Promise<ManagedProcess> {
  return ManagedProcess.spawn({ command: process.execPath, args: nodeMainArgs(MAIN), env: childEnv(env) });
}

export async function startAppProcess(
  env: Record<string, string>,
  options: { ready?: boolean } = {},
): Promise<AppProcess> {
  const main = await startNodeMain({
    script: MAIN,
    env: childEnv({ HOST: '127.0.0.1', PORT: '0', ...env }),
    ready: options.ready === false ? 'listening' : 'readyz',
    timeoutMs: START_TIMEOUT_MS,
  });
  const proc = main.process;
  return {
    process: proc,
    pid: proc.pid,
    port: main.port,
    url: main.url,
    output: () => proc.output(),
    exited: proc.exited.then((exit) => exit.code),
    kill: () => proc.kill(),
  };
}
