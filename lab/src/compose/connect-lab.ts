/**
 * `connectLab()`: a lab someone else started (`docker compose up`), for the bench. It starts
 * nothing and stops nothing; faults go through the compose runtime, the cart traffic to `baseUrl`.
 */

import { httpStatus } from '@statelab/processes';
import type { LabHandle } from '../native/lab.ts';
import { REPO_ROOT } from '../repo-root.ts';
import { type ComposeRunner, composeCli } from './compose-cli.ts';
import { COMPOSE_DEFAULTS, parseTarget } from './compose-options.ts';
import { createComposeRuntime } from './compose-runtime.ts';

export interface ConnectLabOptions {
  runtime: 'compose';
  /** The compose load balancer; default http://127.0.0.1:8080. Loopback only. */
  target?: string;
  /** Where docker-compose.yml and .env are; default the repository root. */
  projectDir?: string;
  /** Runs `docker compose <args>`; default the CLI in projectDir (tests pass their own). */
  run?: ComposeRunner;
}

/** A LabHandle without the control API's own URL: no control API runs for a connected lab. */
export type ConnectedLab = Omit<LabHandle, 'controlApiUrl'>;

/** Rejects at once, in one message, when nothing answers at the target. */
export async function connectLab(options: ConnectLabOptions): Promise<ConnectedLab> {
  const baseUrl = parseTarget(options.target ?? COMPOSE_DEFAULTS.target);
  if ((await httpStatus(`${baseUrl}/`, { timeoutMs: 2000 })) === 0)
    throw new Error(`nothing answers at ${baseUrl}; start the containers with: docker compose up --build`);
  return {
    baseUrl,
    runtime: createComposeRuntime({ run: options.run ?? composeCli(options.projectDir ?? REPO_ROOT) }),
    // nginx runs in a container: its pids are not ours to read.
    nginxPid: () => undefined,
    nginxWorkerPids: () => [],
    close: async () => {},
  };
}
