/**
 * The one nginx configuration source, for native processes and for compose. Plain functions that
 * build the text; every non-obvious directive carries its why as a `#` comment in the output.
 */
import { BASELINE_PREFIX, DEFAULT_LIMITS, TOPOLOGY } from '@statelab/cart-core';
import { errorLocations, errorPageDirectives, gatewayErrorMap, requestIdMap } from './error-pages.ts';
import { labLocation, PROXY_DEFAULTS, retryPolicy, uiLocation, variantLocation } from './locations.ts';
import { type NginxModel, type UpstreamServer, validateModel } from './model.ts';
import { type Block, comment, hostPort, renderBlock } from './nginx-text.ts';
import {
  poolName,
  roundRobinPool,
  stickyHomes,
  stickyMaps,
  type UpstreamOptions,
  upstreamPreamble,
  upstreamVariable,
} from './upstreams.ts';

function mainContext(model: NginxModel): Block {
  if (model.mode === 'compose') {
    return [
      comment('compose: the official image runs `nginx -g "daemon off;"` and owns pid and temp paths.'),
      'worker_processes auto;',
      'error_log stderr warn;',
    ];
  }
  return [
    comment('native: the lab supervises nginx as a foreground child; every path lives in the -p prefix.'),
    'daemon off;',
    ...(model.user
      ? [
          comment(
            'master is root: workers would become `nobody`, who cannot read a 0700 prefix or UI folder.',
          ),
          `user ${model.user};`,
        ]
      : []),
    'worker_processes auto;',
    'pid nginx.pid;',
    'error_log error.log warn;',
    comment("also to stderr, so the lab can show nginx's last words when it fails to start."),
    'error_log stderr warn;',
  ];
}

/** Only the types the UI ships; no `include mime.types`, whose path differs between installs. */
const UI_TYPES: Block = [
  'types {',
  [
    'text/html html;',
    'text/css css;',
    'text/javascript js mjs;',
    'application/json json map;',
    'image/svg+xml svg;',
    'image/png png;',
    'image/x-icon ico;',
    'font/woff2 woff2;',
  ],
  '}',
  'default_type application/octet-stream;',
];

function httpBasics(model: NginxModel): Block {
  const temp: Block =
    model.mode === 'native'
      ? ['client_body_temp', 'proxy_temp', 'fastcgi_temp', 'uwsgi_temp', 'scgi_temp'].map(
          (dir) => `${dir}_path ${dir};`,
        )
      : [];
  return [
    ...UI_TYPES,
    comment('the bench counts requests itself; a log line per request costs CPU on 2 cores.'),
    'access_log off;',
    'server_tokens off;',
    ...(temp.length > 0 ? [comment('relative to the -p prefix, never /var/lib/nginx.'), ...temp] : []),
    comment("limits on purpose: the API's bodies are small; bodies stay in memory, never on disk."),
    `client_max_body_size ${DEFAULT_LIMITS.maxBodyBytes};`,
    `client_body_buffer_size ${DEFAULT_LIMITS.maxBodyBytes};`,
    comment(
      'request line + headers: 1k normally, at most 4 x 8k (a longer line is 414, a longer header 431).',
    ),
    'client_header_buffer_size 1k;',
    'large_client_header_buffers 4 8k;',
    comment('slow or stalled clients do not hold a connection for long.'),
    'client_header_timeout 10s;',
    'client_body_timeout 10s;',
    'send_timeout 10s;',
    'keepalive_timeout 30s;',
    comment('the default 1000 closes a busy client connection under the bench, and load generators'),
    comment('that pipeline a request onto it see a reset; a lab has few clients, so keep them open.'),
    'keepalive_requests 1000000;',
    ...(model.mode === 'compose' && model.resolver
      ? [
          comment("Docker's embedded DNS; short validity so recreated containers are found."),
          `resolver ${model.resolver} valid=5s ipv6=off;`,
        ]
      : []),
  ];
}

function server(model: NginxModel): Block {
  const locations: Block[] = model.variants.map(({ variant }) => {
    const spec = TOPOLOGY[variant];
    const target = spec.routing === 'sticky' ? upstreamVariable(variant) : poolName(variant);
    return variantLocation(spec.prefix, target, retryPolicy(spec));
  });
  if (model.baseline) {
    locations.push(
      variantLocation(BASELINE_PREFIX, poolName('baseline'), {
        plain: [
          comment('GET-only constant answers: a retry is harmless.'),
          'proxy_next_upstream error timeout;',
        ],
      }),
    );
  }
  return [
    'server {',
    [
      `listen ${hostPort(model.listen.host, model.listen.port)} default_server;`,
      'server_name _;',
      ...errorPageDirectives(),
      ...PROXY_DEFAULTS,
      ...locations.flat(),
      ...(model.controlApi ? labLocation(model.controlApi) : []),
      ...uiLocation(model.uiRoot),
      ...errorLocations(),
    ],
    '}',
  ];
}

function upstreams(model: NginxModel, options: UpstreamOptions): Block {
  const out: Block[] = [upstreamPreamble(options)];
  for (const { variant, servers } of model.variants) {
    const spec = TOPOLOGY[variant];
    out.push(roundRobinPool(variant, servers, options, spec.routing === 'sticky'));
    if (spec.routing === 'sticky') {
      out.push(stickyHomes(variant, servers, options), stickyMaps(spec, servers));
    }
  }
  if (model.baseline) out.push(roundRobinPool('baseline', model.baseline.servers, options));
  return out.flat();
}

export function renderNginxConfig(model: NginxModel): string {
  validateModel(model);
  const all = [...model.variants.flatMap((v) => v.servers), ...(model.baseline?.servers ?? [])];
  const options: UpstreamOptions = {
    resolve: model.mode === 'compose' && model.resolver !== undefined,
    tcp: all.some((s) => s.socket === undefined),
    unix: all.some((s) => s.socket !== undefined),
  };
  const idsOf = (servers: readonly UpstreamServer[]) => servers.map((s) => s.id).join(', ');
  const config: Block = [
    comment(`statelab load balancer (${model.mode}); rendered by @statelab/load-balancer, do not edit.`),
    ...model.variants.map(({ variant, servers }) =>
      comment(`${TOPOLOGY[variant].prefix} -> ${idsOf(servers)}`),
    ),
    ...mainContext(model),
    'events {',
    ['worker_connections 1024;'],
    '}',
    'http {',
    [
      ...httpBasics(model),
      ...gatewayErrorMap(),
      ...requestIdMap(),
      ...upstreams(model, options),
      ...server(model),
    ],
    '}',
  ];
  return renderBlock(config);
}
