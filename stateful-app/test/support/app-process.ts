/**
 * Runs `src/main.ts` as a child process, configured only by env, as the lab and compose do. Waits
 * for the `listening` log line, then for `/readyz` when asked; on timeout fails with its output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface AppProcess {
  readonly child: ChildProcess;
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
export function runMain(env: Record<string, string>, timeoutMs = START_TIMEOUT_MS): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main.ts did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  output = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\n${output().slice(-3000)}`,
  );
}

export async function startAppProcess(
  env: Record<string, string>,
  options: { ready?: boolean } = {},
): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: childEnv({ HOST: '127.0.0.1', PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  };
  try {
    const listening = await waitFor(
      'the "listening" log line',
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
        const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
        return line ? (JSON.parse(line) as { port: number; url: string }) : undefined;
      },
      START_TIMEOUT_MS,
      () => output,
    );
    if (options.ready !== false) {
      await waitFor(
        '/readyz 200',
        async () => ((await fetch(`${listening.url}/readyz`)).ok ? true : undefined),
        START_TIMEOUT_MS,
        () => output,
      );
    }
    return {
      child,
      pid: child.pid!,
      port: listening.port,
      url: listening.url,
      output: () => output,
      exited,
      kill,
    };
  } catch (err) {
    await kill();
    throw err;
  }
}
