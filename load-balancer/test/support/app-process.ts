/**
 * A real stateful-app process on a fixed port (so it can come back where nginx expects it),
 * started with the process toolkit, ready once `/readyz` answers 200, killed by its PID.
 */
import { fileURLToPath } from 'node:url';
import { type ManagedProcess, startNodeMain } from '@statelab/processes';
import type { Cleanup } from './nginx.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const statefulMain = fileURLToPath(new URL('../../../stateful-app/src/main.ts', import.meta.url));

/** `kill()` is SIGKILL, then the exit: the instance and its in-memory sessions are gone. */
export async function startStatefulApp(cleanup: Cleanup, id: string, port: number): Promise<ManagedProcess> {
  const main = await startNodeMain({
    script: statefulMain,
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      INSTANCE_ID: id,
      VARIANT: 'stateful',
      HOST: '127.0.0.1',
      PORT: String(port),
      // Info, for the `listening` line the toolkit waits for.
      LOG_LEVEL: 'info',
      SESSION_SECRET: 'load-balancer-tests-only-secret-0123456789abcdef',
    },
    ready: 'readyz',
    timeoutMs: 15_000,
  });
  cleanup(() => main.process.kill());
  return main.process;
}
