/**
 * Finding the tools statelab runs (nginx, redis-server, wrk, docker) with `which`, npm's own
 * PATH search: PATH first, then the sbin folders Debian keeps nginx and redis-server in (often
 * missing from a non-root PATH). `STATELAB_SBIN_DIRS` replaces those folders (empty: PATH only).
 */
import { delimiter } from 'node:path';
import which from 'which';

export const DEFAULT_SBIN_DIRS: readonly string[] = Object.freeze(['/usr/local/sbin', '/usr/sbin']);

export function sbinDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs =
    env.STATELAB_SBIN_DIRS === undefined ? DEFAULT_SBIN_DIRS : env.STATELAB_SBIN_DIRS.split(delimiter);
  return dirs.filter((dir) => dir !== '');
}

/** The executable's full path, or undefined when it is in none of the folders. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = [...(env.PATH ?? '').split(delimiter), ...sbinDirs(env)].filter((dir) => dir !== '');
  if (path.length === 0) return undefined;
  return which.sync(name, { path: path.join(delimiter), nothrow: true }) ?? undefined;
}
