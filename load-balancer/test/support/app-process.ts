/**
 * A real stateful-app (or stateless-app) process on a fixed port (so it can come back where nginx
 * expects it), started with the process toolkit, ready once `/readyz` answers 200, killed by its PID.
 */
import { fileURLToPath } from 'node:url';
import { type ManagedProcess, startNodeMain } from '@statelab/processes';
import type { Cleanup } from './nginx.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The session secret and the token secret of every app these tests start. */
export const APP_SECRET = 'load-balancer-tests-only-secret-0123456789abcdef';

const APPS = {
  stateful: {
    main: fileURLToPath(new URL('../../../stateful-app/src/main.ts', import.meta.url)),
    env: { VARIANT: 'stateful', SESSION_SECRET: APP_SECRET },
  },
  stateless: {
    main: fileURLToPath(new URL('../../../stateless-app/src/main.ts', import.meta.url)),
    env: { VARIANT: 'stateless', JWT_SECRET: APP_SECRET },
  },
};
export type AppKind = keyof typeof APPS;

export interface AppProcess {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** `kill()` is SIGKILL, then the exit: the instance and its in-memory sessions are gone. */
  readonly process: ManagedProcess;
}

export function startStatefulApp(cleanup: Cleanup, id: string, port: number): Promise<AppProcess> {
  return startApp(cleanup, 'stateful', id, port);
}

/** `env` is added to the app's test environment (limits, timeouts). */
export async function startApp(
  cleanup: Cleanup,
  kind: AppKind,
  id: string,
  port: number,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const main = await startNodeMain({
    script: APPS[kind].main,
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      INSTANCE_ID: id,
      HOST: '127.0.0.1',
      PORT: String(port),
      // Info, for the `listening` line the toolkit waits for.
      LOG_LEVEL: 'info',
      ...APPS[kind].env,
      ...env,
    },
    ready: 'readyz',
    timeoutMs: 15_000,
  });
  cleanup(() => main.process.kill());
  return { id, host: '127.0.0.1', port, process: main.process };
}
