/**
 * `npm run lab`: main(argv, env, io) -> exit code. Starts the native lab (or, with `--runtime
 * compose`, only the front of a compose lab), prints where everything is, then waits for Ctrl-C or
 * SIGTERM and stops every process it started.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '@statelab/cart-core';
import { ConfigError } from '@statelab/cart-core/http';
import { runComposeLab } from '../compose/compose-lab.ts';
import { needsRedis } from '../native/instance-specs.ts';
import { launchLab } from '../native/lab.ts';
import { findTools } from '../native/tools.ts';
import { parseCliArgs, USAGE } from './cli-options.ts';
import { renderReadyTable } from './ready-table.ts';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function stopRequested(): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let listener: (signal: NodeJS.Signals) => void = () => undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    listener = resolve;
  });
  for (const name of STOP_SIGNALS) process.on(name, listener);
  return {
    signal,
    dispose: () => {
      for (const name of STOP_SIGNALS) process.off(name, listener);
    },
  };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  let request: ReturnType<typeof parseCliArgs>;
  try {
    request = parseCliArgs(argv);
  } catch (err) {
    const message = err instanceof ConfigError ? err.problems.join('; ') : (err as Error).message;
    io.stderr.write(`statelab lab: ${message} (see --help)\n`);
    return EXIT.usage;
  }
  if (request.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (request.runtime === 'compose') {
    if (!hasUi(request.config.uiRoot, io)) return EXIT.unavailable;
    return untilStopped(io, (stop) => runComposeLab(request.config, { env, say, stop }));
  }
  const { config } = request;
  const found = findTools(env, needsRedis(config.variants));
  if ('missing' in found) {
    io.stderr.write(`${found.missing}\n`);
    return EXIT.unavailable;
  }
  if (!hasUi(config.uiRoot, io)) return EXIT.unavailable;

  return untilStopped(io, async (stop) => {
    const started = Date.now();
    say(`statelab lab: starting ${config.variants.join(', ')} x ${config.instances}...`);
    const lab = await launchLab(config, { env, tools: found.tools, report: say });
    say(
      renderReadyTable({
        baseUrl: lab.baseUrl,
        variants: config.variants,
        instances: await lab.runtime.list(),
        nginx: { pid: lab.nginxPid(), port: Number(new URL(lab.baseUrl).port) },
        logDir: lab.logDir,
        seconds: (Date.now() - started) / 1000,
      }),
    );
    const signal = await stop;
    say(`statelab lab: ${signal}, stopping nginx, then apps, then redis...`);
    await lab.close();
  });
}

/** The folder `--ui-dir` names holds a built UI; if not, one line says how to build it. */
function hasUi(uiRoot: string | undefined, io: Io): boolean {
  if (uiRoot === undefined || existsSync(join(uiRoot, 'index.html'))) return true;
  io.stderr.write(`statelab lab: no built cart UI in ${uiRoot}; build it with: npm run build\n`);
  return false;
}

/**
 * Runs `work` with a promise of the stop signal, listened for before it starts (a Ctrl-C during
 * start-up still stops what was started); `stopped` on success, the error on stderr otherwise.
 */
async function untilStopped(io: Io, work: (stop: Promise<NodeJS.Signals>) => Promise<void>): Promise<number> {
  const stop = stopRequested();
  try {
    await work(stop.signal);
    io.stdout.write('statelab lab: stopped\n');
    return EXIT.ok;
  } catch (err) {
    io.stderr.write(`statelab lab: ${(err as Error).message}\n`);
    return EXIT.failure;
  } finally {
    stop.dispose();
  }
}
