/**
 * Tiny real HTTP upstreams on port 0: each answers JSON describing what it received (so tests see
 * what nginx forwarded), sets a cookie with `Path=/` and names itself in `X-Served-By`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cleanup } from './nginx.ts';

export interface Upstream {
  readonly id: string;
  readonly host: string;
  port: number;
  /** Stops listening and drops every connection: a dead instance. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export function echo(id: string): Handler {
  return (req, res, body) => {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('X-Served-By', id);
    res.setHeader('Set-Cookie', `probe_${id.replace(/-/g, '_')}=1; Path=/; HttpOnly; SameSite=Lax`);
    res.end(JSON.stringify({ instance: id, method: req.method, url: req.url, headers: req.headers, body }));
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startUpstream(
  cleanup: Cleanup,
  id: string,
  handler: Handler = echo(id),
): Promise<Upstream> {
  let server: Server | undefined;
  const open = async (port: number) => {
    const s = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => handler(req, res, body));
    });
    const bound = await listen(s, port);
    server = s;
    return bound;
  };
  const kill = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  };
  const upstream: Upstream = {
    id,
    host: '127.0.0.1',
    port: await open(0),
    kill,
    revive: async () => {
      if (!server) await open(upstream.port);
    },
  };
  cleanup(kill);
  return upstream;
}
