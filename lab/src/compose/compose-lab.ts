/**
 * `npm run lab -- --runtime compose`: starts no container and no process, only the front on
 * 127.0.0.1 (UI, control API over `docker compose`, variants proxied to the load balancer), then
 * waits for the load balancer to answer and says `ready`.
 */

import { findExecutable, httpStatus, pollUntil } from '@statelab/processes';
import { REPO_ROOT } from '../repo-root.ts';
import type { Runtime } from '../runtime.ts';
import { composeCli } from './compose-cli.ts';
import type { ComposeLabConfig } from './compose-options.ts';
import { createComposeRuntime } from './compose-runtime.ts';
import { startFront } from './front-server.ts';

export interface ComposeLabContext {
  env: NodeJS.ProcessEnv;
  say(line: string): void;
  /** Resolves on Ctrl-C or SIGTERM. */
  stop: Promise<NodeJS.Signals>;
  /** Default: the compose runtime over `docker compose` in the repository root. */
  runtime?: Runtime;
  /** How long to wait for the load balancer; a first `docker compose up --build` builds images. */
  targetTimeoutMs?: number;
}

const TARGET_TIMEOUT_MS = 10 * 60_000;

class StopRequested extends Error {}

/** Resolves once the load balancer answers at all, or throws StopRequested / a timeout error. */
async function waitForTarget(target: string, context: ComposeLabContext, stopped: () => boolean) {
  const timeoutMs = context.targetTimeoutMs ?? TARGET_TIMEOUT_MS;
  let told = false;
  await pollUntil(
    async () => {
      if ((await httpStatus(`${target}/`, { timeoutMs: 2000 })) > 0) return true;
      if (!told) context.say(`waiting for ${target} (start it with: docker compose up --build)...`);
      told = true;
      return false;
    },
    {
      timeoutMs,
      intervalMs: 500,
      failFast: () => (stopped() ? new StopRequested() : undefined),
      onTimeout: () =>
        new Error(`nothing answered at ${target} within ${timeoutMs / 1000} s; is docker compose up?`),
    },
  );
}

/** Throws when the front cannot start or the target never answers; returns once stopped. */
export async function runComposeLab(config: ComposeLabConfig, context: ComposeLabContext): Promise<void> {
  const { say } = context;
  let stopped = false;
  void context.stop.then(() => {
    stopped = true;
  });
  const runtime = context.runtime ?? createComposeRuntime({ run: composeCli(REPO_ROOT) });
  const front = await startFront({
    port: config.port,
    target: config.target,
    runtime,
    report: say,
    ...(config.uiRoot ? { uiRoot: config.uiRoot } : {}),
  });
  try {
    say(
      `statelab lab (compose): ${front.url}/ serves the UI and the control API, and proxies to ${config.target}`,
    );
    if (runtime.kind === 'compose' && !findExecutable('docker', context.env))
      say('warning: docker is not on PATH; the control API will answer errors until it is');
    try {
      await waitForTarget(config.target, context, () => stopped);
    } catch (err) {
      if (err instanceof StopRequested) return;
      throw err;
    }
    say(
      `statelab lab (compose): ready: open ${front.url}/ for the UI with kill buttons ` +
        `(${config.target}/ is compose's own nginx, without them)`,
    );
    const signal = await context.stop;
    say(`statelab lab: ${signal}, stopping the front (the containers keep running)...`);
  } finally {
    await front.close();
  }
}
