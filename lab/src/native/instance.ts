/**
 * One instance's live state: its current process, where it listens (a port fixed once nginx knows
 * it, or a socket path, so a killed instance comes back where nginx expects it) and whether it
 * crashed. Callers serialize calls per id.
 */

import {
  describeExit,
  type ExitInfo,
  freePort,
  ManagedProcess,
  type ProcessSpec,
  pollUntil,
} from '@statelab/processes';
import { InstanceFailedError, type InstanceInfo, type InstanceKind, type InstanceState } from '../runtime.ts';
import { saysAddressInUse } from './ports.ts';

/** A loopback TCP port, or the Unix socket path an app publishes (`SOCKET_PATH`). */
export type Endpoint =
  | { readonly port: number; readonly socket?: undefined }
  | { readonly socket: string; readonly port?: undefined };

/** The port of an endpoint that must be TCP (redis-server's: only the apps leave nginx's rotation). */
export function tcpPort(endpoint: Endpoint): number {
  if (endpoint.socket !== undefined) throw new Error(`expected a TCP port, not ${endpoint.socket}`);
  return endpoint.port;
}

export interface InstanceSpec {
  readonly id: string;
  readonly variant: InstanceKind;
  /** Its socket path; without one it gets a free loopback port. */
  readonly socket?: string;
  /** What to run to serve at `endpoint`. */
  command(endpoint: Endpoint): ProcessSpec;
  /** One readiness probe: /readyz is 200, or redis answers PONG. */
  ready(endpoint: Endpoint): Promise<boolean>;
  readonly readyTimeoutMs: number;
  /** How long a graceful stop may take before SIGKILL. */
  readonly stopTimeoutMs: number;
}

const KILL_WAIT_MS = 5000;
const PORT_ATTEMPTS = 4;

export class Instance {
  readonly spec: InstanceSpec;
  readonly #onCrash: (message: string) => void;
  #endpoint: Endpoint;
  #state: InstanceState = 'stopped';
  #process: ManagedProcess | undefined;

  constructor(spec: InstanceSpec, endpoint: Endpoint, onCrash: (message: string) => void) {
    this.spec = spec;
    this.#endpoint = endpoint;
    this.#onCrash = onCrash;
  }

  get endpoint(): Endpoint {
    return this.#endpoint;
  }

  get pid(): number | undefined {
    return this.#process?.isRunning() ? this.#process.pid : undefined;
  }

  info(): InstanceInfo {
    const info: InstanceInfo = {
      id: this.spec.id,
      variant: this.spec.variant,
      state: this.#state,
      ...(this.#endpoint.socket === undefined
        ? { port: this.#endpoint.port }
        : { socket: this.#endpoint.socket }),
    };
    const pid = this.pid;
    if (pid !== undefined && this.#state !== 'stopped') info.pid = pid;
    return info;
  }

  /** `mayMovePort` only before nginx is configured: a port taken since it was reserved is swapped (TCP). */
  async start(options: { mayMovePort?: boolean } = {}): Promise<void> {
    if (this.#state === 'running') return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#startOnce();
        return;
      } catch (err) {
        const taken = saysAddressInUse(this.#process?.lastLines().join('\n') ?? '');
        const onPort = this.#endpoint.socket === undefined;
        if (!(options.mayMovePort && onPort && taken && attempt < PORT_ATTEMPTS)) throw err;
        this.#endpoint = { port: await freePort() };
      }
    }
  }

  async stop(): Promise<void> {
    const proc = this.#process;
    if (!proc?.isRunning()) return;
    await proc.terminate('SIGTERM', this.spec.stopTimeoutMs);
    this.#state = 'stopped';
  }

  async kill(): Promise<void> {
    const proc = this.#process;
    if (!proc?.isRunning()) return;
    await proc.terminate('SIGKILL', KILL_WAIT_MS);
    this.#state = 'stopped';
  }

  /** SIGKILL without waiting (the lab is exiting). */
  killNow(): void {
    this.#process?.signal('SIGKILL');
  }

  async #startOnce(): Promise<void> {
    const { id } = this.spec;
    const endpoint = this.#endpoint;
    this.#state = 'starting';
    let proc: ManagedProcess;
    try {
      proc = await ManagedProcess.spawn(this.spec.command(endpoint));
    } catch (err) {
      this.#state = 'crashed';
      throw new InstanceFailedError(id, `${id} could not be started: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.#process = proc;
    void proc.exited.then((exit) => this.#exited(proc, exit));
    try {
      await pollUntil(() => this.spec.ready(endpoint), {
        timeoutMs: this.spec.readyTimeoutMs,
        failFast: () => {
          const exit = proc.exitInfo();
          return exit && new InstanceFailedError(id, describeExit(id, exit, proc.lastLines()));
        },
        onTimeout: () => {
          const lines = proc.lastLines();
          const tail = lines.length > 0 ? `:\n  ${lines.join('\n  ')}` : ' (no output)';
          return new InstanceFailedError(
            id,
            `${id} was not ready within ${this.spec.readyTimeoutMs / 1000} s${tail}`,
          );
        },
      });
    } catch (err) {
      await proc.terminate('SIGKILL', KILL_WAIT_MS);
      this.#state = 'crashed';
      throw err;
    }
    this.#state = 'running';
  }

  #exited(proc: ManagedProcess, exit: ExitInfo): void {
    if (proc !== this.#process || exit.expected || this.#state !== 'running') return;
    this.#state = 'crashed';
    this.#onCrash(describeExit(this.spec.id, exit, proc.lastLines()));
  }
}
