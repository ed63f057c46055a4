/**
 * The control API answers only what the lab's own page, or a tool on this machine, sends: a
 * loopback `Host` on the lab's port (DNS rebinding keeps the attacker's name in it), the lab's exact
 * origin when an `Origin` is sent (a page on another loopback port is another origin, but the same
 * site), a `Sec-Fetch-Site` of `same-origin` or `none`, and the control header on every change.
 */
import { CONTROL_HEADER, errors } from '@statelab/cart-core';
import { sendError } from '@statelab/cart-core/http';
import type { RequestHandler } from 'express';

/** nginx and the front listen on 127.0.0.1 only, so these are the names that reach them. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'] as const;
/** `same-origin`: the lab's page; `none`: the address bar, curl, the bench. */
const FETCH_SITES = new Set(['same-origin', 'none']);
const READS = new Set(['GET', 'HEAD']);

export interface SameOriginOptions {
  /** The port the lab's page is served on (nginx in native mode, the front in compose); undefined until known. */
  publicPort(): number | undefined;
}

const hostsOf = (port: number) => LOOPBACK_NAMES.map((name) => `${name}:${port}`);

/** `Host` as `name:port`; a Host without a port means 80. */
function hostWithPort(header: string | undefined): string {
  const host = (header ?? '').toLowerCase();
  return /:\d+$/.test(host) ? host : `${host}:80`;
}

/** The lab's own origins on its public port, as a browser serializes them. */
export function labOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => (port === 80 ? `http://${name}` : `http://${name}:${port}`));
}

export function sameOriginOnly({ publicPort }: SameOriginOptions): RequestHandler {
  return (req, res, next) => {
    const port = publicPort();
    // A direct call on the API's own port (LabHandle.controlApiUrl) names that port instead.
    const ports = [...new Set([port, req.socket.localPort])].filter((p) => p !== undefined);
    if (!ports.flatMap(hostsOf).includes(hostWithPort(req.headers.host))) {
      const expected = hostsOf(ports[0] ?? 0);
      return sendError(res, errors.misdirectedRequest({ host: req.headers.host ?? '', expected }));
    }
    const origin = req.headers.origin;
    const origins = port === undefined ? [] : labOrigins(port);
    if (origin !== undefined && !origins.includes(origin.toLowerCase())) {
      const detail = `a request from another origin is refused: Origin "${origin}" is not ${origins.join(' or ')}`;
      return sendError(res, errors.forbidden(detail));
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && !FETCH_SITES.has(site.toLowerCase()))
      return sendError(
        res,
        errors.forbidden(`a request from another site is refused (Sec-Fetch-Site: ${site})`),
      );
    if (!READS.has(req.method) && req.get(CONTROL_HEADER.name) !== CONTROL_HEADER.value) {
      const detail = `${req.method} needs the header "${CONTROL_HEADER.name}: ${CONTROL_HEADER.value}"`;
      return sendError(res, errors.forbidden(detail));
    }
    next();
  };
}
