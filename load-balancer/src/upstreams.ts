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

/** `sticky`: a server of a sticky variant, never marked down (see the preamble). */
function serverLine(
  server: UpstreamServer,
  options: UpstreamOptions,
  backup: boolean,
  sticky: boolean,
): string {
  const marks = sticky ? ['max_fails=0'] : ['max_fails=1', 'fail_timeout=5s'];
  const flags = [...marks, ...(backup ? ['backup'] : []), ...(options.resolve ? ['resolve'] : [])];
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
    comment('  max_fails=1 fail_timeout=5s: one refused connect sidelines an instance for 5 s, then it is'),
    comment('    tried again, so a restarted instance gets traffic back well within 15 s.'),
    comment('  max_fails=0 for sticky variants: their backups are tried only when a home is down, exactly'),
    comment(
      '    when marks left by earlier restarts are likely: in a rolling restart every server of a group',
    ),
    comment('    was marked and it answered 503 no_instance although one was back. A refused loopback'),
    comment('    connect costs nothing, so nothing is marked there.'),
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
