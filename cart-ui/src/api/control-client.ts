/**
 * Client for the lab's control API (docs/contract.md §4). Under compose the API may be absent: then
 * `/lab/…` answers 404, 502 or even the page itself, so only a well-formed instance list counts.
 */
import { CONTROL_HEADER } from '@statelab/cart-core';
import { type ApiError, toApiError } from '../logic/cart-shape.ts';
import { requestJson } from './http.ts';

export type InstanceState = 'running' | 'stopped' | 'starting' | 'crashed';
export type ControlAction = 'kill' | 'stop' | 'start' | 'restart';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['kill', 'stop', 'start', 'restart'];

export interface ControlInstance {
  readonly id: string;
  readonly variant: string;
  readonly state: InstanceState;
  readonly pid?: number;
  readonly port?: number;
}

export type InstanceList =
  | { readonly reachable: true; readonly runtime: string; readonly instances: readonly ControlInstance[] }
  | { readonly reachable: false; readonly reason: string };

const STATES: readonly string[] = ['running', 'stopped', 'starting', 'crashed'];

function isInstance(value: unknown): value is ControlInstance {
  const i = value as Partial<ControlInstance> | null;
  return (
    typeof i === 'object' &&
    i !== null &&
    typeof i.id === 'string' &&
    typeof i.variant === 'string' &&
    typeof i.state === 'string' &&
    STATES.includes(i.state)
  );
}

/** The instance list from `GET /lab/api/instances`'s status and body. */
export function parseInstanceList(status: number, body: unknown): InstanceList {
  const list = body as { runtime?: unknown; instances?: unknown } | undefined;
  if (status === 200 && Array.isArray(list?.instances) && list.instances.every(isInstance)) {
    return {
      reachable: true,
      runtime: typeof list.runtime === 'string' ? list.runtime : 'unknown',
      instances: list.instances,
    };
  }
  return { reachable: false, reason: status === 0 ? 'no answer' : `HTTP ${status}` };
}

export async function listInstances(): Promise<InstanceList> {
  const answer = await requestJson('GET', '/lab/api/instances');
  return parseInstanceList(answer.status, answer.body);
}

/** Runs an action; resolves when the control API answered (a start answers once the instance is ready). */
export async function instanceAction(id: string, action: ControlAction): Promise<ApiError | undefined> {
  const answer = await requestJson(
    'POST',
    `/lab/api/instances/${encodeURIComponent(id)}/${action}`,
    undefined,
    // The API refuses a change without it: another page's form or script cannot add it.
    { [CONTROL_HEADER.name]: CONTROL_HEADER.value },
  );
  if (answer.failure !== undefined) return { status: 0, code: 'network_error', message: answer.failure };
  return answer.status >= 200 && answer.status < 300 ? undefined : toApiError(answer.status, answer.body);
}
