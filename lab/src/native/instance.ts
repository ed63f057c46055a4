/**
 * One instance's live state: its current process, its port (fixed once nginx knows it, so a killed
 * instance comes back where nginx expects it) and whether it crashed. Callers serialize calls per id.
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

export interface InstanceSpec {
  readonly id: string;
  readonly variant: InstanceKind;
  /** What to run to serve on `port`. */
  command(port: number): ProcessSpec;
  /** One readiness probe: /readyz is 200, or redis answers PONG. */
  ready(port: number): Promise<boolean>;
  readonly readyTimeoutMs: number;
  /** How long a graceful stop may take before SIGKILL. */
  readonly stopTimeoutMs: number;
}

const KILL_WAIT_MS = 5000;
const PORT_ATTEMPTS = 4;

export class Instance {
  readonly spec: InstanceSpec;
  readonly #onCrash: (message: string) => void;
  #port: number;
  #state: InstanceState = 'stopped';
  #process: ManagedProcess | undefined;

  constructor(spec: InstanceSpec, port: number, onCrash: (message: string) => void) {
    this.spec = spec;
    this.#port = port;
    this.#onCrash = onCrash;
  }

  get port(): number {
    return this.#port;
  }

  get pid(): number | undefined {
    return this.#process?.isRunning() ? this.#process.pid : undefined;
  }

  info(): InstanceInfo {
    const info: InstanceInfo = {
      id: this.spec.id,
      variant: this.spec.variant,
      state: this.#state,
      port: this.#port,
    };
    const pid = this.pid;
    if (pid !== undefined && this.#state !== 'stopped') info.pid = pid;
    return info;
  }

  /** `mayMovePort` only before nginx is configured: a port taken since it was reserved is swapped. */
  async start(options: { mayMovePort?: boolean } = {}): Promise<void> {
    if (this.#state === 'running') return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#startOnce();
        return;
      } catch (err) {
        const taken = saysAddressInUse(this.#process?.lastLines().join('\n') ?? '');
        if (!(options.mayMovePort && taken && attempt < PORT_ATTEMPTS)) throw err;
        this.#port = await freePort();
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
    const port = this.#port;
    this.#state = 'starting';
    let proc: ManagedProcess;
    try {
      proc = await ManagedProcess.spawn(this.spec.command(port));
    } catch (err) {
      this.#state = 'crashed';
      throw new InstanceFailedError(id, `${id} could not be started: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.#process = proc;
    void proc.exited.then((exit) => this.#exited(proc, exit));
    try {
      await pollUntil(() => this.spec.ready(port), {
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
