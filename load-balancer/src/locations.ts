/**
 * The server block's proxying: defaults every proxied location inherits, one location per variant
 * (prefix stripped, cookies scoped, a retry policy that fits where its state lives), /lab/ and the UI.
 */
import { cartTravelsWithClient, IDEMPOTENCY_KEY_HEADER, type VariantSpec } from '@statelab/cart-core';
import { type Block, comment, escapeRegex, hostPort } from './nginx-text.ts';

/** A location that sets one `proxy_set_header` inherits none: each such location lists them all. */
function proxyHeaders(host: '$host' | '$http_host'): Block {
  return [
    'proxy_set_header Connection "";',
    `proxy_set_header Host ${host};`,
    'proxy_set_header X-Request-Id $client_request_id;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
  ];
}

/** Shared by every proxied location (a location that sets none inherits all of these). */
export const PROXY_DEFAULTS: Block = [
  comment('HTTP/1.1 with an empty Connection header, or upstream keepalive never happens.'),
  'proxy_http_version 1.1;',
  ...proxyHeaders('$host'),
  comment('a dead instance is noticed in 1 s, not the default 60 s.'),
  'proxy_connect_timeout 1s;',
  'proxy_send_timeout 10s;',
  'proxy_read_timeout 10s;',
  comment('retries stop after 5 s in all, so a client is never held for a whole tour of dead instances.'),
  'proxy_next_upstream_timeout 5s;',
];

/** Where a keyed write to `prefix` is sent instead (internal: no client can ask for it). */
export const keyedPrefix = (prefix: string): string => `/_keyed${prefix}`;

function proxied(prefix: string, matched: string, target: string, retry: Block): Block {
  const bare = matched.replace(/\/$/, '');
  return [
    comment(`the app sees /api/..., not ${matched}api/...; (?s) keeps encoded newlines inside the match.`),
    `rewrite "(?s)^${escapeRegex(bare)}(/.*)$" $1 break;`,
    `proxy_pass http://${target};`,
    comment("apps set Path=/; scope each variant's cookies to its prefix so they never cross variants."),
    `proxy_cookie_path / ${prefix};`,
    ...retry,
  ];
}

/**
 * The variant's location. With a `keyed` retry policy, requests that carry an Idempotency-Key go to
 * a twin location with that policy: `proxy_next_upstream` cannot depend on a header, and
 * `rewrite ... last` is one of the two things nginx documents as safe inside `if` in a location.
 */
export function variantLocation(prefix: string, target: string, policy: RetryPolicy): Block {
  const bare = prefix.replace(/\/$/, '');
  const keyed = policy.keyed;
  const twin = keyedPrefix(prefix);
  return [
    `location ${prefix} {`,
    [
      ...(keyed
        ? [
            comment('a write with an Idempotency-Key may be replayed on another instance (below).'),
            `if ($http_${IDEMPOTENCY_KEY_HEADER.replaceAll('-', '_')}) {`,
            [`rewrite "(?s)^${escapeRegex(bare)}(/.*)$" ${twin.replace(/\/$/, '')}$1 last;`],
            '}',
          ]
        : []),
      ...proxied(prefix, prefix, target, policy.plain),
    ],
    '}',
    ...(keyed ? [`location ${twin} {`, ['internal;', ...proxied(prefix, twin, target, keyed)], '}'] : []),
  ];
}

export interface RetryPolicy {
  plain: Block;
  /** For requests with an Idempotency-Key, when they may be retried where plain ones may not. */
  keyed?: Block;
}

export function retryPolicy(spec: VariantSpec): RetryPolicy {
  if (cartTravelsWithClient(spec.variant)) {
    return {
      plain: [
        comment('the state is in the token: a replayed POST with the same token yields the same cart,'),
        comment('so even a request already sent may be retried on another instance.'),
        'proxy_next_upstream error timeout non_idempotent;',
      ],
    };
  }
  return {
    plain: [
      comment('never non_idempotent here: the cart is server-side, a replayed POST could add twice.'),
      comment('A refused connect is still retried for every method: nothing was sent yet.'),
      'proxy_next_upstream error timeout;',
    ],
    keyed: [
      comment('a keyed write is stored with its receipt (one Redis SET, or the session), so a replay'),
      comment('after a broken connection is answered from the receipt, never applied twice. For the'),
      comment('in-memory sessions it lands on a fallback that lacks the session: a lost cart, not an error.'),
      'proxy_next_upstream error timeout non_idempotent;',
    ],
  };
}

export function labLocation(controlApi: { host: string; port: number }): Block {
  return [
    `location /lab/ {`,
    [
      comment('the control API kills processes: loopback peers only (403 JSON for anyone else).'),
      'allow 127.0.0.0/8;',
      'allow ::1;',
      'deny all;',
      comment('path kept as is: the control API answers /lab/api/... on its own port too.'),
      `proxy_pass http://${hostPort(controlApi.host, controlApi.port)};`,
      comment("the client's Host with its port: the control API refuses any other (DNS rebinding)."),
      ...proxyHeaders('$http_host'),
      comment('start and restart answer once the instance is ready, which takes seconds; never replay them.'),
      'proxy_read_timeout 120s;',
      'proxy_next_upstream off;',
    ],
    '}',
  ];
}

/**
 * The page's answers: scripts and styles from its own origin only (no inline code or style, no
 * framing, so no page can make a user press Kill), no MIME sniffing, no Referer to anyone.
 */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy':
    "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
});

export function uiLocation(uiRoot: string | undefined): Block {
  if (uiRoot === undefined) {
    return [
      comment("no UI folder given: `/` is the JSON 404, not nginx's own page."),
      'location / {',
      ['return 404;'],
      '}',
    ];
  }
  return [
    'location / {',
    [
      `root ${uiRoot};`,
      'index index.html;',
      'autoindex off;',
      comment('anything that is not a UI file is a JSON 404, not a directory listing or the page.'),
      'try_files $uri $uri/ =404;',
      ...Object.entries(UI_SECURITY_HEADERS).map(([name, value]) => `add_header ${name} "${value}" always;`),
    ],
    '}',
  ];
}
