/**
 * A real nginx for one test file: config rendered by the renderer under test, run in the
 * foreground with `nginxCommand` in a temp prefix, stopped by PID and its prefix removed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx, type NginxModel, nginxCommand, renderNginxConfig } from '../../src/index.ts';
import { freePort, waitFor } from './ports.ts';

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

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGTERM: nginx's fast shutdown; the master waits for its workers before it exits.
  child.kill('SIGTERM');
  return exited;
}

export async function startNginx(
  cleanup: Cleanup,
  model: (listen: { host: string; port: number }, prefixDir: string) => NginxModel,
): Promise<RunningNginx> {
  requireNginx();
  const prefixDir = await tempDir(cleanup, 'nginx');
  const port = await freePort();
  const config = renderNginxConfig(model({ host: '127.0.0.1', port }, prefixDir));
  const confPath = join(prefixDir, 'nginx.conf');
  await writeFile(confPath, config);
  const { command, args } = nginxCommand(confPath, prefixDir);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup(() => stopChild(child));
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    'nginx',
    async () => {
      await fetch(`${baseUrl}/_probe`);
      return true;
    },
    () => output,
    () =>
      child.exitCode === null ? undefined : new Error(`nginx exited with ${child.exitCode}:\n${output}`),
  );
  return { baseUrl, prefixDir, config, output: () => output };
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
