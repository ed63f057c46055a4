/** The one error renderer: catalog errors as they are, parser errors mapped, anything else a bare 500. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CartError, errorBody, errors, INTERNAL_ERROR_BODY } from '../errors.ts';

interface ParserError {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
}

function fromParser(err: ParserError, maxBodyBytes: number): CartError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return errors.bodyTooLarge(maxBodyBytes);
    case 'entity.parse.failed':
      return errors.invalidBody('the body is not valid JSON', err);
    case 'encoding.unsupported':
      return errors.unsupportedMediaType('compressed request bodies are not accepted');
    case 'charset.unsupported':
      return errors.unsupportedMediaType('request bodies must be UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
      return errors.invalidBody('the request body was incomplete', err);
    default:
      // Express itself raises 4xx errors for requests it cannot route (a malformed %-escape in the path).
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        return new CartError(err.status, 'bad_request', 'the request could not be understood', {
          cause: err,
        });
      }
      return undefined;
  }
}

export function notFound(): RequestHandler {
  return (req, _res, next) => next(errors.notFound(req.method, req.path));
}

export function errorHandler(maxBodyBytes: number): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = err instanceof CartError ? err : fromParser((err ?? {}) as ParserError, maxBodyBytes);
    if (!known) {
      req.log.error({ err }, 'unhandled error');
      res.status(500).json(INTERNAL_ERROR_BODY);
      return;
    }
    if (known.status >= 500) req.log.error({ err: known.cause ?? known, code: known.code }, known.message);
    else req.log.info({ code: known.code }, known.message);
    res.set(known.headers);
    res.status(known.status).json(errorBody(known.code, known.message));
  };
}
