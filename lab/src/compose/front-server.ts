/**
 * The front of a compose lab, a server in the lab process on 127.0.0.1: the UI at `/`, the control
 * API at `/lab/api/` over a Runtime (the compose one in real use), and every variant prefix proxied
 * to the compose load balancer. The Docker socket stays with the `docker compose` CLI on the host.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, TOPOLOGY, VARIANTS } from '@statelab/cart-core';
import { sendError } from '@statelab/cart-core/http';
import { UI_SECURITY_HEADERS } from '@statelab/load-balancer';
import express from 'express';
import { buildControlApi } from '../control/control-api.ts';
import { LOOPBACK } from '../native/ports.ts';
import type { Runtime } from '../runtime.ts';
import { proxyTo } from './front-proxy.ts';

export interface FrontOptions {
  /** Port on 127.0.0.1; 0 = a free port. */
  port: number;
  /** The compose load balancer, `http://127.0.0.1:8080`. */
  target: string;
  runtime: Runtime;
  /** A built cart UI folder served at `/`; without one every UI path is a JSON 404. */
  uiRoot?: string;
  /** Told about proxy and control API failures (each is answered as JSON too). */
  report?: (line: string) => void;
}

export interface FrontHandle {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/** Below nginx's keepalive_timeout (30 s), so the front never reuses a socket nginx is closing. */
const IDLE_SOCKET_MS = 10_000;

const CLOSE_GRACE_MS = 1000;

/** `/stateful/...` and the like, from the one topology table. */
const PROXIED_PREFIXES = VARIANTS.map((variant) => TOPOLOGY[variant].prefix);

function isProxied(url: string): boolean {
  return PROXIED_PREFIXES.some((prefix) => url.startsWith(prefix));
}

function isControlApi(url: string): boolean {
  return url === '/lab' || url.startsWith('/lab/') || url.startsWith('/lab?');
}

function staticUi(uiRoot: string | undefined): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The headers nginx gives the page, on the front's own answers too (its JSON 404s included).
  app.use((_req, res, next) => {
    for (const [name, value] of Object.entries(UI_SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  });
  if (uiRoot) app.use(express.static(uiRoot, { index: 'index.html', dotfiles: 'ignore', redirect: false }));
  // As nginx does: anything that is not a UI file is a JSON 404, never the page or a listing.
  app.use((req, res) => sendError(res, errors.notFound(req)));
  return app;
}

function listen(server: http.Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startFront(options: FrontOptions): Promise<FrontHandle> {
  const target = new URL(options.target);
  const report = options.report ?? (() => undefined);
  const agent = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  let server: http.Server | undefined;
  const close = async () => {
    if (server?.listening) {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      // Idle keep-alive sockets go now; a request still in flight gets a moment to finish.
      server.closeIdleConnections();
      const cut = setTimeout(() => server!.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(cut);
    }
    agent.destroy();
  };

  try {
    const ui = staticUi(options.uiRoot);
    const control = buildControlApi({
      runtime: options.runtime,
      variants: VARIANTS,
      // The front serves the page and the API on one port, the one it listens on.
      publicPort: () => (server?.address() as AddressInfo | null)?.port,
      onError: (err) => report(`control API: ${err instanceof Error ? err.message : String(err)}`),
    });
    const proxy = proxyTo({ target, agent, onError: (err) => report(`proxy: ${err.message}`) });
    const route = (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '/';
      if (isProxied(url)) proxy(req, res);
      else if (isControlApi(url)) control(req, res);
      else ui(req, res);
    };
    server = http.createServer(route);
    const address = await listen(server, options.port);
    let closing: Promise<void> | undefined;
    return {
      url: `http://${LOOPBACK}:${address.port}`,
      address,
      close: () => {
        closing ??= close();
        return closing;
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}
