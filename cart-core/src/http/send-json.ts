import type { Response } from 'express';

/**
 * A 200 JSON answer written directly. `res.json` re-reads app settings and re-parses its own
 * Content-Type on every call; the cart answer is on every cart request's path, so it skips that.
 */
export function sendJson(res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
