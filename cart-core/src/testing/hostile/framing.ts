/**
 * Hostile requests around the body: method-override headers, methods a path does not serve, path
 * tricks, header injection, and framing at the app's own parser (smuggling, malformed chunks, bare
 * LF, oversized headers, a missing Host).
 */
import { CATALOG } from '../../catalog.ts';
import type { TestResponse } from '../test-client.ts';
import {
  fail,
  type HostileContext,
  type HostileOutcome,
  type HostileRequest,
  rawHead,
  SAME,
  smuggled,
  victimCookie,
} from './types.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const INVALID_BODY = fail(400, 'invalid_body');
const UNKNOWN_PRODUCT = fail(404, 'unknown_product');
const NOT_FOUND = fail(404, 'not_found');
const BAD_REQUEST = fail(400, 'bad_request');
const notAllowed = (...allow: string[]): HostileOutcome => ({
  status: 405,
  code: 'method_not_allowed',
  allow,
});
const addBody = `{"productId":"${B.id}"}`;

const raw = (
  name: string,
  bytes: (ctx: HostileContext) => string,
  expect: HostileOutcome,
): HostileRequest => ({
  name,
  raw: bytes,
  expect,
});
const rawPost = (ctx: HostileContext, headers: readonly string[], body: string) =>
  rawHead(`POST ${ctx.prefix}api/cart/items HTTP/1.1`, ctx, [
    victimCookie(ctx),
    'Content-Type: application/json',
    ...headers,
  ]) + body;
const noHeader = (name: string) => (res: TestResponse) => {
  if (res.headers.has(name))
    throw new Error(`the answer carries an injected ${name}: ${res.headers.get(name)}`);
};

/** Refused (or harmlessly ignored) by every variant, the cart unchanged. */
export const HOSTILE_FRAMING: readonly HostileRequest[] = [
  // Headers a framework might honour; this API ignores them.
  {
    name: 'X-HTTP-Method-Override: DELETE on a GET',
    method: 'GET',
    path: '/api/cart',
    options: {
      headers: {
        'x-http-method-override': 'DELETE',
        'x-method-override': 'DELETE',
        'x-http-method': 'DELETE',
      },
    },
    expect: SAME,
  },
  { name: '?_method=DELETE on a GET', method: 'GET', path: '/api/cart?_method=DELETE', expect: SAME },
  {
    name: 'X-HTTP-Method-Override: PUT on a POST that has no product',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { quantity: 0 }, headers: { 'x-http-method-override': 'PUT' } },
    expect: INVALID_BODY,
  },
  {
    name: 'Authorization: Basic',
    method: 'GET',
    path: '/api/cart',
    options: { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } },
    expect: SAME,
  },

  // A known path asked a method it does not serve: 405 with the methods it does.
  {
    name: 'PATCH on the cart',
    method: 'PATCH',
    path: '/api/cart',
    options: { json: { items: [] } },
    expect: notAllowed('GET', 'HEAD', 'DELETE'),
  },
  {
    name: 'OPTIONS on the cart lines',
    method: 'OPTIONS',
    path: '/api/cart/items',
    expect: notAllowed('POST'),
  },
  {
    name: 'PATCH on a cart line',
    method: 'PATCH',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: 1 } },
    expect: notAllowed('PUT', 'DELETE'),
  },

  // Paths: encoded traversal, NUL, CRLF meant to split the answer.
  {
    name: 'a NUL after the product id',
    method: 'PUT',
    path: `/api/cart/items/${A.id}%00`,
    options: { json: { quantity: 1 } },
    expect: UNKNOWN_PRODUCT,
  },
  {
    name: 'an encoded ../ after the product id',
    method: 'DELETE',
    path: `/api/cart/items/${A.id}%2F..`,
    expect: UNKNOWN_PRODUCT,
  },
  {
    name: 'a product id of 5000 characters',
    method: 'PUT',
    path: `/api/cart/items/${'a'.repeat(5000)}`,
    options: { json: { quantity: 1 } },
    expect: UNKNOWN_PRODUCT,
  },
  { name: 'a path parameter after ;', method: 'GET', path: '/api/cart;jsessionid=x', expect: NOT_FOUND },
  {
    name: 'CRLF and a header in the path',
    method: 'GET',
    path: '/api/cart%0d%0aX-Injected:%201',
    expect: NOT_FOUND,
    check: noHeader('x-injected'),
  },
  {
    name: 'CRLF and Set-Cookie in the query',
    method: 'GET',
    path: '/api/cart?x=%0d%0aSet-Cookie:%20injected=1%0d%0aX-Injected:%201',
    expect: SAME,
    check: noHeader('x-injected'),
  },
  raw(
    'an unnormalised ../ in the path',
    (c) =>
      rawHead(`DELETE ${c.prefix}api/cart/items/../../cart HTTP/1.1`, c, [
        victimCookie(c),
        'Connection: close',
      ]),
    NOT_FOUND,
  ),
  raw(
    '%2e%2e segments in the path',
    (c) =>
      rawHead(`DELETE ${c.prefix}api/cart/items/%2e%2e HTTP/1.1`, c, [victimCookie(c), 'Connection: close']),
    UNKNOWN_PRODUCT,
  ),

  // Framing at the app's own parser: whatever a desynchronised proxy could hand it.
  raw(
    'Content-Length and Transfer-Encoding both',
    (c) => rawPost(c, ['Content-Length: 5', 'Transfer-Encoding: chunked'], `0\r\n\r\n${smuggled(c)}`),
    BAD_REQUEST,
  ),
  raw(
    'two different Content-Length',
    (c) => rawPost(c, [`Content-Length: ${addBody.length}`, 'Content-Length: 0'], addBody + smuggled(c)),
    BAD_REQUEST,
  ),
  raw(
    'Transfer-Encoding chunked, then identity',
    (c) => rawPost(c, ['Transfer-Encoding: chunked, identity'], `0\r\n\r\n${smuggled(c)}`),
    BAD_REQUEST,
  ),
  raw(
    'Transfer-Encoding xchunked',
    (c) => rawPost(c, ['Transfer-Encoding: xchunked'], `0\r\n\r\n${smuggled(c)}`),
    BAD_REQUEST,
  ),
  raw(
    'a space before the colon of Transfer-Encoding',
    (c) => rawPost(c, ['Transfer-Encoding : chunked'], `0\r\n\r\n${smuggled(c)}`),
    BAD_REQUEST,
  ),
  raw(
    'a chunk size that is not hex',
    (c) => rawPost(c, ['Transfer-Encoding: chunked'], `zz\r\n${addBody}\r\n0\r\n\r\n`),
    BAD_REQUEST,
  ),
  raw(
    'a chunk size past 2^64',
    (c) => rawPost(c, ['Transfer-Encoding: chunked'], `1${'0'.repeat(17)}\r\n${addBody}\r\n0\r\n\r\n`),
    BAD_REQUEST,
  ),
  raw(
    'a chunk longer than its size',
    (c) => rawPost(c, ['Transfer-Encoding: chunked'], `3\r\n${addBody}\r\n0\r\n\r\n`),
    BAD_REQUEST,
  ),
  raw(
    'bare LF line endings',
    (c) => `GET ${c.prefix}api/cart HTTP/1.1\nHost: ${c.host}\n${victimCookie(c)}\n\n`,
    BAD_REQUEST,
  ),
  raw(
    'a bare CR inside a header',
    (c) =>
      rawHead(`GET ${c.prefix}api/cart HTTP/1.1`, c, [victimCookie(c), 'X-A: a\rTransfer-Encoding: chunked']),
    BAD_REQUEST,
  ),
  raw(
    'a NUL inside a header',
    (c) => rawHead(`GET ${c.prefix}api/cart HTTP/1.1`, c, [victimCookie(c), 'X-A: a\u0000b']),
    BAD_REQUEST,
  ),
  raw(
    'an obs-fold continuation line',
    (c) =>
      rawHead(`GET ${c.prefix}api/cart HTTP/1.1`, c, [
        victimCookie(c),
        'X-A: a',
        ' Transfer-Encoding: chunked',
      ]),
    BAD_REQUEST,
  ),
  raw('the HTTP/2 preface on HTTP/1.1', () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', BAD_REQUEST),
  raw(
    'HTTP/2.0 in the request line (served as HTTP/1)',
    (c) => rawHead(`GET ${c.prefix}api/cart HTTP/2.0`, c, [victimCookie(c), 'Connection: close']),
    SAME,
  ),
  raw(
    'a header block over 16 KiB',
    (c) => rawHead(`GET ${c.prefix}api/cart HTTP/1.1`, c, [victimCookie(c), `X-Big: ${'a'.repeat(17_000)}`]),
    fail(431, 'headers_too_large'),
  ),
  raw('HTTP/1.0 without Host', (c) => `GET ${c.prefix}api/cart HTTP/1.0\r\n${victimCookie(c)}\r\n\r\n`, SAME),
  // RFC 9112 §3.2: HTTP/1.1 requires Host; refused before the cart is read.
  raw(
    'HTTP/1.1 without Host',
    (c) => `GET ${c.prefix}api/cart HTTP/1.1\r\n${victimCookie(c)}\r\n\r\n`,
    BAD_REQUEST,
  ),
  raw(
    'a GET whose body is a request',
    (c) =>
      rawHead(`GET ${c.prefix}api/cart HTTP/1.1`, c, [
        victimCookie(c),
        'Connection: close',
        `Content-Length: ${smuggled(c).length}`,
      ]) + smuggled(c),
    SAME,
  ),
];
