/**
 * Answers that are wrong today, kept apart so the integrator can flip them: the red-team findings
 * of issue 14 that other changes fix, and those this suite found (`new:`), which still need an owner. While an item is in PENDING_FIXES its rows assert today's answer (they must pass) and run
 * the fixed answer as a `todo`; once the fix is merged, delete the item here: the fixed answer is
 * then asserted and today's is gone.
 */
import { createHmac } from 'node:crypto';
import { CATALOG } from '../../catalog.ts';
import { fail, type HostileOutcome, type HostileShape } from './types.ts';

export type IssueItem =
  | 'item 1: any utf-* charset accepted'
  | 'item 6: crit header accepted'
  | 'item 6: wrong method answers 404'
  | 'item 6: a bad Bearer token clears the cookie'
  | 'item 6: nginx drops a slow client without an answer'
  | 'new: HTTP/1.1 without Host answers an empty 400'
  | 'new: nginx answers an unknown HTTP version with an HTML 505';

export const PENDING_FIXES: ReadonlySet<IssueItem> = new Set<IssueItem>([
  'item 1: any utf-* charset accepted',
  'item 6: crit header accepted',
  'item 6: wrong method answers 404',
  'item 6: a bad Bearer token clears the cookie',
  'item 6: nginx drops a slow client without an answer',
  'new: HTTP/1.1 without Host answers an empty 400',
  'new: nginx answers an unknown HTTP version with an HTML 505',
]);

export type KnownGap = HostileShape & {
  item: IssueItem;
  today: HostileOutcome;
  fixed: HostileOutcome;
};

/** How a test name cites the item. */
export const gapLabel = (item: IssueItem): string =>
  item.startsWith('new:') ? `found here, ${item.slice(5)}` : `issue 14 ${item}`;

/** The outcome a gap's row must have now. */
export const gapOutcome = (gap: KnownGap): HostileOutcome =>
  PENDING_FIXES.has(gap.item) ? gap.today : gap.fixed;

const A = CATALOG[0]!;
const body = JSON.stringify({ productId: A.id });
const CHANGED: HostileOutcome = { status: 200, cart: 'changed' };
const UNSUPPORTED = fail(415, 'unsupported_media_type');
const NOT_FOUND = fail(404, 'not_found');
const notAllowed = (...allow: string[]): HostileOutcome => ({
  status: 405,
  code: 'method_not_allowed',
  allow,
});
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export const KNOWN_GAPS: readonly KnownGap[] = [
  {
    item: 'item 1: any utf-* charset accepted',
    name: 'charset=utf-7',
    method: 'POST',
    path: '/api/cart/items',
    options: { body, headers: { 'content-type': 'application/json; charset=utf-7' } },
    today: CHANGED,
    fixed: UNSUPPORTED,
  },
  {
    item: 'item 1: any utf-* charset accepted',
    name: 'charset=utf-16le and a UTF-16LE body',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: new Uint8Array(Buffer.from(body, 'utf16le')),
      headers: { 'content-type': 'application/json; charset=utf-16le' },
    },
    today: CHANGED,
    fixed: UNSUPPORTED,
  },
  {
    item: 'item 1: any utf-* charset accepted',
    name: 'charset=utf-16be and a UTF-16BE body',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: new Uint8Array(Buffer.from(body, 'utf16le').swap16()),
      headers: { 'content-type': 'application/json; charset=utf-16be' },
    },
    today: CHANGED,
    fixed: UNSUPPORTED,
  },
  {
    item: 'item 6: crit header accepted',
    name: 'the victim\'s claims under a header with an unknown "crit" extension, signed with the secret',
    stores: ['jwt'],
    method: 'GET',
    path: '/api/cart',
    attacker: true,
    options: (ctx) => {
      const header = { alg: 'HS256', typ: 'JWT', crit: ['x-statelab-unknown'], 'x-statelab-unknown': true };
      const input = `${part(header)}.${ctx.credential.split('.')[1]}`;
      const signature = createHmac('sha256', ctx.secret).update(input).digest('base64url');
      return { headers: { cookie: `${ctx.cookieName}=${input}.${signature}` } };
    },
    // Today the forged token is read as the victim's own cart.
    today: { status: 200, cart: 'same' },
    fixed: { status: 401, code: 'invalid_token', cookie: 'cleared' },
  },
  {
    item: 'item 6: wrong method answers 404',
    name: 'PATCH on the cart',
    method: 'PATCH',
    path: '/api/cart',
    options: { json: { items: [] } },
    today: NOT_FOUND,
    fixed: notAllowed('GET', 'DELETE'),
  },
  {
    item: 'item 6: wrong method answers 404',
    name: 'OPTIONS on the cart lines',
    method: 'OPTIONS',
    path: '/api/cart/items',
    today: NOT_FOUND,
    fixed: notAllowed('POST'),
  },
  {
    item: 'item 6: wrong method answers 404',
    name: 'PATCH on a cart line',
    method: 'PATCH',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: 1 } },
    today: NOT_FOUND,
    fixed: notAllowed('PUT', 'DELETE'),
  },
  {
    item: 'item 6: a bad Bearer token clears the cookie',
    name: "a bad Bearer token beside the victim's valid cookie",
    stores: ['jwt'],
    method: 'GET',
    path: '/api/cart',
    options: { headers: { authorization: 'Bearer not-a-jwt' } },
    today: { status: 401, code: 'invalid_token', cookie: 'cleared' },
    fixed: { status: 401, code: 'invalid_token', cookie: 'untouched' },
  },
  {
    item: 'item 6: a bad Bearer token clears the cookie',
    name: 'an alg none Bearer token and no cookie',
    stores: ['jwt'],
    method: 'GET',
    path: '/api/cart',
    attacker: true,
    options: (ctx) => ({
      headers: {
        authorization: `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${ctx.credential.split('.')[1]}.`,
      },
    }),
    today: { status: 401, code: 'invalid_token', cookie: 'cleared' },
    fixed: { status: 401, code: 'invalid_token', cookie: 'untouched' },
  },
  {
    // Not in the issue: found by this suite. Node answers it itself, before the clientError handler.
    item: 'new: HTTP/1.1 without Host answers an empty 400',
    name: 'HTTP/1.1 without Host',
    raw: (ctx) => `GET ${ctx.prefix}api/cart HTTP/1.1\r\nCookie: ${ctx.cookieName}=${ctx.credential}\r\n\r\n`,
    today: { status: 400, bare: 'no body' },
    fixed: fail(400, 'bad_request'),
  },
];
