/**
 * Tiny real HTTP upstreams on port 0 or on a Unix socket: each answers JSON describing what it
 * received (so tests see what nginx forwarded), sets a cookie with `Path=/` and names itself in
 * `X-Served-By`.
 */
import { rename } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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

function receiving(handler: Handler): Server {
  return createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
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
    const s = receiving(handler);
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

export interface SocketUpstream {
  readonly id: string;
  readonly socket: string;
  /** Requests it has received. */
  received(): number;
  /** Moves its path away, as a stopping app unlinks it, while it keeps listening. */
  leave(): Promise<void>;
  /** Puts the path back, as a restarted app publishes it. */
  rejoin(): Promise<void>;
}

/**
 * An upstream on `<dir>/<id>.sock`, writable by all as the apps' sockets are (nginx's workers). It
 * answers `Connection: close`, so nginx keeps no idle connection to it and each request is a new
 * connect: what the path alone decides (a stopping app closes its kept connections itself).
 */
export async function startSocketUpstream(
  cleanup: Cleanup,
  dir: string,
  id: string,
  handler: Handler = echo(id),
): Promise<SocketUpstream> {
  const socket = join(dir, `${id}.sock`);
  const away = `${socket}.away`;
  let received = 0;
  const server = receiving((req, res, body) => {
    received++;
    res.setHeader('Connection', 'close');
    handler(req, res, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: socket, readableAll: true, writableAll: true }, () => resolve());
  });
  cleanup(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  });
  return {
    id,
    socket,
    received: () => received,
    leave: () => rename(socket, away),
    rejoin: () => rename(away, socket),
  };
}
