/**
 * JSON body guard. Express 5 silently leaves `req.body` undefined for a non-JSON content type, so
 * a body of any other type is refused with 415 here before the parser runs.
 */
import express, { type RequestHandler } from 'express';
import { errors } from '../errors.ts';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

export function jsonBody(maxBytes: number): RequestHandler[] {
  const parse = express.json({ limit: maxBytes, strict: true, type: 'application/json', inflate: false });
  const guard: RequestHandler = (req, _res, next) => {
    if (!hasBody(req.headers)) return next();
    if (!req.is('application/json')) return next(errors.unsupportedMediaType());
    next();
  };
  return [guard, parse];
}
