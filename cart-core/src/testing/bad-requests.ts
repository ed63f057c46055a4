/**
 * The rejected requests of docs/contract.md §2 that every variant must answer the same way, each
 * leaving the cart unchanged: the table the contract suite walks.
 */
import { CATALOG } from '../catalog.ts';
import type { RequestOptions } from './test-client.ts';

export interface BadRequest {
  name: string;
  method: string;
  path: string;
  options?: RequestOptions;
  status: number;
  code: string;
  /** Response headers the answer must carry, exactly. */
  headers?: Readonly<Record<string, string>>;
  /** What the error message must say. */
  message?: RegExp;
}

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const ADD = `{"productId":"${A.id}"}`;

/** A body declared in a charset other than UTF-8: 415, whether or not the bytes would decode. */
const charset = (name: string, type: string, body: string | Uint8Array<ArrayBuffer> = ADD): BadRequest => ({
  name,
  method: 'POST',
  path: '/api/cart/items',
  options: { body, headers: { 'content-type': type } },
  status: 415,
  code: 'unsupported_media_type',
  message: /UTF-8/,
});

/** A known path asked a method it does not serve: 405 naming the methods it does. */
const wrongMethod = (method: string, path: string, allow: string, options?: RequestOptions): BadRequest => ({
  name: `a method it does not serve (Allow: ${allow})`,
  method,
  path,
  ...(options ? { options } : {}),
  status: 405,
  code: 'method_not_allowed',
  headers: { allow },
});

/** Rejected requests that every variant must answer the same way, leaving the cart unchanged. */
export const BAD_REQUESTS: readonly BadRequest[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: '{"productId":', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'JSON null body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: 'null', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'JSON array body',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: [{ productId: A.id }] },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'JSON string body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: '"mug-ink"', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_body',
  },
  { name: 'no body', method: 'POST', path: '/api/cart/items', status: 400, code: 'invalid_body' },
  {
    name: 'productId a number',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: 5 } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'productId missing',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { quantity: 1 } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'productId with path characters',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: '../etc/passwd' } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, priceCents: 1 } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: '__proto__ key',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","__proto__":{"polluted":true}}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'constructor.prototype key',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","constructor":{"prototype":{"polluted":true}}}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'quantity 0 on add',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: 0 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity 100',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: 100 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity negative',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: -3 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity 1.5',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: 1.5 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity a string',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: '2' } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity 1e400',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","quantity":1e400}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity beyond 2^53',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}","quantity":9007199254740993}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'quantity null',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, quantity: null } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'unknown product',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: 'no-such-thing' } },
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'text/plain body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: `{"productId":"${A.id}"}`, headers: { 'content-type': 'text/plain' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'form body',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: `productId=${A.id}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'body without content type',
    method: 'POST',
    path: '/api/cart/items',
    options: { body: `{"productId":"${A.id}"}`, headers: { 'content-type': '' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'gzip content encoding',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `{"productId":"${A.id}"}`,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    },
    status: 415,
    code: 'unsupported_media_type',
  },
  charset('latin1 charset', 'application/json; charset=latin1'),
  charset('utf-7 charset', 'application/json; charset=utf-7'),
  charset(
    'utf-16le charset, UTF-16LE body',
    'application/json; charset=utf-16le',
    new Uint8Array(Buffer.from(ADD, 'utf16le')),
  ),
  charset('quoted UTF-16 charset', 'application/json; charset="UTF-16"'),
  charset('utf-32 charset', 'application/json;charset=UTF-32BE'),
  charset('utf8 without the dash', 'application/json; charset=utf8'),
  charset('a second charset after utf-8', 'application/json; charset=utf-8; charset=utf-7'),
  {
    name: 'invalid UTF-8 bytes',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: new Uint8Array([0x7b, 0x22, 0x70, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'body over 16 KiB',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { productId: A.id, pad: 'x'.repeat(17 * 1024) } },
    status: 413,
    code: 'body_too_large',
  },
  {
    name: 'deeply nested JSON',
    method: 'POST',
    path: '/api/cart/items',
    options: {
      body: `${'['.repeat(2000)}${']'.repeat(2000)}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'PUT quantity 100',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: 100 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'PUT quantity -1',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: -1 } },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'PUT without quantity',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: {} },
    status: 400,
    code: 'invalid_quantity',
  },
  {
    name: 'PUT extra field',
    method: 'PUT',
    path: `/api/cart/items/${A.id}`,
    options: { json: { quantity: 1, productId: B.id } },
    status: 400,
    code: 'invalid_body',
  },
  {
    name: 'PUT unknown product',
    method: 'PUT',
    path: '/api/cart/items/no-such-thing',
    options: { json: { quantity: 1 } },
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'PUT product id with encoded slash',
    method: 'PUT',
    path: '/api/cart/items/..%2F..%2Fetc',
    options: { json: { quantity: 1 } },
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'DELETE unknown product',
    method: 'DELETE',
    path: '/api/cart/items/NOPE',
    status: 404,
    code: 'unknown_product',
  },
  {
    name: 'malformed percent escape',
    method: 'DELETE',
    path: '/api/cart/items/%E0%A4%A',
    status: 400,
    code: 'bad_request',
  },
  { name: 'unknown route', method: 'GET', path: '/api/nope', status: 404, code: 'not_found' },
  wrongMethod('PATCH', '/api/cart', 'GET, HEAD, DELETE', { json: {} }),
  wrongMethod('OPTIONS', '/api/cart', 'GET, HEAD, DELETE'),
  wrongMethod('POST', '/api/cart', 'GET, HEAD, DELETE', { json: { productId: A.id } }),
  wrongMethod('GET', '/api/cart/items', 'POST'),
  wrongMethod('OPTIONS', '/api/cart/items', 'POST'),
  wrongMethod('PATCH', `/api/cart/items/${A.id}`, 'PUT, DELETE', { json: { quantity: 1 } }),
  wrongMethod('OPTIONS', `/api/cart/items/${B.id}`, 'PUT, DELETE'),
  wrongMethod('POST', `/api/cart/items/${A.id}`, 'PUT, DELETE', { json: { quantity: 1 } }),
  wrongMethod('POST', '/api/products', 'GET, HEAD', { json: { productId: A.id } }),
  wrongMethod('OPTIONS', '/api/products', 'GET, HEAD'),
  wrongMethod('OPTIONS', '/healthz', 'GET, HEAD'),
  wrongMethod('DELETE', '/readyz', 'GET, HEAD'),
  wrongMethod('POST', '/api/instance', 'GET, HEAD'),
  wrongMethod('PUT', '/metrics', 'GET, HEAD'),
  { name: 'PATCH on an unknown path', method: 'PATCH', path: '/api/nope', status: 404, code: 'not_found' },
  {
    name: 'OPTIONS on an unknown path',
    method: 'OPTIONS',
    path: '/api/cart/nope',
    status: 404,
    code: 'not_found',
  },
  ...(
    [
      ['an empty Idempotency-Key', 'POST', '/api/cart/items', ''],
      ['an Idempotency-Key of 256 characters', 'PUT', `/api/cart/items/${A.id}`, 'k'.repeat(256)],
      ['an Idempotency-Key with a tab', 'DELETE', `/api/cart/items/${B.id}`, 'a\tb'],
      ['an Idempotency-Key with a byte beyond ASCII', 'DELETE', '/api/cart', 'caf\u00e9'],
    ] as const
  ).map(
    ([name, method, path, key]): BadRequest => ({
      name,
      method,
      path,
      options: {
        headers: { 'idempotency-key': key },
        ...(method === 'PUT'
          ? { json: { quantity: 3 } }
          : method === 'POST'
            ? { json: { productId: A.id } }
            : {}),
      },
      status: 400,
      code: 'invalid_idempotency_key',
    }),
  ),
];
