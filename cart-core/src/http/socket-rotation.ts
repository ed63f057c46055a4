/**
 * A Unix socket that joins and leaves nginx's rotation by its path. The server binds a private
 * name, `<path>.<pid>`, and is published by renaming that onto `<path>`: atomic, so a restarted
 * instance replaces a stale path (a killed one's) in one step. It leaves by unlinking `<path>`:
 * nginx's connect() to a missing path fails before a byte is sent, so nginx tries the next server
 * even for a POST, while the listener itself stays open for whoever connected just before.
 *
 * libuv unlinks the name it bound when the listener closes; after the rename nobody holds that name
 * any more, so an exiting process never removes a path that a newer one has published. Leaving
 * unlinks `<path>` only while it is still this listener's inode, for the same reason.
 */
import type { Stats } from 'node:fs';
import { lstat, rename, rm, stat, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';

export interface RotationSocket {
  /** Renames the private name onto the public path: from now on nginx connects here. */
  publish(): Promise<void>;
  /** Unlinks the public path if it is still ours; true when it was. */
  withdraw(): Promise<boolean>;
}

const sameFile = (a: Stats, b: Stats) => a.ino === b.ino && a.dev === b.dev;

/** Listens on the private name of `path`, readable and writable by all (nginx's workers may be another user). */
export async function listenForRotation(server: Server, path: string): Promise<RotationSocket> {
  const privatePath = `${path}.${process.pid}`;
  // Only a dead process with our pid left this (a container's pid is the same at every start).
  await rm(privatePath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: privatePath, readableAll: true, writableAll: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const own = await stat(privatePath);
  let published = false;
  return {
    async publish() {
      await rename(privatePath, path);
      published = true;
    },
    async withdraw() {
      if (!published) return false;
      const current = await lstat(path).catch(() => undefined);
      if (!current || !sameFile(current, own)) return false;
      await unlink(path).catch(() => undefined);
      return true;
    },
  };
}
