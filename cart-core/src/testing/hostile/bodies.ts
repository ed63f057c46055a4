/**
 * Hostile bodies beyond bad-requests.ts: prototype pollution, number edge cases, depth and width,
 * JSON tricks and media types. Every variant must refuse each the same way, the cart unchanged.
 */
import { CATALOG } from '../../catalog.ts';
import type { RequestOptions } from '../test-client.ts';
import { fail, type HostileOutcome, type HostileRequest, SAME } from './types.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const JSON_TYPE = { 'content-type': 'application/json' };
const INVALID_BODY = fail(400, 'invalid_body');
const INVALID_QUANTITY = fail(400, 'invalid_quantity');
const UNKNOWN_PRODUCT = fail(404, 'unknown_product');
const UNSUPPORTED = fail(415, 'unsupported_media_type');

const add = (name: string, body: string, expect: HostileOutcome): HostileRequest => ({
  name,
  method: 'POST',
  path: '/api/cart/items',
  options: { body, headers: JSON_TYPE },
  expect,
});
const put = (name: string, body: string, expect: HostileOutcome): HostileRequest => ({
  name,
  method: 'PUT',
  path: `/api/cart/items/${A.id}`,
  options: { body, headers: JSON_TYPE },
  expect,
});
const ADD_A = `{"productId":"${A.id}"}`;
const typed = (contentType: string, extra: Record<string, string> = {}): RequestOptions => ({
  body: ADD_A,
  headers: { 'content-type': contentType, ...extra },
});
const addAs = (name: string, options: RequestOptions, expect: HostileOutcome): HostileRequest => ({
  name,
  method: 'POST',
  path: '/api/cart/items',
  options,
  expect,
});
const deep = (open: string, close: string, depth: number) => `${open.repeat(depth)}${close.repeat(depth)}`;

/** Bodies every variant refuses (or, for the query, ignores), the cart unchanged. */
export const HOSTILE_BODIES: readonly HostileRequest[] = [
  // Prototype pollution: keys and ids that name Object.prototype's members.
  add('"__proto__" as the product id', '{"productId":"__proto__"}', INVALID_BODY),
  add('"constructor" as the product id', '{"productId":"constructor"}', UNKNOWN_PRODUCT),
  add(
    'a "__proto__" key spelt with \\u escapes',
    `{"productId":"${A.id}","\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}`,
    INVALID_BODY,
  ),
  add(
    'quantity an object with __proto__',
    `{"productId":"${A.id}","quantity":{"__proto__":{"valueOf":1}}}`,
    INVALID_QUANTITY,
  ),
  put('a __proto__ key beside quantity', '{"quantity":1,"__proto__":{"quantity":99}}', INVALID_BODY),
  put(
    'constructor.prototype beside quantity',
    '{"quantity":1,"constructor":{"prototype":{"polluted":true}}}',
    INVALID_BODY,
  ),
  {
    name: '__proto__ as the path id',
    method: 'PUT',
    path: '/api/cart/items/__proto__',
    options: { json: { quantity: 1 } },
    expect: UNKNOWN_PRODUCT,
  },
  {
    name: 'constructor as the path id',
    method: 'DELETE',
    path: '/api/cart/items/constructor',
    expect: UNKNOWN_PRODUCT,
  },
  {
    name: 'prototype as the path id',
    method: 'PUT',
    path: '/api/cart/items/prototype',
    options: { json: { quantity: 1 } },
    expect: UNKNOWN_PRODUCT,
  },
  {
    name: 'a query that nests __proto__ and constructor',
    method: 'GET',
    path: '/api/cart?__proto__[polluted]=1&constructor[prototype][polluted]=1&a[__proto__][b]=1',
    expect: SAME,
  },

  // Numbers: every value that is not an integer 1-99 (0-99 for PUT), however JSON spells it.
  add('quantity -0', `{"productId":"${A.id}","quantity":-0}`, INVALID_QUANTITY),
  add('quantity 1e-400 (underflows to 0)', `{"productId":"${A.id}","quantity":1e-400}`, INVALID_QUANTITY),
  add('quantity -1e400', `{"productId":"${A.id}","quantity":-1e400}`, INVALID_QUANTITY),
  add('quantity 5e-324', `{"productId":"${A.id}","quantity":5e-324}`, INVALID_QUANTITY),
  add('quantity 98.5', `{"productId":"${A.id}","quantity":98.5}`, INVALID_QUANTITY),
  add('quantity 2^31', `{"productId":"${A.id}","quantity":2147483648}`, INVALID_QUANTITY),
  add(
    'quantity 2^32 + 1 (wraps to 1 in 32 bits)',
    `{"productId":"${A.id}","quantity":4294967297}`,
    INVALID_QUANTITY,
  ),
  add('quantity true', `{"productId":"${A.id}","quantity":true}`, INVALID_QUANTITY),
  add('quantity [1]', `{"productId":"${A.id}","quantity":[1]}`, INVALID_QUANTITY),
  add('quantity "1e1"', `{"productId":"${A.id}","quantity":"1e1"}`, INVALID_QUANTITY),
  add('quantity NaN', `{"productId":"${A.id}","quantity":NaN}`, INVALID_BODY),
  add('quantity Infinity', `{"productId":"${A.id}","quantity":Infinity}`, INVALID_BODY),
  add('quantity 0x10', `{"productId":"${A.id}","quantity":0x10}`, INVALID_BODY),
  add('quantity +1', `{"productId":"${A.id}","quantity":+1}`, INVALID_BODY),
  add('quantity 01', `{"productId":"${A.id}","quantity":01}`, INVALID_BODY),
  put('quantity 98.999999999', '{"quantity":98.999999999}', INVALID_QUANTITY),
  put('quantity -0.5', '{"quantity":-0.5}', INVALID_QUANTITY),
  put('quantity 1e2', '{"quantity":1e2}', INVALID_QUANTITY),
  put('quantity 1e400', '{"quantity":1e400}', INVALID_QUANTITY),
  put('quantity -(2^53 + 1)', '{"quantity":-9007199254740993}', INVALID_QUANTITY),
  put('quantity ""', '{"quantity":""}', INVALID_QUANTITY),

  // Depth and width, each under the 16 KiB body limit.
  add('8000-deep arrays', deep('[', ']', 8000), INVALID_BODY),
  add('2500-deep objects', `${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`, INVALID_BODY),
  add(
    'the product id a 1000-deep object',
    `{"productId":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`,
    INVALID_BODY,
  ),
  add(
    'quantity 5000-deep arrays',
    `{"productId":"${A.id}","quantity":${deep('[', ']', 5000)}}`,
    INVALID_QUANTITY,
  ),
  add(
    '1500 unknown keys',
    `{"productId":"${A.id}",${Array.from({ length: 1500 }, (_, i) => `"k${i}":0`).join(',')}}`,
    INVALID_BODY,
  ),
  add('a product id of 15000 characters', `{"productId":"${'a'.repeat(15_000)}"}`, INVALID_BODY),

  // JSON that JSON.parse or the schema must refuse, or read one way only.
  add('two JSON documents', `{"productId":"${A.id}"}{"productId":"${B.id}"}`, INVALID_BODY),
  add('trailing garbage', `{"productId":"${A.id}"}xyz`, INVALID_BODY),
  add('a comment', `{/* x */"productId":"${A.id}"}`, INVALID_BODY),
  add('single quotes', `{'productId':'${A.id}'}`, INVALID_BODY),
  add('a trailing comma', `{"productId":"${A.id}",}`, INVALID_BODY),
  add('an empty object', '{}', INVALID_BODY),
  add('a lone surrogate in the product id', '{"productId":"\\ud800"}', INVALID_BODY),
  add('a NUL in the product id', `{"productId":"${A.id}\\u0000"}`, INVALID_BODY),
  add('the product id in upper case', `{"productId":"${A.id.toUpperCase()}"}`, INVALID_BODY),
  add('a look-alike dash in the product id', `{"productId":"${A.id.replace('-', '\u2010')}"}`, INVALID_BODY),
  add('spaces around the product id', `{"productId":" ${A.id} "}`, INVALID_BODY),
  add(
    'a repeated key whose last value is unknown (the last one counts)',
    `{"productId":"${A.id}","productId":"no-such-thing"}`,
    UNKNOWN_PRODUCT,
  ),

  // Media types and encodings other than identity application/json.
  addAs('multipart/form-data', typed('multipart/form-data; boundary=x'), UNSUPPORTED),
  addAs('application/xml', typed('application/xml'), UNSUPPORTED),
  addAs('text/json', typed('text/json'), UNSUPPORTED),
  addAs('application/json-patch+json', typed('application/json-patch+json'), UNSUPPORTED),
  addAs('application/merge-patch+json', typed('application/merge-patch+json'), UNSUPPORTED),
  addAs('application/vnd.api+json', typed('application/vnd.api+json'), UNSUPPORTED),
  addAs('two media types in one header', typed('application/json, text/plain'), UNSUPPORTED),
  addAs('a media type with no subtype', typed('application/'), UNSUPPORTED),
  addAs('a wildcard media type', typed('*/*'), UNSUPPORTED),
  addAs('charset=us-ascii', typed('application/json; charset=us-ascii'), UNSUPPORTED),
  addAs('charset=utf8 (no dash)', typed('application/json; charset=utf8'), UNSUPPORTED),
  // body-parser would decode any `utf-*` charset; JSON on the wire is UTF-8 (RFC 8259 §8.1).
  addAs('charset=utf-7', typed('application/json; charset=utf-7'), UNSUPPORTED),
  addAs(
    'charset=utf-16le and a UTF-16LE body',
    {
      body: new Uint8Array(Buffer.from(ADD_A, 'utf16le')),
      headers: { 'content-type': 'application/json; charset=utf-16le' },
    },
    UNSUPPORTED,
  ),
  addAs(
    'charset=utf-16be and a UTF-16BE body',
    {
      body: new Uint8Array(Buffer.from(ADD_A, 'utf16le').swap16()),
      headers: { 'content-type': 'application/json; charset=utf-16be' },
    },
    UNSUPPORTED,
  ),
  addAs(
    'deflate content encoding',
    typed('application/json', { 'content-encoding': 'deflate' }),
    UNSUPPORTED,
  ),
  addAs('br content encoding', typed('application/json', { 'content-encoding': 'br' }), UNSUPPORTED),
  addAs(
    'gzip, identity content encoding',
    typed('application/json', { 'content-encoding': 'gzip, identity' }),
    UNSUPPORTED,
  ),
];
