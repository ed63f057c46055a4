import type { ServerResponse } from 'node:http';
import { type CartError, errorBody } from '../errors.ts';

/**
 * The one renderer of catalog errors, for express and bare Node servers alike: status, the entry's
 * headers and `{ error: { code, message } }`. Headers already set (X-Served-By, Cache-Control) stay.
 */
export function sendError(res: ServerResponse, err: CartError): void {
  const text = JSON.stringify(errorBody(err));
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  res.statusCode = err.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
