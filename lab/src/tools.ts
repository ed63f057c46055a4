/**
 * Finding nginx and redis-server: PATH first, then the sbin folders Debian keeps them in (often
 * missing from a non-root PATH). `STATELAB_SBIN_DIRS` replaces those folders (empty: PATH only).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const DEFAULT_SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin'];
export const INSTALL_HINT = 'apt-get install nginx redis-server';

function sbinDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs =
    env.STATELAB_SBIN_DIRS === undefined ? DEFAULT_SBIN_DIRS : env.STATELAB_SBIN_DIRS.split(delimiter);
  return dirs.filter((dir) => dir !== '');
}

function searchDirs(env: NodeJS.ProcessEnv): string[] {
  return [...(env.PATH ?? '').split(delimiter), ...sbinDirs(env)].filter((dir) => dir !== '');
}

export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of searchDirs(env)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next folder.
    }
  }
  return undefined;
}

export interface Tools {
  nginx: string;
  redisServer?: string;
}

/** The tools a run needs, or one line saying which are missing and how to install them. */
export function findTools(
  env: NodeJS.ProcessEnv,
  needRedis: boolean,
): { tools: Tools } | { missing: string } {
  const nginx = findExecutable('nginx', env);
  const redisServer = needRedis ? findExecutable('redis-server', env) : undefined;
  const missing = [
    nginx ? undefined : 'nginx',
    needRedis && !redisServer ? 'redis-server' : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0 || !nginx) {
    const where = ['PATH', ...sbinDirs(env)].join(', ');
    return {
      missing: `statelab lab needs ${missing.join(' and ')} (looked in ${where}); install with: ${INSTALL_HINT}`,
    };
  }
  return { tools: redisServer ? { nginx, redisServer } : { nginx } };
}
