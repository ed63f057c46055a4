/**
 * Loopback-only guard for the control API. nginx sets X-Real-IP / X-Forwarded-For to the client's
 * address, so a proxied request is judged by those as well as by the socket's peer. A browser page
 * from another site can still reach loopback, so a cross-origin `Origin` is refused too.
 */

import { errors } from '@statelab/cart-core';
import { sendError } from '@statelab/cart-core/http';
import type { RequestHandler } from 'express';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.trim().replace(/^::ffff:/i, '');
  return plain === '::1' || /^127(\.\d{1,3}){3}$/.test(plain);
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const host = new URL(origin).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || isLoopbackAddress(host);
  } catch {
    return false;
  }
}

/** Every address this request claims to come from; each must be loopback. */
function claimedPeers(headers: Record<string, string | string[] | undefined>): string[] {
  return ['x-real-ip', 'x-forwarded-for'].flatMap((name) => {
    const value = headers[name];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return values.flatMap((v) => v.split(',')).map((v) => v.trim());
  });
}

export function loopbackOnly(): RequestHandler {
  return (req, res, next) => {
    const peers = [req.socket.remoteAddress ?? '', ...claimedPeers(req.headers)];
    const origin = req.headers.origin;
    if (peers.every(isLoopbackAddress) && (origin === undefined || isLoopbackOrigin(origin))) return next();
    sendError(res, errors.forbidden());
  };
}
