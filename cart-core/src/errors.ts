/**
 * The one error catalog. Code throws `CartError`s made here; one middleware renders them as
 * `{ error: { code, message } }`. Anything else becomes a 500 with no detail.
 */
export class CartError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers the error needs (for example `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CartError';
    this.status = status;
    this.code = code;
    this.headers = Object.freeze({ ...options?.headers });
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

const BEARER = { 'WWW-Authenticate': 'Bearer realm="statelab"' };

export const errors = Object.freeze({
  invalidBody: (message: string, cause?: unknown) => new CartError(400, 'invalid_body', message, { cause }),
  invalidQuantity: (message: string) => new CartError(400, 'invalid_quantity', message),
  invalidToken: (message: string, cause?: unknown) =>
    new CartError(401, 'invalid_token', message, {
      cause,
      headers: { ...BEARER, 'WWW-Authenticate': `${BEARER['WWW-Authenticate']}, error="invalid_token"` },
    }),
  tokenExpired: (cause?: unknown) =>
    new CartError(401, 'token_expired', 'the cart token has expired; start a new cart', {
      cause,
      headers: {
        'WWW-Authenticate': `${BEARER['WWW-Authenticate']}, error="invalid_token", error_description="expired"`,
      },
    }),
  unknownProduct: (id: string) =>
    new CartError(404, 'unknown_product', `no product with id "${id}" in the catalog`),
  notFound: (method: string, path: string) =>
    new CartError(404, 'not_found', `no route for ${method} ${path}`),
  methodNotAllowed: (method: string, path: string, allow: string) =>
    new CartError(405, 'method_not_allowed', `${method} is not allowed on ${path}`, {
      headers: { Allow: allow },
    }),
  cartFull: (maxLines: number) =>
    new CartError(409, 'cart_full', `a cart holds at most ${maxLines} different products`),
  quantityLimit: (maxQuantity: number) =>
    new CartError(409, 'quantity_limit', `a cart line holds at most ${maxQuantity} units`),
  bodyTooLarge: (maxBytes: number) =>
    new CartError(413, 'body_too_large', `request bodies are limited to ${maxBytes} bytes`),
  unsupportedMediaType: (message = 'request bodies must be application/json') =>
    new CartError(415, 'unsupported_media_type', message),
  storeUnavailable: (cause?: unknown) =>
    new CartError(503, 'store_unavailable', 'the cart store is unavailable; try again shortly', {
      cause,
      headers: { 'Retry-After': '1' },
    }),
  notReady: (message: string) => new CartError(503, 'not_ready', message),
});

export const INTERNAL_ERROR_BODY: ErrorBody = Object.freeze(
  errorBody('internal_error', 'internal server error'),
) as ErrorBody;
