/** Where nginx is, and how the lab runs it in the foreground with everything under one prefix. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PATH first, then /usr/sbin/nginx (Debian installs it there, outside a normal user's PATH). */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...dirs.map((dir) => join(dir, 'nginx')), '/usr/sbin/nginx'].find(executable);
}

/**
 * `-e stderr`: the error log nginx opens before it reads the config is compiled in (often
 * /var/log/nginx, unwritable for a normal user); stderr works everywhere.
 */
export function nginxCommand(confPath: string, prefixDir: string): { command: string; args: string[] } {
  return { command: findNginx() ?? 'nginx', args: ['-p', prefixDir, '-e', 'stderr', '-c', confPath] };
}
