/**
 * An app image's file system without Docker: the manifests the Dockerfile copies, the `app` target's
 * own `npm ci` command with APP set, and the bundle the build stage makes, copied where the `app`
 * target puts it, laid out in a temp dir as in /app.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { type AppName, BUNDLE_PATH, main } from '../../src/index.ts';
import { REPO_ROOT } from '../../src/repo-root.ts';
import { argsOf, expandArgs, readDockerfile, runCommand, stage } from './dockerfile.ts';
import { memoryIo } from './memory-io.ts';

export type Cleanup = (fn: () => Promise<void> | void) => void;

export interface ImageRoot {
  dir: string;
  /** Where the bundle is in `dir`: the fixed path the `app` target copies it to. */
  bundleFile: string;
  /** The `app` target's CMD, for example ['node', 'dist/main.mjs']. */
  cmd: string[];
  /** The `app` target's ENV. */
  env: Record<string, string>;
  /** What `deploy bundle` printed. */
  bundleOutput: string;
}

export async function buildImageRoot(app: AppName, cleanup: Cleanup): Promise<ImageRoot> {
  const dir = await mkdtemp(join(tmpdir(), `statelab-image-${app}-`));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const dockerfile = readDockerfile();
  const args = { APP: app };

  for (const copy of argsOf(stage(dockerfile, 'manifests'), 'COPY')) {
    const parts = copy.split(/\s+/);
    const dest = parts.pop()!;
    for (const src of parts) await cp(join(REPO_ROOT, src), join(dir, dest, basename(src)));
  }

  const runtime = stage(dockerfile, 'app');
  const install = argsOf(runtime, 'RUN')
    .map(runCommand)
    .find((r) => r.startsWith('npm ci '));
  if (!install) throw new Error('the app target runs no npm ci');
  const [command, ...installArgs] = expandArgs(install, args).split(/\s+/);
  // The registry is only asked for what npm's cache (filled by the repo's own npm ci) lacks.
  await promisify(execFile)(command!, [...installArgs, '--prefer-offline'], {
    cwd: dir,
    timeout: 180_000,
  });

  // The bundle goes where the build stage's `deploy bundle <app>` leaves it, then where COPY puts it.
  const bundleCopy = argsOf(runtime, 'COPY').find((c) => c.startsWith('--from=build '));
  const [, from, to] = expandArgs(bundleCopy ?? '', args).split(/\s+/);
  if (from !== `/app/${app}/${BUNDLE_PATH}` || !to)
    throw new Error(`the app target copies no bundle from /app/${app}/${BUNDLE_PATH}: ${bundleCopy}`);
  const bundleFile = join(dir, to);
  const io = memoryIo();
  const code = await main(['bundle', app, bundleFile], io);
  if (code !== 0) throw new Error(`deploy bundle ${app} failed: ${io.stderrText()}`);

  const env = Object.fromEntries(argsOf(runtime, 'ENV').map((e) => e.split('=', 2) as [string, string]));
  return {
    dir,
    bundleFile,
    cmd: JSON.parse(argsOf(runtime, 'CMD').at(-1)!) as string[],
    env,
    bundleOutput: io.stdoutText(),
  };
}
