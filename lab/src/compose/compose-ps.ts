/**
 * Reading `docker compose ps --format json`: the containers it lists, and the lab's InstanceState
 * for each. Pure functions over compose's output, so the runtime and its tests share them.
 */
import type { InstanceState } from '../runtime.ts';

/** One container as `docker compose ps --format json` describes it (the fields we read). */
export interface ComposeContainer {
  service: string;
  state: string;
  health: string;
  exitCode: number;
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

export const isDown = (state: InstanceState) => state === 'stopped' || state === 'crashed';

/** Ready: running and its healthcheck passed (or it has none). */
export const isReady = (c: ComposeContainer | undefined) =>
  c?.state === 'running' && (c.health === 'healthy' || c.health === '');

/** A service has one container here; should a stale one linger, the running one counts. */
export function pickContainer(
  containers: readonly ComposeContainer[],
  id: string,
): ComposeContainer | undefined {
  const own = containers.filter((c) => c.service === id);
  return own.find((c) => c.state === 'running') ?? own[0];
}
