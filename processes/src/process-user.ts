import { userInfo } from 'node:os';

/**
 * The user a child that drops privileges should run as (nginx's workers): ours when we are root,
 * since they would otherwise become `nobody`, who cannot read our 0700 temp dirs; else none.
 */
export function workerUser(): string | undefined {
  return process.getuid?.() === 0 ? userInfo().username : undefined;
}
