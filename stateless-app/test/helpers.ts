/** Test harness: the app in-process or as a child `main.ts`, on port 0, stopped by the test itself. */
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLifecycle, createLogger, type Env, serve } from '@statelab/cart-core/http';
import { ManagedProcess, nodeMainArgs, type RunningNodeMain, startNodeMain } from '@statelab/processes';
import { buildApp } from '../src/app.ts';
import { loadConfig, type StatelessConfig } from '../src/config.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
export const COOKIE = 'statelab_sl_cart';
export const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const START_TIMEOUT_MS = 15_000;

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

export function mainEnv(env: Env): NodeJS.ProcessEnv {
  // The `listening` line is logged at info.
  return { PATH: process.env.PATH ?? '', ...testEnv({ LOG_LEVEL: 'info', ...env }) };
}

/** Starts `main.ts` with the process toolkit, ready at its `listening` line; killed when the test ends. */
export async function spawnMain(t: TestContext, env: Env): Promise<RunningNodeMain> {
  const main = await startNodeMain({
    script: MAIN,
    env: mainEnv(env),
    ready: 'listening',
    timeoutMs: START_TIMEOUT_MS,
  });
  t.after(() => main.process.kill());
  return main;
}

/** Runs `main.ts` to completion (a configuration it must refuse); killed when the test ends. */
export async function runMain(
  t: TestContext,
  env: Env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = await ManagedProcess.spawn({
    command: process.execPath,
    args: nodeMainArgs(MAIN),
    env: mainEnv(env),
  });
  t.after(() => proc.kill());
  if (!(await proc.exitsWithin(START_TIMEOUT_MS)))
    throw new Error(`main.ts did not exit within ${START_TIMEOUT_MS} ms:\n${proc.output()}`);
  const { code } = await proc.exited;
  return { code, stdout: proc.output('stdout'), stderr: proc.output('stderr') };
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
