/** The apps' error middleware: catalog errors as they are, parser errors mapped, anything else a bare 500. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CartError, errors } from '../errors.ts';
import { sendError } from './send-error.ts';

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
    case 'request.aborted':
    case 'request.size.invalid':
      return errors.invalidBody('the request body was incomplete', err);
    default:
      // Express raises 4xx errors for requests it cannot route (a malformed %-escape in the path, a 400):
      // the catalog's bad_request, as Node and nginx answer an unparseable request.
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        return errors.badRequest(err);
      }
      return undefined;
  }
}

export function notFound(): RequestHandler {
  return (req, _res, next) => next(errors.notFound(req));
}

export function errorHandler(maxBodyBytes: number): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = err instanceof CartError ? err : fromParser((err ?? {}) as ParserError, maxBodyBytes);
    if (!known) {
      req.log.error({ err }, 'unhandled error');
      sendError(res, errors.internalError());
      return;
    }
    if (known.status >= 500) req.log.error({ err: known.cause ?? known, code: known.code }, known.message);
    else req.log.info({ code: known.code }, known.message);
    sendError(res, known);
  };
}
