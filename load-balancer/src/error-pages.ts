/**
 * nginx's own error answers, in the API's shape `{ "error": { "code", "message" } }`. Each status
 * is sent to an internal URI (not `= @named`: on nginx 1.22 that turns request-line errors into 500).
 */
import { type CartError, DEFAULT_LIMITS, errorBody, errors, REQUEST_ID_PATTERN } from '@statelab/cart-core';
import { type Block, comment } from './nginx-text.ts';

export const ERRORS_PREFIX = '/_errors/';

export interface LbError {
  /** The status nginx raises; 494 is its own "request header too large". */
  readonly status: number;
  /** The catalog's answer to it, rendered without request details (nginx has none to give). */
  readonly error: CartError;
}

/**
 * The statuses nginx itself produces; the apps' own errors pass through untouched. No 408: on a
 * header or body timeout nginx closes the connection without an answer, so no page could be sent.
 */
export const LB_ERRORS: readonly LbError[] = Object.freeze(
  (
    [
      [400, errors.badRequest()],
      [403, errors.forbidden()],
      [404, errors.notFound()],
      [405, errors.methodNotAllowed()],
      [413, errors.bodyTooLarge(DEFAULT_LIMITS.maxBodyBytes)],
      [414, errors.uriTooLong()],
      [494, errors.headersTooLarge()],
      [500, errors.internalError()],
      [501, errors.notImplemented()],
      [502, errors.badGateway()],
      [503, errors.noInstance()],
      [504, errors.gatewayTimeout()],
      // A request line naming HTTP/2.0 or later: this listener speaks HTTP/1.x only.
      [505, errors.httpVersionNotSupported()],
    ] as const
  ).map(([status, error]) => Object.freeze({ status, error })),
);

const byStatus = (status: number): LbError => LB_ERRORS.find((e) => e.status === status)!;

/** The body nginx sends; single-quoted in the config, so it must hold no `'` and no `$`. */
export function errorJson(e: LbError): string {
  const json = JSON.stringify(errorBody(e.error));
  if (/['$]/.test(json)) throw new Error(`${e.error.code}: a message nginx answers must hold no ' or $`);
  return json;
}

function returnBody(e: LbError): string {
  return `return ${e.error.status} '${errorJson(e)}';`;
}

/** `error_page` lines for the server block. */
export function errorPageDirectives(): Block {
  return [
    comment('nginx-made errors become JSON; a URI keeps the status nginx raised, `=` lets the page set it:'),
    comment('494 answers 431 as the apps do; 502 answers 503 when no instance was reachable at all.'),
    ...LB_ERRORS.map((e) =>
      e.status === e.error.status && e.status !== 502
        ? `error_page ${e.status} ${ERRORS_PREFIX}${e.status};`
        : `error_page ${e.status} = ${ERRORS_PREFIX}${e.status};`,
    ),
  ];
}

/**
 * Tells "nothing could be reached" from "an instance broke mid-answer": the connect time of the
 * last upstream tried is `-` when it could not even be connected (or every server was marked down).
 */
export function gatewayErrorMap(): Block {
  return ['map $upstream_connect_time $lb_unreachable {', ['default 0;', '"~(^|\\s)-$" 1;'], '}'];
}

/**
 * The request's id: the client's `X-Request-Id` when well-formed (as the apps accept it), else
 * nginx's own. Passed to the app, which echoes it; nginx's own errors carry it too, so every answer
 * names the request it answers (a load generator can then see one credited to the wrong request).
 */
export function requestIdMap(): Block {
  return [
    'map $http_x_request_id $client_request_id {',
    [`"~${REQUEST_ID_PATTERN.source}" $http_x_request_id;`, 'default $request_id;'],
    '}',
  ];
}

const commonHeaders: Block = [
  'internal;',
  'default_type "application/json; charset=utf-8";',
  'add_header X-Served-By load-balancer always;',
  'add_header X-Request-Id $client_request_id always;',
  'add_header Cache-Control no-store always;',
  'add_header X-Content-Type-Options nosniff always;',
];

function answer(e: LbError): Block {
  if (e.status === 502) {
    return [
      // `if` holding only `return` is the safe use of `if` inside a location.
      `if ($lb_unreachable) { ${returnBody(byStatus(503))} }`,
      returnBody(e),
    ];
  }
  return [returnBody(e)];
}

/** One internal location per status; `return` with literal JSON needs no files on disk. */
export function errorLocations(): Block {
  return LB_ERRORS.flatMap((e) => [
    `location = ${ERRORS_PREFIX}${e.status} {`,
    [
      ...commonHeaders,
      ...(e.status >= 502 && e.status <= 503 ? ['add_header Retry-After 1 always;'] : []),
      ...answer(e),
    ],
    '}',
  ]);
}
