/**
 * JSON body guard. Express 5 silently leaves `req.body` undefined for a non-JSON content type, so
 * a body of any other type is refused with 415 here before the parser runs. So is any declared
 * charset but UTF-8: the parser would decode every `utf-*` one (UTF-7, UTF-16) and change the cart.
 */
import { parse as parseContentType } from 'content-type';
import express, { type RequestHandler } from 'express';
import { errors } from '../errors.ts';

const NOT_UTF8 = 'JSON request bodies must be UTF-8 (RFC 8259 §8.1): send no charset or charset=utf-8';

const CHARSET_PARAMETER = /;\s*charset\s*=/gi;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Read with the parser's own Content-Type parser, so both agree on the charset it would decode;
 * a second `charset` is refused too, as another reader may take the last one.
 */
function declaresOnlyUtf8(contentType: string): boolean {
  const { charset } = parseContentType(contentType).parameters;
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') return false;
  return (contentType.match(CHARSET_PARAMETER)?.length ?? 0) <= 1;
}

export function jsonBody(maxBytes: number): RequestHandler[] {
  const parse = express.json({ limit: maxBytes, strict: true, type: 'application/json', inflate: false });
  const guard: RequestHandler = (req, _res, next) => {
    if (hasBody(req.headers) && !req.is('application/json')) return next(errors.unsupportedMediaType());
    const type = req.headers['content-type'];
    if (type !== undefined && !declaresOnlyUtf8(type)) return next(errors.unsupportedMediaType(NOT_UTF8));
    next();
  };
  return [guard, parse];
}
