/**
 * The front's reverse proxy: one request in, the same request out to the load balancer at the
 * target, bodies streamed both ways. Status, headers and every `Set-Cookie` come back untouched;
 * only hop-by-hop headers, which describe one connection, are dropped on each leg.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type CartError, errors } from '@statelab/cart-core';
import { sendError } from '@statelab/cart-core/http';

export interface ProxyOptions {
  /** The load balancer, `http://host:port`. */
  target: URL;
  agent: http.Agent;
  /** Told about failures of the proxied request (answered as JSON). */
  onError?: (err: Error) => void;
}

/** RFC 9110 7.6.1; Transfer-Encoding and Content-Length stay, so Node frames each leg like the original. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** A flat [name, value, ...] list without hop-by-hop headers, those the Connection header names and `drop`. */
export function endToEndHeaders(raw: readonly string[], drop: readonly string[] = []): string[] {
  const named = new Set([...HOP_BY_HOP, ...drop]);
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.toLowerCase() === 'connection')
      for (const token of raw[i + 1]!.split(',')) named.add(token.trim().toLowerCase());
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2)
    if (!named.has(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  return kept;
}

/**
 * Longer than anything nginx itself waits for an instance (10 s read, 5 s of retries), so the
 * target's own 502/504 JSON arrives first; this only ends a hang of the target itself.
 */
export const PROXY_TIMEOUT_MS = 30_000;

/** Nothing listens at the target (compose not up) or it cannot be reached: 503, nothing was sent. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

function failureAnswer(err: NodeJS.ErrnoException, target: URL): CartError {
  const { origin } = target;
  if (err.code !== undefined && UNREACHABLE.has(err.code))
    return errors.targetUnavailable({ origin, reason: err.code }, err);
  if (err.code === 'ETIMEDOUT') return errors.targetTimeout(origin, err);
  return errors.badGateway({ upstream: `the load balancer at ${origin}`, detail: err.message }, err);
}

export function proxyTo(options: ProxyOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { target, agent } = options;
  return (req, res) => {
    // The front's client is appended to any X-Forwarded-For already there, as nginx does.
    const client = req.socket.remoteAddress ?? 'unknown';
    const prior = req.headers['x-forwarded-for'];
    const headers = [
      ...endToEndHeaders(req.rawHeaders, ['x-forwarded-for']),
      'X-Forwarded-For',
      prior ? `${prior}, ${client}` : client,
    ];

    const outgoing = http.request({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || 80,
      method: req.method,
      path: req.url,
      headers,
      agent,
      timeout: PROXY_TIMEOUT_MS,
    });
    outgoing.on('response', (incoming) => {
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, endToEndHeaders(incoming.rawHeaders));
      incoming.pipe(res);
      // The target cut the body short: cut ours too, so the client does not take it for complete.
      incoming.on('aborted', () => res.destroy());
    });
    outgoing.on('timeout', () =>
      outgoing.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
    );
    outgoing.on('error', (err: NodeJS.ErrnoException) => {
      options.onError?.(err);
      if (res.headersSent) return void res.destroy();
      res.setHeader('Cache-Control', 'no-store');
      sendError(res, failureAnswer(err, target));
    });
    // The client went away before its answer was complete: stop the work upstream as well.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  };
}
