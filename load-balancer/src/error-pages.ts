/**
 * nginx's own error answers, in the API's shape `{ "error": { "code", "message" } }`. Each status
 * is sent to an internal URI (not `= @named`: on nginx 1.22 that turns request-line errors into 500).
 */
import { DEFAULT_LIMITS, errorBody } from '@statelab/cart-core';
import { type Block, comment } from './nginx-text.ts';

export const ERRORS_PREFIX = '/_errors/';

export interface LbError {
  status: number;
  code: string;
  message: string;
}

/** The statuses nginx itself produces; the apps' own errors pass through untouched. */
export const LB_ERRORS: readonly LbError[] = Object.freeze([
  { status: 400, code: 'bad_request', message: 'the request could not be parsed' },
  { status: 403, code: 'forbidden', message: 'access to this path is forbidden' },
  { status: 404, code: 'not_found', message: 'no route for this path' },
  { status: 405, code: 'method_not_allowed', message: 'this method is not allowed on this path' },
  { status: 408, code: 'request_timeout', message: 'the request did not arrive in time' },
  {
    status: 413,
    code: 'body_too_large',
    message: `request bodies are limited to ${DEFAULT_LIMITS.maxBodyBytes} bytes`,
  },
  { status: 414, code: 'uri_too_long', message: 'the request URI is too long' },
  // nginx answers 494 with status 400 by itself.
  { status: 494, code: 'header_too_large', message: 'a request header or cookie is too large' },
  { status: 500, code: 'internal_error', message: 'internal server error' },
  { status: 501, code: 'not_implemented', message: 'this request feature is not supported' },
  { status: 502, code: 'bad_gateway', message: 'the instance failed while answering' },
  {
    status: 503,
    code: 'no_instance',
    message: 'no instance of this variant is reachable; try again shortly',
  },
  { status: 504, code: 'gateway_timeout', message: 'the instance did not answer in time' },
]);

const byStatus = (status: number): LbError => LB_ERRORS.find((e) => e.status === status)!;

/** The body nginx sends; single-quoted in the config, so it must hold no `'` and no `$`. */
export function errorJson(e: LbError): string {
  return JSON.stringify(errorBody(e.code, e.message));
}

function returnBody(status: number, e: LbError): string {
  return `return ${status} '${errorJson(e)}';`;
}

/** `error_page` lines for the server block. */
export function errorPageDirectives(): Block {
  return [
    comment('nginx-made errors become JSON; a URI keeps the status (a 494 is sent as 400).'),
    ...LB_ERRORS.filter((e) => e.status !== 502).map(
      (e) => `error_page ${e.status} ${ERRORS_PREFIX}${e.status};`,
    ),
    comment('`=`: the page picks the status, so "no instance reachable" can answer 503 instead of 502.'),
    `error_page 502 = ${ERRORS_PREFIX}502;`,
  ];
}

/**
 * Tells "nothing could be reached" from "an instance broke mid-answer": the connect time of the
 * last upstream tried is `-` when it could not even be connected (or every server was marked down).
 */
export function gatewayErrorMap(): Block {
  return ['map $upstream_connect_time $lb_unreachable {', ['default 0;', '"~(^|\\s)-$" 1;'], '}'];
}

const commonHeaders: Block = [
  'internal;',
  'default_type "application/json; charset=utf-8";',
  'add_header X-Served-By load-balancer always;',
  'add_header Cache-Control no-store always;',
];

function answer(e: LbError): Block {
  if (e.status === 502) {
    return [
      // `if` holding only `return` is the safe use of `if` inside a location.
      `if ($lb_unreachable) { ${returnBody(503, byStatus(503))} }`,
      returnBody(502, e),
    ];
  }
  return [returnBody(e.status === 494 ? 400 : e.status, e)];
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
