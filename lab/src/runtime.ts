/** The one interface the control API, the bench and the UI drive: native processes now, compose later. */
import type { REDIS_ID, Variant } from '@statelab/cart-core';

export type InstanceState = 'running' | 'stopped' | 'starting' | 'crashed';
export type InstanceKind = Variant | typeof REDIS_ID | 'baseline';

export interface InstanceInfo {
  id: string;
  variant: InstanceKind;
  state: InstanceState;
  pid?: number;
  /** Where it listens: a loopback TCP port, or (an app with `--drain unlink`) a Unix socket path. */
  port?: number;
  socket?: string;
}

export interface Runtime {
  readonly kind: 'native' | 'compose';
  /** Apps and redis (id REDIS_ID); baseline instances when started. */
  list(): Promise<InstanceInfo[]>;
  /** SIGKILL, stays down; no-op when already down. */
  kill(id: string): Promise<InstanceInfo>;
  /** SIGTERM + drain, stays down; no-op when down. */
  stop(id: string): Promise<InstanceInfo>;
  /** Resolves once /readyz is 200 (redis: PING); no-op when running. */
  start(id: string): Promise<InstanceInfo>;
  /** Graceful stop then start. */
  restart(id: string): Promise<InstanceInfo>;
}

export const RUNTIME_ACTIONS = ['kill', 'stop', 'start', 'restart'] as const;
export type RuntimeAction = (typeof RUNTIME_ACTIONS)[number];

export function isRuntimeAction(value: string): value is RuntimeAction {
  return (RUNTIME_ACTIONS as readonly string[]).includes(value);
}

export class UnknownInstanceError extends Error {
  readonly id: string;
  constructor(id: string) {
    super(`no instance with id "${id}"`);
    this.name = 'UnknownInstanceError';
    this.id = id;
  }
}

/** A child would not start or become ready; the message carries its last output. */
export class InstanceFailedError extends Error {
  readonly id: string;
  constructor(id: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InstanceFailedError';
    this.id = id;
  }
}

/** The lab is shutting down and starts nothing more. */
export class RuntimeClosedError extends Error {
  constructor() {
    super('the lab is shutting down');
    this.name = 'RuntimeClosedError';
  }
}
