/**
 * A statelab Node entry point (an app's `main.ts`, the lab's baseline) run with tsx as a child,
 * configured only by env as the lab and compose run it. Ready at its pino `listening` line, and
 * then at `/readyz` 200 when asked.
 */
import { ManagedProcess } from './managed-process.ts';
import { httpStatus, waitForLine, waitUntilReady } from './wait.ts';

export interface NodeMainSpec {
  /** Absolute path of the `.ts` entry point. */
  readonly script: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly logFile?: string;
  readonly ownGroup?: boolean;
  /** `listening`: the log line; `readyz`: that line, then `/readyz` answers 200. */
  readonly ready: 'listening' | 'readyz';
  readonly timeoutMs?: number;
}

export interface RunningNodeMain {
  readonly process: ManagedProcess;
  readonly url: string;
  readonly port: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

export function nodeMainArgs(script: string): string[] {
  return ['--import', 'tsx', script];
}

/** The `{ url, port }` of a pino `listening` line, or undefined for any other line. */
export function listeningLine(line: string): { url: string; port: number } | undefined {
  if (!line.includes('"msg":"listening"')) return undefined;
  try {
    const { url, port } = JSON.parse(line) as { url?: unknown; port?: unknown };
    return typeof url === 'string' && typeof port === 'number' ? { url, port } : undefined;
  } catch {
    return undefined;
  }
}

/** Starts it and waits; a child that fails to get ready is killed, and the error carries its output. */
export async function startNodeMain(spec: NodeMainSpec): Promise<RunningNodeMain> {
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const proc = await ManagedProcess.spawn({
    command: process.execPath,
    args: nodeMainArgs(spec.script),
    env: spec.env,
    cwd: spec.cwd,
    logFile: spec.logFile,
    ownGroup: spec.ownGroup,
  });
  try {
    const listening = await waitForLine(proc, spec.script, listeningLine, timeoutMs);
    if (spec.ready === 'readyz') {
      await waitUntilReady(
        proc,
        `${spec.script} /readyz`,
        async () => (await httpStatus(`${listening.url}/readyz`)) === 200,
        timeoutMs,
      );
    }
    return { process: proc, ...listening };
  } catch (err) {
    await proc.kill();
    throw err;
  }
}
