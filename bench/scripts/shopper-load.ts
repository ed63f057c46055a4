/**
 * Closed-loop load with autocannon where each connection is its own shopper: its cookie is set at
 * set-up and, for writes, refreshed from every `Set-Cookie` answer (the stateless token changes with
 * each write). The jar lives in the `setupClient` closure, since autocannon resets a connection's
 * `context` whenever its request list wraps.
 */

import { CATALOG } from '@statelab/cart-core';
import { createCookieJar } from '@statelab/cart-core/dev';
import autocannon from 'autocannon';

/** The three lines of every prepared cart, each with quantity 1. */
export const CART_LINES = CATALOG.slice(0, 3).map((p) => p.id);
/** The line a write moves: `POST` adds 1 (to 2), `PUT` sets it back to 1, so it never nears 99. */
const WRITE_LINE = CART_LINES[0]!;

export type Workload = 'read' | 'write';

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  workload: Workload;
  /** One Cookie header per connection; none for the bare server. */
  cookies?: readonly string[];
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** A shopper with a cart of `CART_LINES` (quantity 1 each); returns its Cookie header. */
async function prepareShopper(url: string, cookieName: string): Promise<string> {
  const jar = createCookieJar();
  for (const productId of CART_LINES) {
    const cookie = jar.header();
    const res = await fetch(`${url}/api/cart/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ productId }),
    });
    if (res.status !== 200)
      throw new Error(`preparing a cart: POST /api/cart/items → ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    jar.store(res.headers.getSetCookie());
  }
  if (!jar.get(cookieName)) throw new Error(`preparing a cart: no ${cookieName} cookie was set`);
  return jar.header()!;
}

export function prepareShoppers(url: string, cookieName: string, count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, () => prepareShopper(url, cookieName)));
}

function headerList(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The requests one connection cycles through, with its own jar. */
function connectionRequests(spec: LoadSpec, index: number): autocannon.Request[] {
  const cookie = spec.cookies?.[index % spec.cookies.length];
  if (spec.workload === 'read') {
    return [{ method: 'GET', path: '/api/cart', headers: cookie ? { cookie } : {} }];
  }
  // The jar outlives autocannon's per-connection context, which resets when its request list wraps.
  const jar = createCookieJar();
  if (cookie) jar.store([cookie]);
  const remember: autocannon.Request['onResponse'] = (_status, _body, _context, headers) => {
    const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'set-cookie');
    jar.store(headerList(entry?.[1]));
  };
  const write = (method: 'POST' | 'PUT', path: string, body: object): autocannon.Request => ({
    setupRequest: (req) => ({
      ...req,
      method,
      path,
      headers: { 'content-type': 'application/json', cookie: jar.header() ?? '' },
      body: JSON.stringify(body),
    }),
    onResponse: remember,
  });
  return [
    write('POST', '/api/cart/items', { productId: WRITE_LINE, quantity: 1 }),
    write('PUT', `/api/cart/items/${WRITE_LINE}`, { quantity: 1 }),
  ];
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let connection = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.seconds,
        timeout: 10,
        setupClient: (client) => client.setRequests(connectionRequests(spec, connection++)),
      },
      (err, result) => {
        if (err || !result) return reject(err ?? new Error('autocannon ended without a result'));
        const requests = result.requests.total;
        resolve({
          requests,
          rps: requests / Math.max(0.001, result.duration),
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
  });
}
