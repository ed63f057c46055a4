/**
 * Loopback-only guard for the control API. nginx sets X-Real-IP / X-Forwarded-For to the client's
 * address, so a proxied request is judged by those as well as by the socket's peer. A browser page
 * on this machine is a loopback peer too: same-origin.ts refuses what such a page sends.
 */

import { errors } from '@statelab/cart-core';
import { sendError } from '@statelab/cart-core/http';
import type { RequestHandler } from 'express';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.trim().replace(/^::ffff:/i, '');
  return plain === '::1' || /^127(\.\d{1,3}){3}$/.test(plain);
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
    if (peers.every(isLoopbackAddress)) return next();
    sendError(res, errors.forbidden('the control API answers loopback clients only'));
  };
}
