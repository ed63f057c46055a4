/** Test harness: the app in-process or as a child `main.ts`, on port 0, stopped by the test itself. */
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLifecycle, createLogger, type Env, serve } from '@statelab/cart-core/http';
import { buildApp } from '../src/app.ts';
import { loadConfig, type StatelessConfig } from '../src/config.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
export const COOKIE = 'statelab_sl_cart';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export function testEnv(overrides: Env = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    INSTANCE_ID: 'stateless-1',
    JWT_SECRET: TEST_SECRET,
    PORT: '0',
    LOG_LEVEL: 'silent',
    SHUTDOWN_IDLE_GRACE_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface InProcessApp {
  readonly url: string;
  readonly config: StatelessConfig;
  close(): Promise<void>;
}

/** Starts the app in this process; the caller registers `close` at once. */
export async function startServer(overrides: Env = {}): Promise<InProcessApp> {
  const config = loadConfig(testEnv(overrides));
  const logger = createLogger({ level: config.logLevel, instance: config.instance, variant: config.variant });
  const lifecycle = createLifecycle();
  const running = await serve(buildApp(config, { logger, lifecycle }), { ...config, lifecycle, logger });
  return { url: running.url, config, close: () => running.close() };
}

/** Starts the app in this process; stopped when the test ends. */
export async function startApp(t: TestContext, overrides: Env = {}): Promise<InProcessApp> {
  const app = await startServer(overrides);
  t.after(() => app.close());
  return app;
}

export interface ChildApp {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the child wrote so far, for assertions and for failure messages. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code once the child has exited. */
  readonly exited: Promise<number | null>;
}

/** Spawns `main.ts`; resolves once it logs `listening`, rejects with its output if it does not. */
export function spawnMain(
  t: TestContext,
  env: Env,
  options: { waitForListening?: boolean } = {},
): Promise<ChildApp> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    // The `listening` line is logged at info.
    env: { PATH: process.env.PATH ?? '', ...testEnv({ LOG_LEVEL: 'info', ...env }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = () => ({ stdout, stderr });
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => fail('did not log "listening" within 15 s'), 15_000);
    function fail(why: string) {
      clearTimeout(deadline);
      reject(new Error(`main.ts ${why}\nstdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`));
    }
    void exited.then((code) => {
      clearTimeout(deadline);
      if (options.waitForListening === false) resolve({ child, url: '', output, exited });
      else fail(`exited with ${code} before listening`);
    });
    if (options.waitForListening === false) return;
    child.stdout.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(deadline);
      resolve({ child, url: (JSON.parse(line) as { url: string }).url, output, exited });
    });
  });
}

/** Polls until `check` resolves true, failing with `describe()` at the deadline. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  describe: () => string,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The value a `Set-Cookie` list gives the cart cookie, or undefined when it does not set it. */
export function cartCookie(setCookie: readonly string[]): string | undefined {
  const line = setCookie.find((c) => c.startsWith(`${COOKIE}=`));
  return line?.slice(COOKIE.length + 1).split(';')[0];
}

/** Whether the `Set-Cookie` list removes the cart cookie (same name and path, already expired). */
export function clearsCartCookie(setCookie: readonly string[]): boolean {
  return setCookie.some((c) => {
    if (!c.startsWith(`${COOKIE}=;`) || !/;\s*Path=\/(;|$)/i.test(c)) return false;
    const expires = /;\s*Expires=([^;]+)/i.exec(c)?.[1];
    return /;\s*Max-Age=0(;|$)/i.test(c) || (expires !== undefined && Date.parse(expires) <= Date.now());
  });
}
