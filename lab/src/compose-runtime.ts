/**
 * The compose runtime: the same Runtime, driven by the `docker compose` CLI against the project in
 * docker-compose.yml. The command runner is injected, so tests assert the exact command lines and
 * feed recorded `ps` output; the real one is `execFile`. Calls on one id run one after another.
 */
import { execFile } from 'node:child_process';
import { DEFAULT_INSTANCES, instanceIds, parseInstanceId, VARIANTS } from '@statelab/cart-core';
import { pollUntil } from './readiness.ts';
import {
  InstanceFailedError,
  type InstanceInfo,
  type InstanceState,
  type Runtime,
  UnknownInstanceError,
} from './runtime.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit status; 127 when the command could not be run at all, 124 when it timed out. */
  code: number;
}

/** Runs `docker compose <args>`. */
export type ComposeRunner = (args: readonly string[]) => Promise<CommandResult>;

/** One container as `docker compose ps --format json` describes it (the fields we read). */
export interface ComposeContainer {
  service: string;
  state: string;
  health: string;
  exitCode: number;
}

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

/** The compose service name of the one Redis. */
const REDIS_SERVICE = 'redis';

/** Runs a command without a shell; never rejects, the outcome is in `code`. */
export function execRunner(command: string, baseArgs: readonly string[], timeoutMs = 120_000): ComposeRunner {
  return (args) =>
    new Promise((resolve) => {
      const options = { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' as const };
      execFile(command, [...baseArgs, ...args], options, (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0 });
        if (typeof err.code === 'number') return resolve({ stdout, stderr, code: err.code });
        const code = err.killed ? 124 : 127;
        resolve({ stdout, stderr: `${stderr}${stderr ? '\n' : ''}${command}: ${err.message}`, code });
      });
    });
}

/** The real runner: `docker compose` in the project directory (where docker-compose.yml and .env are). */
export function composeCli(projectDir: string, timeoutMs?: number): ComposeRunner {
  return execRunner('docker', ['compose', '--project-directory', projectDir], timeoutMs);
}

function toContainer(value: unknown): ComposeContainer | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { Service, State, Health, ExitCode } = value as Record<string, unknown>;
  if (typeof Service !== 'string' || typeof State !== 'string') return undefined;
  return {
    service: Service,
    state: State,
    health: typeof Health === 'string' ? Health : '',
    exitCode: typeof ExitCode === 'number' ? ExitCode : 0,
  };
}

/** Compose < 2.21 prints one JSON array; later versions one object per line, like `docker ps`. */
export function parsePs(stdout: string): ComposeContainer[] {
  const text = stdout.trim();
  if (text === '') return [];
  try {
    const values: unknown[] = text.startsWith('[')
      ? (JSON.parse(text) as unknown[])
      : text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown);
    return values.flatMap((v) => toContainer(v) ?? []);
  } catch (err) {
    throw new Error(`unexpected output from docker compose ps: ${text.slice(0, 200)}`, { cause: err });
  }
}

/** Exit codes of a deliberate stop: clean exit, SIGKILL (137) and SIGTERM (143). */
const STOPPED_EXIT_CODES = new Set([0, 137, 143]);

export function containerState(container: ComposeContainer | undefined): InstanceState {
  if (!container) return 'stopped';
  switch (container.state) {
    case 'running':
      // `unhealthy` still runs (for example with Redis down, /readyz is 503): like native mode.
      return container.health === 'starting' ? 'starting' : 'running';
    case 'restarting':
      return 'starting';
    case 'exited':
      return STOPPED_EXIT_CODES.has(container.exitCode) ? 'stopped' : 'crashed';
    case 'dead':
      return 'crashed';
    default:
      return 'stopped'; // created, paused, removing
  }
}

const isDown = (state: InstanceState) => state === 'stopped' || state === 'crashed';
/** Ready: running and its healthcheck passed (or it has none). */
const isReady = (c: ComposeContainer | undefined) =>
  c?.state === 'running' && (c.health === 'healthy' || c.health === '');

/** A service has one container here; should a stale one linger, the running one counts. */
function pick(containers: readonly ComposeContainer[], id: string): ComposeContainer | undefined {
  const own = containers.filter((c) => c.service === id);
  return own.find((c) => c.state === 'running') ?? own[0];
}

export function createComposeRuntime(options: ComposeRuntimeOptions): Runtime {
  const { run } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const downTimeoutMs = options.downTimeoutMs ?? 15_000;
  const intervalMs = options.pollIntervalMs ?? 500;
  const ids = [
    REDIS_SERVICE,
    ...VARIANTS.flatMap((v) => instanceIds(v, options.instances ?? DEFAULT_INSTANCES)),
  ];
  const queues = new Map<string, Promise<unknown>>();

  const info = (id: string, c: ComposeContainer | undefined): InstanceInfo => ({
    id,
    variant: id === REDIS_SERVICE ? 'redis' : parseInstanceId(id)!.variant,
    state: containerState(c),
  });

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
    pick(parsePs(await must(id, ['ps', '--all', '--format', 'json', id])), id);

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
      return ids.map((id) => info(id, pick(all, id)));
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
