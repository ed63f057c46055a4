/**
 * Listens, and stops without failing anyone. Node 20's `server.close()` also drops idle keep-alive
 * sockets, including one nginx has just reused for a POST (a 502 it will not retry). So a stop
 * here: stops listening only, answers every further request with `Connection: close`, lets peers
 * close their idle sockets for a grace period (longer than nginx's upstream keepalive_timeout),
 * then closes what is idle, then, at the hard deadline, everything.
 *
 * On TCP, closing the listener resets the connections still queued in the kernel's accept backlog,
 * and nginx may already have sent a POST on one (a 502 it cannot replay). On a Unix socket
 * (`socketPath`) the stop first leaves the rotation: the path is unlinked, so nginx's next connect
 * fails before anything is sent and goes to another instance, and the listener keeps accepting for
 * `shutdownAcceptGraceMs` (the backlog, and connects that raced the unlink) before the stop above.
 * The path is published only once `ready()` says the app can serve (socket-rotation.ts).
 */
import {
  createServer,
  type RequestListener,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { errorBody, errors } from '../errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import { requestIdOf } from './request-context.ts';
import { sendError } from './send-error.ts';
import { listenForRotation, type RotationSocket } from './socket-rotation.ts';

export interface ServeOptions {
  /** Instance id for `X-Served-By` on the answers Node gives before express sees a request. */
  instance: string;
  host: string;
  port: number;
  /** Listen on this Unix socket instead of host/port. */
  socketPath?: string | undefined;
  /** On a socket: whether the app can serve yet (its store is connected); polled until it can. */
  ready?: () => boolean;
  keepAliveTimeoutMs: number;
  shutdownAcceptGraceMs: number;
  shutdownIdleGraceMs: number;
  shutdownTimeoutMs: number;
  lifecycle: Lifecycle;
  logger: Logger;
}

export interface RunningServer {
  readonly server: Server;
  /** TCP: the port it listens on; undefined on a Unix socket. */
  readonly port: number | undefined;
  /** Where requests go: `http://host:port`, or `http://localhost` sent over `socketPath`. */
  readonly url: string;
  readonly socketPath: string | undefined;
  /** Graceful stop; resolves once every connection is closed. Safe to call twice. */
  close(): Promise<void>;
}

/** How often a server waiting to publish its socket asks `ready()`. */
const READY_POLL_MS = 50;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function serve(handler: RequestListener, options: ServeOptions): Promise<RunningServer> {
  const { lifecycle, logger } = options;
  const pending = new Set<ServerResponse>();
  // Node's own answer to an HTTP/1.1 request without Host has no body; ours is the catalog's JSON.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    if (lifecycle.isDraining()) res.setHeader('Connection', 'close');
    else {
      pending.add(res);
      // 'close' follows 'finish' too, and also comes when the client goes away: one listener does.
      res.on('close', () => pending.delete(res));
    }
    // RFC 9112 §3.2: Host is required in HTTP/1.1; refused before the app sees the request.
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      res.setHeader('X-Served-By', options.instance);
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id']));
      res.setHeader('Connection', 'close');
      sendError(res, errors.badRequest());
      return;
    }
    handler(req, res);
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  // Headers must arrive a little after the keep-alive window, as Node's docs advise.
  server.headersTimeout = options.keepAliveTimeoutMs + 1000;

  // Node answers unparseable requests (headers over 16 KiB, bad request lines) itself with an empty
  // body; answer them in the contract's JSON shape instead.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const answer =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? errors.headersTooLarge(err)
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? errors.requestTimeout(err)
          : errors.badRequest(err);
    const body = JSON.stringify(errorBody(answer));
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Served-By: ${options.instance}\r\n` +
        // The request could not be read, so its id cannot be either: a new one.
        `X-Request-Id: ${requestIdOf(undefined)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  let rotation: RotationSocket | undefined;
  let port: number | undefined;
  let url: string;
  if (options.socketPath === undefined) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as net.AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    port = address.port;
    url = `http://${host}:${port}`;
    logger.info({ port, url }, 'listening');
  } else {
    const socketPath = options.socketPath;
    rotation = await listenForRotation(server, socketPath);
    url = 'http://localhost';
    try {
      // Not in the rotation before it can serve: stateful-redis would answer 503 until Redis is up.
      const ready = options.ready ?? (() => true);
      if (!ready()) logger.info({ socketPath }, 'waiting until ready before publishing the socket');
      while (!ready()) await delay(READY_POLL_MS);
      await rotation.publish();
    } catch (err) {
      server.close();
      throw err;
    }
    logger.info({ socketPath }, 'listening');
  }

  let closing: Promise<void> | undefined;
  async function drain(): Promise<void> {
    lifecycle.startDrain();
    const started = Date.now();
    // Requests already in flight close their socket too once answered.
    for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (rotation) {
      if (await rotation.withdraw()) logger.info({ socketPath: options.socketPath }, 'left the rotation');
      await delay(options.shutdownAcceptGraceMs);
    }
    const allClosed = new Promise<void>((resolve) => {
      // net.Server#close stops listening without http.Server#close's closeIdleConnections().
      net.Server.prototype.close.call(server, () => resolve());
    });
    const done = new AbortController();
    void allClosed.then(() => done.abort());
    await sleep(options.shutdownIdleGraceMs, done.signal);
    server.closeIdleConnections();
    await sleep(Math.max(0, options.shutdownTimeoutMs - (Date.now() - started)), done.signal);
    if (sockets.size > 0) {
      logger.warn({ open: sockets.size }, 'shutdown deadline reached; closing remaining connections');
      server.closeAllConnections();
    }
    await allClosed;
    logger.info({ ms: Date.now() - started }, 'stopped');
  }

  return {
    server,
    port,
    url,
    socketPath: options.socketPath,
    close: () => {
      closing ??= drain();
      return closing;
    },
  };
}
