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
}

/** Idle connections nginx keeps open to each group, per worker. */
const KEEPALIVE_CONNECTIONS = 32;

export const poolName = (name: string): string => `${slug(name)}_pool`;
export const homeName = (variant: string, n: number): string => `${slug(variant)}_home_${n}`;
export const upstreamVariable = (variant: string): string => `$${slug(variant)}_upstream`;

function serverLine(server: UpstreamServer, options: UpstreamOptions, backup: boolean): string {
  const flags = ['max_fails=0', ...(backup ? ['backup'] : []), ...(options.resolve ? ['resolve'] : [])];
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
    comment(
      '  max_fails=0: a refused connect on loopback costs nothing, so no instance is ever marked down;',
    ),
    comment('    marks (5 s) outlived restarts, and in a rolling restart a group whose every server was'),
    comment(
      '    marked answered 503 no_instance although one was back. A restarted instance is used at once.',
    ),
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
): Block {
  return upstream(
    poolName(name),
    servers.map((s) => serverLine(s, options, false)),
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
      serverLine(home, options, false),
      ...servers.filter((s) => s !== home).map((s) => serverLine(s, options, true)),
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
