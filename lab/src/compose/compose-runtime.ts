/**
 * The compose runtime: the same Runtime, driven by the `docker compose` CLI against the project in
 * docker-compose.yml. The command runner is injected (compose-cli.ts), so tests assert the exact
 * command lines and feed recorded `ps` output. Calls on one id run one after another.
 */
import {
  containerSocketPath,
  DEFAULT_INSTANCES,
  instanceIds,
  parseInstanceId,
  REDIS_ID,
  VARIANTS,
} from '@statelab/cart-core';
import { pollUntil } from '@statelab/processes';
import { InstanceFailedError, type InstanceInfo, type Runtime, UnknownInstanceError } from '../runtime.ts';
import type { ComposeRunner } from './compose-cli.ts';
import {
  type ComposeContainer,
  containerState,
  isDown,
  isReady,
  parsePs,
  pickContainer,
} from './compose-ps.ts';

export interface ComposeRuntimeOptions {
  run: ComposeRunner;
  /** App instances per variant in docker-compose.yml; default 3. */
  instances?: number;
  /** How long `start` and `restart` wait for the healthcheck to pass. */
  readyTimeoutMs?: number;
  /** How long `kill` waits for the container to be gone. */
  downTimeoutMs?: number;
  pollIntervalMs?: number;
}

export function createComposeRuntime(options: ComposeRuntimeOptions): Runtime {
  const { run } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const downTimeoutMs = options.downTimeoutMs ?? 15_000;
  const intervalMs = options.pollIntervalMs ?? 500;
  const ids = [REDIS_ID, ...VARIANTS.flatMap((v) => instanceIds(v, options.instances ?? DEFAULT_INSTANCES))];
  const queues = new Map<string, Promise<unknown>>();

  // An app listens on its socket on the compose volume (a path inside the containers).
  const info = (id: string, c: ComposeContainer | undefined): InstanceInfo =>
    id === REDIS_ID
      ? { id, variant: REDIS_ID, state: containerState(c) }
      : {
          id,
          variant: parseInstanceId(id)!.variant,
          state: containerState(c),
          socket: containerSocketPath(id),
        };

  async function must(id: string, args: readonly string[]): Promise<string> {
    const result = await run(args);
    if (result.code !== 0) {
      const said = (result.stderr || result.stdout).trim();
      throw new InstanceFailedError(
        id,
        `docker compose ${args.join(' ')} failed (exit ${result.code}): ${said}`,
      );
    }
    return result.stdout;
  }

  const container = async (id: string) =>
    pickContainer(parsePs(await must(id, ['ps', '--all', '--format', 'json', id])), id);

  async function lastLogs(id: string): Promise<string> {
    const result = await run(['logs', '--no-color', '--tail', '20', id]);
    return `${result.stdout}${result.stderr}`.trim() || '(no output)';
  }

  /** Polls `ps` until `done`; resolves with the last container seen. */
  async function poll(
    id: string,
    done: (c: ComposeContainer | undefined) => boolean,
    timeoutMs: number,
    onTimeout: (last: ComposeContainer | undefined) => Error,
    failFast: (last: ComposeContainer | undefined) => Error | undefined = () => undefined,
  ): Promise<ComposeContainer | undefined> {
    let last: ComposeContainer | undefined;
    const check = async () => {
      last = await container(id);
      return done(last);
    };
    await pollUntil(check, {
      timeoutMs,
      intervalMs,
      failFast: () => failFast(last),
      onTimeout: () => onTimeout(last),
    });
    return last;
  }

  async function waitReady(id: string): Promise<InstanceInfo> {
    try {
      const last = await poll(
        id,
        isReady,
        readyTimeoutMs,
        (c) =>
          new Error(
            `not healthy within ${readyTimeoutMs} ms (${c?.state ?? 'no container'}, ${c?.health || 'no health'})`,
          ),
        (c) => (c?.state === 'exited' ? new Error(`exited with code ${c.exitCode}`) : undefined),
      );
      return info(id, last);
    } catch (err) {
      const message = `${id} ${(err as Error).message}; its last output:\n${await lastLogs(id)}`;
      throw new InstanceFailedError(id, message, { cause: err });
    }
  }

  async function waitDown(id: string): Promise<InstanceInfo> {
    const down = (c: ComposeContainer | undefined) => isDown(containerState(c));
    const stuck = (c: ComposeContainer | undefined) =>
      new InstanceFailedError(id, `${id} still ${c?.state} ${downTimeoutMs} ms after SIGKILL`);
    return info(id, await poll(id, down, downTimeoutMs, stuck));
  }

  function serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    if (!ids.includes(id)) return Promise.reject(new UnknownInstanceError(id));
    const next = (queues.get(id) ?? Promise.resolve()).then(work);
    queues.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  }

  return {
    kind: 'compose',
    async list() {
      const all = parsePs(await must('list', ['ps', '--all', '--format', 'json']));
      return ids.map((id) => info(id, pickContainer(all, id)));
    },
    kill: (id) =>
      serialized(id, async () => {
        const now = info(id, await container(id));
        if (isDown(now.state)) return now;
        await must(id, ['kill', '-s', 'SIGKILL', id]);
        return waitDown(id);
      }),
    stop: (id) =>
      serialized(id, async () => {
        const now = info(id, await container(id));
        if (isDown(now.state)) return now;
        // Compose sends SIGTERM and waits the service's stop_grace_period before any SIGKILL.
        await must(id, ['stop', id]);
        return info(id, await container(id));
      }),
    start: (id) =>
      serialized(id, async () => {
        const now = await container(id);
        if (isReady(now)) return info(id, now);
        if (now?.state !== 'running') await must(id, ['start', id]);
        return waitReady(id);
      }),
    restart: (id) =>
      serialized(id, async () => {
        await must(id, ['restart', id]);
        return waitReady(id);
      }),
  };
}
