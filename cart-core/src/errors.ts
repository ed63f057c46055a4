/**
 * The one error catalog: every JSON error the apps, the lab and nginx answer is an entry here. Code
 * throws the `CartError`s that `errors` makes from it; one renderer writes `{ error: { code, message } }`.
 */

/** A fixed text, or one built from a single parameter; nginx renders these without it. */
type Message = string | ((param: never) => string);

export interface ErrorEntry {
  readonly status: number;
  readonly code: string;
  readonly message: Message;
  /** Response headers the answer always carries. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Response headers built from the message's parameter (a 405's `Allow`); nginx sends none. */
  readonly headersOf?: (param: never) => Readonly<Record<string, string>>;
}

const BEARER = 'Bearer realm="statelab", error="invalid_token"';

const CATALOG = {
  badRequest: { status: 400, code: 'bad_request', message: 'the request could not be parsed' },
  invalidBody: { status: 400, code: 'invalid_body', message: (detail: string) => detail },
  invalidQuantity: { status: 400, code: 'invalid_quantity', message: (detail: string) => detail },
  invalidIdempotencyKey: {
    status: 400,
    code: 'invalid_idempotency_key',
    message: 'Idempotency-Key must be 1-255 printable ASCII characters, sent once',
  },
  invalidToken: {
    status: 401,
    code: 'invalid_token',
    message: (detail: string) => detail,
    headers: { 'WWW-Authenticate': BEARER },
  },
  tokenExpired: {
    status: 401,
    code: 'token_expired',
    message: 'the cart token has expired; start a new cart',
    headers: { 'WWW-Authenticate': `${BEARER}, error_description="expired"` },
  },
  forbidden: {
    status: 403,
    code: 'forbidden',
    message: (detail = 'access to this path is forbidden') => detail,
  },
  unknownProduct: {
    status: 404,
    code: 'unknown_product',
    message: (id: string) => `no product with id "${id}" in the catalog`,
  },
  notFound: {
    status: 404,
    code: 'not_found',
    message: (request?: { method: string; path: string }) =>
      request ? `no route for ${request.method} ${request.path}` : 'no route for this path',
  },
  unknownInstance: {
    status: 404,
    code: 'unknown_instance',
    message: (id: string) => `no instance with id "${id}"`,
  },
  unknownAction: {
    status: 404,
    code: 'unknown_action',
    message: ({ action, actions }: { action: string; actions: readonly string[] }) =>
      `no action "${action}"; actions are ${actions.join(', ')}`,
  },
  methodNotAllowed: {
    status: 405,
    code: 'method_not_allowed',
    message: (allow?: readonly string[]) =>
      allow
        ? `this method is not allowed on this path; it allows ${allow.join(', ')}`
        : 'this method is not allowed on this path',
    headersOf: (allow?: readonly string[]): Readonly<Record<string, string>> =>
      allow ? { Allow: allow.join(', ') } : {},
  },
  requestTimeout: { status: 408, code: 'request_timeout', message: 'the request did not arrive in time' },
  cartFull: {
    status: 409,
    code: 'cart_full',
    message: (maxLines: number) => `a cart holds at most ${maxLines} different products`,
  },
  quantityLimit: {
    status: 409,
    code: 'quantity_limit',
    message: (maxQuantity: number) => `a cart line holds at most ${maxQuantity} units`,
  },
  idempotencyKeyInFlight: {
    status: 409,
    code: 'idempotency_key_in_flight',
    message: 'a request with this Idempotency-Key is still being processed; retry it shortly',
    headers: { 'Retry-After': '1' },
  },
  bodyTooLarge: {
    status: 413,
    code: 'body_too_large',
    message: (maxBytes: number) => `request bodies are limited to ${maxBytes} bytes`,
  },
  uriTooLong: { status: 414, code: 'uri_too_long', message: 'the request URI is too long' },
  unsupportedMediaType: {
    status: 415,
    code: 'unsupported_media_type',
    message: (detail = 'request bodies must be application/json') => detail,
  },
  idempotencyKeyReused: {
    status: 422,
    code: 'idempotency_key_reused',
    message: 'this Idempotency-Key was already used for a different request (method, path or body)',
  },
  misdirectedRequest: {
    status: 421,
    code: 'misdirected_request',
    message: ({ host, expected }: { host: string; expected: readonly string[] }) =>
      `this server answers for ${expected.join(' or ')}, not for Host "${host}"`,
  },
  headersTooLarge: {
    status: 431,
    code: 'headers_too_large',
    message: 'a request header or cookie is too large',
  },
  internalError: { status: 500, code: 'internal_error', message: 'internal server error' },
  instanceFailed: { status: 500, code: 'instance_failed', message: (detail: string) => detail },
  notImplemented: {
    status: 501,
    code: 'not_implemented',
    message: 'this request feature is not supported',
  },
  badGateway: {
    status: 502,
    code: 'bad_gateway',
    message: (failure?: { upstream: string; detail: string }) =>
      failure ? `${failure.upstream} failed: ${failure.detail}` : 'the instance failed while answering',
  },
  storeUnavailable: {
    status: 503,
    code: 'store_unavailable',
    message: 'the cart store is unavailable; try again shortly',
    headers: { 'Retry-After': '1' },
  },
  draining: { status: 503, code: 'draining', message: 'this instance is shutting down' },
  noInstance: {
    status: 503,
    code: 'no_instance',
    message: 'no instance of this variant is reachable; try again shortly',
  },
  labStopping: { status: 503, code: 'lab_stopping', message: 'the lab is shutting down' },
  targetUnavailable: {
    status: 503,
    code: 'target_unavailable',
    message: ({ origin, reason }: { origin: string; reason: string }) =>
      `the load balancer at ${origin} does not answer (${reason}); start it with: docker compose up --build`,
  },
  gatewayTimeout: { status: 504, code: 'gateway_timeout', message: 'the instance did not answer in time' },
  targetTimeout: {
    status: 504,
    code: 'target_timeout',
    message: (origin: string) => `the load balancer at ${origin} did not answer in time`,
  },
  httpVersionNotSupported: {
    status: 505,
    code: 'http_version_not_supported',
    message: 'this HTTP version is not supported',
  },
} satisfies Record<string, ErrorEntry>;

for (const entry of Object.values(CATALOG) as ErrorEntry[]) {
  if (entry.headers) Object.freeze(entry.headers);
  Object.freeze(entry);
}

export type ErrorName = keyof typeof CATALOG;
export const ERROR_CATALOG: { readonly [N in ErrorName]: (typeof CATALOG)[N] } = Object.freeze(CATALOG);

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** An error answer from the catalog; keeps the `cause` for the log, never for the client. */
export class CartError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers the error needs (for example `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    entry: ErrorEntry,
    message: string,
    cause?: unknown,
    headers?: Readonly<Record<string, string>>,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CartError';
    this.status = entry.status;
    this.code = entry.code;
    this.headers = headers ? Object.freeze({ ...entry.headers, ...headers }) : (entry.headers ?? NO_HEADERS);
  }
}

type Factory<M> = M extends (...args: infer P) => string
  ? (...args: [...P, cause?: unknown]) => CartError
  : (cause?: unknown) => CartError;

export type ErrorFactories = { readonly [N in ErrorName]: Factory<(typeof CATALOG)[N]['message']> };

function factory(entry: ErrorEntry): (...args: unknown[]) => CartError {
  const { message } = entry;
  if (typeof message === 'string') return (cause) => new CartError(entry, message, cause);
  const render = message as (param: unknown) => string;
  const headersOf = entry.headersOf as ((param: unknown) => Readonly<Record<string, string>>) | undefined;
  return (param, cause) => new CartError(entry, render(param), cause, headersOf?.(param));
}

/** One factory per catalog entry: the message's parameter (if any), then an optional cause. */
export const errors: ErrorFactories = Object.freeze(
  Object.fromEntries(Object.entries(CATALOG).map(([name, entry]) => [name, factory(entry)])),
) as unknown as ErrorFactories;

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(err: Pick<CartError, 'code' | 'message'>): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}
