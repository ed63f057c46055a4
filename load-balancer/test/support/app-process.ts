/**
 * A real stateful-app process on a fixed port (so it can come back where nginx expects it),
 * ready once `/readyz` answers 200, killed by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from './nginx.ts';
import { waitFor } from './ports.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const statefulMain = fileURLToPath(new URL('../../../stateful-app/src/main.ts', import.meta.url));

export interface AppProcess {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** SIGKILL, then wait for the exit: the instance and its in-memory sessions are gone. */
  kill(): Promise<void>;
  output(): string;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startStatefulApp(cleanup: Cleanup, id: string, port: number): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', statefulMain], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      INSTANCE_ID: id,
      VARIANT: 'stateful',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SESSION_SECRET: 'load-balancer-tests-only-secret-0123456789abcdef',
    },
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  };
  cleanup(kill);
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
  await waitFor(
    id,
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200,
    () => output.slice(-2000),
    () =>
      child.exitCode === null
        ? undefined
        : new Error(`${id} exited with ${child.exitCode}:\n${output.slice(-2000)}`),
  );
  return { id, host: '127.0.0.1', port, pid: child.pid!, kill, output: () => output };
}
