/**
 * What nginx is told: the public model (fixed interface) and its up-front validation, so a bad
 * model fails with every problem in one message instead of as an nginx syntax error later.
 */
import { isVariant, type Variant } from '@statelab/cart-core';

/** An instance nginx reaches over TCP, or over the Unix socket it listens on (`SOCKET_PATH`). */
export type UpstreamServer = TcpUpstreamServer | SocketUpstreamServer;

export interface TcpUpstreamServer {
  /** Instance id, for example `stateful-2`; sticky routing maps session cookies onto it. */
  id: string;
  host: string;
  port: number;
  socket?: undefined;
}

export interface SocketUpstreamServer {
  id: string;
  /** Absolute path: `server unix:<socket>`. The instance unlinks it to leave the rotation. */
  socket: string;
  host?: undefined;
  port?: undefined;
}

export interface NginxModel {
  mode: 'native' | 'compose';
  /** native: 127.0.0.1:<port>; compose: 0.0.0.0:80 */
  listen: { host: string; port: number };
  /** native: the `nginx -p` directory (pid, logs, temp paths). */
  prefixDir?: string;
  /** native, when the master runs as root: the user its workers run as (the lab's own). */
  user?: string;
  /** Routing, prefix and cookie come from TOPOLOGY. */
  variants: Array<{ variant: Variant; servers: UpstreamServer[] }>;
  /** Bare express ceiling for the bench, round-robin at /baseline/. */
  baseline?: { servers: UpstreamServer[] };
  /** Folder served at `/`; without one, `/` is a JSON 404 (a lab started for the bench). */
  uiRoot?: string;
  /** `/lab/` is proxied here (loopback peers only). */
  controlApi?: { host: string; port: number };
  /** compose only: Docker's DNS (127.0.0.11). */
  resolver?: string;
}

export class NginxModelError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid nginx model: ${problems.join('; ')}`);
    this.name = 'NginxModelError';
    this.problems = problems;
  }
}

const ID = /^[a-z0-9-]{1,64}$/;
// Hosts and paths are pasted into nginx directives: refuse anything that could end or open one.
const HOST = /^[A-Za-z0-9.:_-]+$/;
const PATH_UNSAFE = /[\s;{}"'$\\]/;
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;
/** sun_path is 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

function isSafePath(path: string): boolean {
  return path.startsWith('/') && !PATH_UNSAFE.test(path);
}

function checkEndpoint(where: string, e: { host: string; port: number }, problems: string[]): void {
  if (!HOST.test(e.host)) problems.push(`${where}.host "${e.host}" is not a plain host name or address`);
  if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535)
    problems.push(`${where}.port must be 1-65535`);
}

function checkServers(where: string, servers: readonly UpstreamServer[], problems: string[]): void {
  if (servers.length === 0) problems.push(`${where} needs at least one server`);
  const seen = new Set<string>();
  servers.forEach((s, i) => {
    if (!ID.test(s.id))
      problems.push(`${where}[${i}].id "${s.id}" must be lowercase letters, digits and dashes`);
    if (seen.has(s.id)) problems.push(`${where}[${i}].id "${s.id}" is listed twice`);
    seen.add(s.id);
    if (s.socket === undefined) checkEndpoint(`${where}[${i}]`, s, problems);
    else if (!isSafePath(s.socket) || Buffer.byteLength(s.socket) > MAX_SOCKET_PATH_BYTES)
      problems.push(
        `${where}[${i}].socket must be an absolute path of at most ${MAX_SOCKET_PATH_BYTES} bytes without spaces, quotes, ; { } $ or \\`,
      );
  });
}

export function validateModel(model: NginxModel): void {
  const problems: string[] = [];
  if (model.mode !== 'native' && model.mode !== 'compose') problems.push('mode must be native or compose');
  checkEndpoint('listen', model.listen, problems);
  if (model.variants.length === 0) problems.push('variants must name at least one variant');
  const variants = new Set<string>();
  for (const { variant, servers } of model.variants) {
    if (!isVariant(variant)) problems.push(`unknown variant "${variant}"`);
    if (variants.has(variant)) problems.push(`variant "${variant}" is listed twice`);
    variants.add(variant);
    checkServers(`variants.${variant}.servers`, servers, problems);
  }
  if (model.baseline) checkServers('baseline.servers', model.baseline.servers, problems);
  if (model.controlApi) checkEndpoint('controlApi', model.controlApi, problems);
  if (model.uiRoot !== undefined && !isSafePath(model.uiRoot)) {
    problems.push('uiRoot must be an absolute path without spaces, quotes, ; { } $ or \\');
  }
  if (model.prefixDir !== undefined && !isSafePath(model.prefixDir)) {
    problems.push('prefixDir must be an absolute path without spaces, quotes, ; { } $ or \\');
  }
  if (model.user !== undefined && !USER.test(model.user)) problems.push('user must be a plain user name');
  if (model.resolver !== undefined && !HOST.test(model.resolver))
    problems.push('resolver must be an address');
  if (problems.length > 0) throw new NginxModelError(problems);
}
