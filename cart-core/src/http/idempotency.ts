/**
 * `Idempotency-Key` on cart writes (docs/contract.md §2; IETF draft "The Idempotency-Key HTTP
 * Header Field"): the key and the request's fingerprint as digests, a cartId that a keyed write
 * derives from its key (so a token variant, which keeps no server state, answers a repeat with the
 * same cart), and this process's keys in flight.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { errors } from '../errors.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency-headers.ts';

// Printable ASCII, space included (a key is opaque to us); nothing else.
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** 128 bits of SHA-256: enough to tell keys apart, and short, since a token carries two. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export interface IdempotencyKey {
  /** The key's digest, as receipts keep it. */
  readonly key: string;
  /** What the request asks: method, path and body. The same key with another one is 422. */
  readonly fingerprint: string;
}

/** The request's key, or undefined without one; a malformed or repeated header is 400. */
export function readIdempotencyKey(req: Request): IdempotencyKey | undefined {
  const values = req.headersDistinct[IDEMPOTENCY_KEY_HEADER];
  if (values === undefined) return undefined;
  const value = values[0]!;
  if (values.length !== 1 || !KEY_PATTERN.test(value)) throw errors.invalidIdempotencyKey();
  // The parsed body, so the same JSON with other whitespace is the same request.
  const body = req.body === undefined ? '' : JSON.stringify(req.body);
  return { key: digest(value), fingerprint: digest(`${req.method} ${req.path} ${body}`) };
}

/** The cartId a keyed write gives a cart it starts: a repeat of it starts the same one. */
export function cartIdFor(key: IdempotencyKey): string {
  // A digest of the digest: the cartId, which is shown, reveals nothing a receipt keeps.
  return `c_${digest(`cart ${key.key}`)}`;
}

/**
 * Keys this process is still working on. Per process on purpose: a request on another instance
 * cannot be told apart from one whose instance died mid-write, and holding the key for it (a lock
 * in Redis, say) would turn a crashed write's retry into 409s until the lock expired.
 */
export function keysInFlight(): <T>(scope: string, work: () => Promise<T>) => Promise<T> {
  const busy = new Set<string>();
  return async (scope, work) => {
    if (busy.has(scope)) throw errors.idempotencyKeyInFlight();
    busy.add(scope);
    try {
      return await work();
    } finally {
      busy.delete(scope);
    }
  };
}
