/** The lab's `Runtime` over its control API (docs/contract.md §4), for `--target` runs. */
import { CONTROL_HEADER } from '@statelab/cart-core';
import type { InstanceInfo, Runtime } from '@statelab/lab';
import { request } from 'undici';

type Action = 'kill' | 'stop' | 'start' | 'restart';

export class ControlApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlApiError';
    this.status = status;
  }
}

async function call(url: string, method: 'GET' | 'POST'): Promise<unknown> {
  // start and restart answer once the instance is ready: allow well over the 15 s contract.
  // A change without the control header is refused (docs/contract.md §4).
  const headers = method === 'POST' ? { [CONTROL_HEADER.name]: CONTROL_HEADER.value } : {};
  const res = await request(url, { method, headers, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const text = await res.body.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ControlApiError(res.statusCode, `${method} ${url} → ${res.statusCode}, not JSON`);
  }
  if (res.statusCode !== 200) {
    const message = (body as { error?: { message?: string } })?.error?.message ?? text.slice(0, 200);
    throw new ControlApiError(res.statusCode, `${method} ${url} → ${res.statusCode}: ${message}`);
  }
  return body;
}

export interface HttpRuntime extends Runtime {
  readonly baseUrl: string;
}

/** Reads the runtime kind once; every call after that is one HTTP request. */
export async function connectRuntime(baseUrl: string): Promise<HttpRuntime> {
  const api = new URL('/lab/api/instances', baseUrl).href;
  const first = (await call(api, 'GET')) as { runtime?: 'native' | 'compose' };
  const act = async (id: string, action: Action) =>
    ((await call(`${api}/${encodeURIComponent(id)}/${action}`, 'POST')) as { instance: InstanceInfo })
      .instance;
  return {
    baseUrl,
    kind: first.runtime === 'compose' ? 'compose' : 'native',
    list: async () => ((await call(api, 'GET')) as { instances: InstanceInfo[] }).instances,
    kill: (id) => act(id, 'kill'),
    stop: (id) => act(id, 'stop'),
    start: (id) => act(id, 'start'),
    restart: (id) => act(id, 'restart'),
  };
}
