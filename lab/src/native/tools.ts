/**
 * The tools a native lab needs, found by the toolkit's one executable finder (PATH, then the
 * sbin folders Debian keeps nginx and redis-server in).
 */
import { findExecutable, sbinDirs } from '@statelab/processes';

export const INSTALL_HINT = 'apt-get install nginx redis-server';

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
