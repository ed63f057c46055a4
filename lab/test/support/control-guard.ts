/**
 * Who may call the control API (docs/contract.md §4), as one table for every place that serves it:
 * nginx in native mode, the API's own port, the compose front. Requests go out through node:http,
 * which sends `Host` and `Sec-Fetch-Site` exactly as given.
 */
import http from 'node:http';
import { CONTROL_HEADER } from '@statelab/cart-core';

export interface GuardReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on whatever JSON came back.
  body: any;
  headers: http.IncomingHttpHeaders;
}

/** One request to 127.0.0.1:port; `host` in `headers` replaces the default one. */
export function rawCall(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<GuardReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path,
      headers,
      agent: false,
      timeout: 60_000,
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: the assertion on the body shows the text.
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.end();
  });
}

/** Where a case is sent: the lab's public port, or the API's own port (native only). */
export type Via = 'public' | 'direct';

export interface Ports {
  /** Where the page is served: nginx in native mode, the front in compose. */
  public: number;
  /** The API's own port, when it has one apart (native). */
  direct?: number;
}

export interface GuardCase {
  name: string;
  via: Via;
  /** Sent with every method; `host` replaces the default. */
  headers(ports: Ports): Record<string, string>;
  /** POST only: the control header's value; `null` sends none. Default: the right one. */
  control?: string | null;
  methods: ReadonlyArray<'GET' | 'POST'>;
  /** 200, or the refusal's status and code. */
  expect: 200 | readonly [number, string];
}

export function controlHeader(value: string | null = CONTROL_HEADER.value): Record<string, string> {
  return value === null ? {} : { [CONTROL_HEADER.name]: value };
}

const BOTH = ['GET', 'POST'] as const;
const FORBIDDEN = [403, 'forbidden'] as const;
const MISDIRECTED = [421, 'misdirected_request'] as const;
const lab = (p: Ports) => `127.0.0.1:${p.public}`;
const direct = (p: Ports) => `127.0.0.1:${p.direct}`;

/** Through the lab's public port with its own Host, plus `extra`. */
function publicCase(
  name: string,
  extra: (p: Ports) => Record<string, string>,
  expect: GuardCase['expect'],
  more: Partial<GuardCase> = {},
): GuardCase {
  return {
    name,
    via: 'public',
    headers: (p) => ({ host: lab(p), ...extra(p) }),
    methods: BOTH,
    expect,
    ...more,
  };
}

function directCase(
  name: string,
  extra: (p: Ports) => Record<string, string>,
  expect: GuardCase['expect'],
): GuardCase {
  return { name, via: 'direct', headers: (p) => ({ host: direct(p), ...extra(p) }), methods: BOTH, expect };
}

/** Every case for the lab's public port; `withDirect` adds those for the API's own port. */
export function guardCases(withDirect: boolean): GuardCase[] {
  const cases = [
    publicCase(
      'Origin of a dev server on another loopback port (http://localhost:3000)',
      () => ({ origin: 'http://localhost:3000' }),
      FORBIDDEN,
    ),
    publicCase(
      'Origin http://127.0.0.1:5173 (another port)',
      () => ({ origin: 'http://127.0.0.1:5173' }),
      FORBIDDEN,
    ),
    publicCase(
      'Origin https://localhost (another scheme and port)',
      () => ({ origin: 'https://localhost' }),
      FORBIDDEN,
    ),
    publicCase(
      "Origin https://<the lab's host and port> (another scheme)",
      (p) => ({ origin: `https://${lab(p)}` }),
      FORBIDDEN,
    ),
    publicCase('Origin null (a sandboxed frame, a file: page)', () => ({ origin: 'null' }), FORBIDDEN),
    publicCase(
      'Origin https://example.com (another site)',
      () => ({ origin: 'https://example.com' }),
      FORBIDDEN,
    ),
    publicCase(
      "Host rebind.example:<the lab's port> (DNS rebinding), no Origin",
      (p) => ({ host: `rebind.example:${p.public}` }),
      MISDIRECTED,
    ),
    publicCase('Host 127.0.0.1:1 (another port)', () => ({ host: '127.0.0.1:1' }), MISDIRECTED),
    publicCase('Host localhost (port 80)', () => ({ host: 'localhost' }), MISDIRECTED),
    publicCase(
      "Host [::1]:<the lab's port> (the lab does not listen there)",
      (p) => ({ host: `[::1]:${p.public}` }),
      MISDIRECTED,
    ),
    publicCase(
      'Sec-Fetch-Site: same-site (a page on another loopback port)',
      () => ({ 'sec-fetch-site': 'same-site' }),
      FORBIDDEN,
    ),
    publicCase('Sec-Fetch-Site: cross-site', () => ({ 'sec-fetch-site': 'cross-site' }), FORBIDDEN),
    publicCase('X-Forwarded-For from another host', () => ({ 'x-forwarded-for': '203.0.113.7' }), FORBIDDEN),
    publicCase(
      `${CONTROL_HEADER.name} missing (a plain form POST)`,
      () => ({ 'content-type': 'application/x-www-form-urlencoded' }),
      FORBIDDEN,
      { control: null, methods: ['POST'] },
    ),
    publicCase(`${CONTROL_HEADER.name}: 0`, () => ({}), FORBIDDEN, { control: '0', methods: ['POST'] }),
    publicCase('no Origin, no Sec-Fetch-Site (curl, the bench)', () => ({}), 200),
    publicCase(
      "the lab's page: its exact Origin, Sec-Fetch-Site: same-origin",
      (p) => ({ origin: `http://${lab(p)}`, 'sec-fetch-site': 'same-origin' }),
      200,
    ),
    publicCase(
      'the page opened as localhost: Host and Origin localhost:<port>',
      (p) => ({ host: `localhost:${p.public}`, origin: `http://localhost:${p.public}` }),
      200,
    ),
    publicCase(
      'Sec-Fetch-Site: none (the address bar), Host in capitals',
      (p) => ({ host: `LOCALHOST:${p.public}`, 'sec-fetch-site': 'none' }),
      200,
      { methods: ['GET'] },
    ),
  ];
  if (!withDirect) return cases;
  return [
    ...cases,
    directCase('direct on its own port (Host 127.0.0.1:<its port>)', () => ({}), 200),
    directCase(
      'direct, Origin of its own port (no page is served there)',
      (p) => ({ origin: `http://${direct(p)}` }),
      FORBIDDEN,
    ),
    directCase(
      'direct, X-Forwarded-For with a non-loopback hop',
      () => ({ 'x-forwarded-for': '127.0.0.1, 10.1.2.3' }),
      FORBIDDEN,
    ),
    directCase('direct, X-Real-IP from another host', () => ({ 'x-real-ip': '192.168.1.20' }), FORBIDDEN),
  ];
}

/** The request a case makes with `method` on `path`, against the port it names. */
export function sendCase(
  c: GuardCase,
  ports: Ports,
  method: 'GET' | 'POST',
  path: string,
): Promise<GuardReply> {
  const port = c.via === 'public' ? ports.public : ports.direct!;
  const headers = { ...c.headers(ports), ...(method === 'POST' ? controlHeader(c.control) : {}) };
  return rawCall(port, method, path, headers);
}
