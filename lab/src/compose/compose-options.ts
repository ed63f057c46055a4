/** Options of a compose lab (`npm run lab -- --runtime compose`, `connectLab()`): defaults, then checks. */
import { ConfigError } from '@statelab/cart-core/http';
import { isLoopbackAddress } from '../control/loopback.ts';

export const COMPOSE_DEFAULTS = Object.freeze({
  /** The front; 8080 is taken by compose's own load balancer. */
  port: 8081,
  /** Where docker-compose.yml publishes the load balancer. */
  target: 'http://127.0.0.1:8080',
});

export interface ComposeLabConfig {
  readonly port: number;
  /** The load balancer's origin, `http://127.0.0.1:8080`, without a trailing slash. */
  readonly target: string;
  /** A built cart UI folder the front serves at `/`. */
  readonly uiRoot?: string;
}

/**
 * The load balancer's origin. Loopback only: compose publishes it there, and the front's kill
 * buttons drive the `docker compose` project on this host, which must be the one it serves.
 */
export function parseTarget(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError([`--target must be a URL such as ${COMPOSE_DEFAULTS.target}, got "${value}"`]);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const problems = [
    url.protocol === 'http:' ? undefined : `--target must be http://, got "${value}"`,
    host === 'localhost' || isLoopbackAddress(host)
      ? undefined
      : `--target must be on loopback (127.0.0.1, ::1 or localhost), got "${value}"`,
    (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash
      ? undefined
      : `--target is an origin without a path, got "${value}"`,
  ].filter((p) => p !== undefined);
  if (problems.length > 0) throw new ConfigError(problems);
  return url.origin;
}
