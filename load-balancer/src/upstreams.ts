/**
 * Upstream groups and the sticky map. Round-robin pools for every variant; for `sticky` variants
 * also one group per instance (its home) with the other instances as `backup`, chosen by the
 * instance named inside the session cookie (Tomcat's jvmRoute, no hashing).
 */
import { SESSION_ROUTE_PATTERN, type VariantSpec } from '@statelab/cart-core';
import type { UpstreamServer } from './model.ts';
import { type Block, comment, hostPort, slug } from './nginx-text.ts';

export interface UpstreamOptions {
  /** compose with Docker's DNS: re-resolve service names at run time (nginx >= 1.27.3). */
  resolve: boolean;
  /** Which kinds of servers the model has, so the preamble explains only the marks in use. */
  tcp: boolean;
  unix: boolean;
}

/** Idle connections nginx keeps open to each group, per worker. */
const KEEPALIVE_CONNECTIONS = 32;

export const poolName = (name: string): string => `${slug(name)}_pool`;
export const homeName = (variant: string, n: number): string => `${slug(variant)}_home_${n}`;
export const upstreamVariable = (variant: string): string => `$${slug(variant)}_upstream`;

/** Failure marks by kind of server (see the preamble); sticky variants' servers are never marked. */
function marks(server: UpstreamServer, sticky: boolean): string[] {
  if (sticky) return ['max_fails=0'];
  return ['max_fails=1', server.socket === undefined ? 'fail_timeout=5s' : 'fail_timeout=1s'];
}

function serverLine(
  server: UpstreamServer,
  options: UpstreamOptions,
  backup: boolean,
  sticky: boolean,
): string {
  if (server.socket !== undefined) {
    // A path needs no name resolution: `resolve` applies to host names only.
    const flags = [...marks(server, sticky), ...(backup ? ['backup'] : [])];
    return `server unix:${server.socket} ${flags.join(' ')}; # ${server.id}`;
  }
  const flags = [
    ...marks(server, sticky),
    ...(backup ? ['backup'] : []),
    ...(options.resolve ? ['resolve'] : []),
  ];
  return `server ${hostPort(server.host, server.port)} ${flags.join(' ')}; # ${server.id}`;
}

function upstream(name: string, lines: string[]): Block {
  return [
    `upstream ${name} {`,
    [`zone ${name} 64k;`, ...lines, `keepalive ${KEEPALIVE_CONNECTIONS};`, 'keepalive_timeout 4s;'],
    '}',
  ];
}

/** Said once above all groups rather than repeated in each. */
export function upstreamPreamble(options: UpstreamOptions): Block {
  return [
    comment('Every group below, and why:'),
    comment('  zone: failure marks and round-robin position are shared by all workers.'),
    ...(options.tcp
      ? [
          comment(
            '  max_fails=1 fail_timeout=5s (TCP): one refused connect sidelines an instance for 5 s, then',
          ),
          comment('    it is tried again, so a restarted instance gets traffic back well within 15 s.'),
        ]
      : []),
    ...(options.unix
      ? [
          comment(
            '  unix: a stopping instance unlinks its socket before it stops accepting, so a connect to it',
          ),
          comment(
            '    fails before the request is sent and nginx goes to the next server, a POST too. nginx logs',
          ),
          comment('    each such connect at [crit] (its fixed level for ENOENT), so a mark keeps them few:'),
          comment(
            '  max_fails=1 fail_timeout=1s (unix): one failed connect sidelines the instance for 1 s; a',
          ),
          comment('    restarted one publishes its socket once ready and is back within about a second.'),
        ]
      : []),
    comment('  max_fails=0 for sticky variants: their backups are tried only when a home is down, exactly'),
    comment(
      '    when marks left by earlier restarts are likely: in a rolling restart every server of a group',
    ),
    comment('    was marked and it answered 503 no_instance although one was back. A refused loopback'),
    comment('    connect, or one to a missing socket, costs nothing (a [crit] line for the socket), so'),
    comment('    nothing is marked there.'),
    comment("  keepalive_timeout 4s: below the apps' 10 s keep-alive and 5 s drain grace, so nginx always"),
    comment(
      "    closes an idle socket first and never reuses one the app is closing (a 502 nginx won't retry).",
    ),
    ...(options.resolve
      ? [
          comment(
            '  resolve: service names are re-resolved through Docker DNS when containers are recreated.',
          ),
        ]
      : []),
  ];
}

export function roundRobinPool(
  name: string,
  servers: readonly UpstreamServer[],
  options: UpstreamOptions,
  sticky = false,
): Block {
  return upstream(
    poolName(name),
    servers.map((s) => serverLine(s, options, false, sticky)),
  );
}

/** The per-instance home groups: primary first, the others as backups (used only when it is down). */
export function stickyHomes(
  variant: string,
  servers: readonly UpstreamServer[],
  options: UpstreamOptions,
): Block {
  return servers.flatMap((home, i) =>
    upstream(homeName(variant, i + 1), [
      serverLine(home, options, false, true),
      ...servers.filter((s) => s !== home).map((s) => serverLine(s, options, true, true)),
    ]),
  );
}

/**
 * Cookie -> route -> group. No cookie, no route or an unknown route goes to the round-robin pool,
 * so new sessions spread evenly; a session created on a backup names the backup, so it stays there.
 */
export function stickyMaps(spec: VariantSpec, servers: readonly UpstreamServer[]): Block {
  const route = `$${slug(spec.variant)}_route`;
  return [
    comment(`${spec.cookieName} = s%3A<random>.<instance>.<signature>; the route is <instance>.`),
    `map $cookie_${spec.cookieName} ${route} {`,
    ['default "";', `"~${SESSION_ROUTE_PATTERN}" $route;`],
    '}',
    `map ${route} ${upstreamVariable(spec.variant)} {`,
    [
      `default ${poolName(spec.variant)};`,
      ...servers.map((s, i) => `${s.id} ${homeName(spec.variant, i + 1)};`),
    ],
    '}',
  ];
}
