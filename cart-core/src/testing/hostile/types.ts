/**
 * The shape of a hostile case: the request (HTTP through the test client, or raw bytes), the
 * context it is built from (the victim's cookie, the secret, where it is sent) and the outcome it
 * must have. bodies.ts, framing.ts and credentials.ts hold the rows.
 */
import type { CartStoreKind } from '../../topology.ts';
import type { RequestOptions, TestResponse } from '../test-client.ts';

export interface HostileContext {
  /** `/` straight at an app; the variant's prefix through nginx. */
  readonly prefix: string;
  /** What a raw request names in `Host`. */
  readonly host: string;
  readonly cookieName: string;
  /** The victim's identity cookie value as the app set it (URL-encoded signed session id, or the JWT). */
  readonly credential: string;
  /** The session or token secret: the red team knew it, so forgeries here may sign with it. */
  readonly secret: string;
  /** Who answers for the variant (its only instance here). */
  readonly instance: string;
}

export type HostileOutcome =
  /** A JSON error; the cart as it was. `cookie` is what the answer does to the identity cookie (default untouched). */
  | {
      readonly status: number;
      readonly code: string;
      readonly by?: 'load-balancer';
      readonly cookie?: 'cleared' | 'untouched';
      /** Methods the `Allow` header must list. */
      readonly allow?: readonly string[];
    }
  /** A cart: the victim's unchanged (`same`), or one that is not the victim's (`other`). */
  | { readonly status: 200; readonly cart: 'same' | 'other' }
  /** No answer: the connection closed without a byte (nginx on a client timeout, docs/contract.md §2). */
  | { readonly status: 0; readonly closed: 'no bytes' };

interface HostileBase {
  name: string;
  expect: HostileOutcome;
  /** The stores it runs against; every one when absent. */
  stores?: readonly CartStoreKind[];
  /** Whatever else the answer must (not) carry. */
  check?(res: TestResponse, ctx: HostileContext): void;
}

export interface HttpHostile extends HostileBase {
  method: string;
  /** The app's path; the runner puts the prefix in front. */
  path: string;
  options?: RequestOptions | ((ctx: HostileContext) => RequestOptions);
  /** Sent without the victim's cookie: the attacker's own request, credentials its own. */
  attacker?: boolean;
}

export interface RawHostile extends HostileBase {
  /** The bytes, on a fresh connection; at most one answer may come back. */
  raw(ctx: HostileContext): string;
  /** How long the server may take to answer or close (default 5 s). */
  timeoutMs?: number;
}

export type HostileRequest = HttpHostile | RawHostile;

export const fail = (status: number, code: string): HostileOutcome => ({ status, code });
export const SAME: HostileOutcome = { status: 200, cart: 'same' };
export const OTHER: HostileOutcome = { status: 200, cart: 'other' };

/** A request line and headers for a raw exchange, CRLF-terminated, ending the header block. */
export function rawHead(requestLine: string, ctx: HostileContext, headers: readonly string[]): string {
  return `${[requestLine, `Host: ${ctx.host}`, ...headers].join('\r\n')}\r\n\r\n`;
}
export const victimCookie = (ctx: HostileContext): string => `Cookie: ${ctx.cookieName}=${ctx.credential}`;
/** The request a desynchronised parser would run next: it would empty the victim's cart. */
export const smuggled = (ctx: HostileContext): string =>
  rawHead(`DELETE ${ctx.prefix}api/cart HTTP/1.1`, ctx, [victimCookie(ctx)]);
