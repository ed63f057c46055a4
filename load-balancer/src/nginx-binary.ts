/** Where nginx is, and how the lab runs it in the foreground with everything under one prefix. */
import { findExecutable } from '@statelab/processes';

/** PATH first, then the sbin folders (Debian installs nginx in /usr/sbin, outside a normal user's PATH). */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable('nginx', env);
}

/**
 * `-e stderr`: the error log nginx opens before it reads the config is compiled in (often
 * /var/log/nginx, unwritable for a normal user); stderr works everywhere.
 */
export function nginxCommand(confPath: string, prefixDir: string): { command: string; args: string[] } {
  return { command: findNginx() ?? 'nginx', args: ['-p', prefixDir, '-e', 'stderr', '-c', confPath] };
}
