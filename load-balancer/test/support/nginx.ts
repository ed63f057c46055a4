/**
 * A real nginx for one test file: config rendered by the renderer under test, run in the
 * foreground with `nginxCommand` in a temp prefix, stopped by PID and its prefix removed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpStatus, ManagedProcess, waitUntilReady, workerUser } from '@statelab/processes';
import { findNginx, type NginxModel, nginxCommand, renderNginxConfig } from '../../src/index.ts';

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export type Cleanup = (fn: () => Promise<void> | void) => void;

export interface RunningNginx {
  readonly baseUrl: string;
  readonly prefixDir: string;
  readonly config: string;
  output(): string;
}

export function requireNginx(): string {
  const nginx = findNginx();
  if (!nginx)
    throw new Error('nginx is not installed (apt-get install nginx-light); these tests need a real one');
  return nginx;
}

export async function tempDir(cleanup: Cleanup, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `statelab-lb-${name}-`));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A UI folder holding just an index.html, as nginx serves at `/`; removed with the other cleanups. */
export async function uiFolder(cleanup: Cleanup): Promise<string> {
  const dir = await tempDir(cleanup, 'ui');
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>statelab</title>');
  return dir;
}

/** `nginx -t` on a rendered config; returns its exit status and output. */
export async function nginxTest(
  cleanup: Cleanup,
  config: string,
): Promise<{ status: number | null; output: string }> {
  const prefixDir = await tempDir(cleanup, 'check');
  const confPath = join(prefixDir, 'nginx.conf');
  await writeFile(confPath, config);
  const { command, args } = nginxCommand(confPath, prefixDir);
  const result = spawnSync(command, ['-t', ...args], { encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export async function startNginx(
  cleanup: Cleanup,
  model: (listen: { host: string; port: number }, prefixDir: string) => NginxModel,
): Promise<RunningNginx> {
  requireNginx();
  const prefixDir = await tempDir(cleanup, 'nginx');
  const port = await freePort();
  const config = renderNginxConfig({ user: workerUser(), ...model({ host: '127.0.0.1', port }, prefixDir) });
  const confPath = join(prefixDir, 'nginx.conf');
  await writeFile(confPath, config);
  const { command, args } = nginxCommand(confPath, prefixDir);
  const nginx = await ManagedProcess.spawn({ command, args, env: process.env });
  // SIGTERM: nginx's fast shutdown; the master waits for its workers before it exits.
  cleanup(async () => {
    await nginx.terminate('SIGTERM', STOP_TIMEOUT_MS);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  // Any answer will do: nothing else listens on this fresh port.
  await waitUntilReady(
    nginx,
    'nginx',
    async () => (await httpStatus(`${baseUrl}/_probe`)) !== 0,
    READY_TIMEOUT_MS,
  );
  return { baseUrl, prefixDir, config, output: () => nginx.output() };
}

/**
 * Cleanups for resources a `before` hook creates: registered at once as each is made, run in
 * reverse order by the one `after` hook the file registers up front.
 */
export function cleanupStack(): { cleanup: Cleanup; runAll: () => Promise<void> } {
  const stack: Array<() => Promise<void> | void> = [];
  return {
    cleanup: (fn) => {
      stack.push(fn);
    },
    runAll: async () => {
      for (const fn of stack.splice(0).reverse()) await fn();
    },
  };
}
