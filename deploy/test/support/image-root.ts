/**
 * An app image's file system without Docker: the manifests its Dockerfile copies, its final stage's
 * own `npm ci` command, and the bundle the build stage makes, laid out in a temp dir as in /app.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { type AppName, BUNDLE_PATH, main } from '../../src/index.ts';
import { REPO_ROOT } from '../../src/repo-root.ts';
import { argsOf, readDockerfile, runCommand, stage } from './dockerfile.ts';
import { memoryIo } from './memory-io.ts';

export type Cleanup = (fn: () => Promise<void> | void) => void;

export interface ImageRoot {
  dir: string;
  /** The final stage's CMD, for example ['node', 'stateless-app/dist/main.mjs']. */
  cmd: string[];
  /** The final stage's ENV. */
  env: Record<string, string>;
  /** What `deploy bundle` printed. */
  bundleOutput: string;
}

export async function buildImageRoot(app: AppName, cleanup: Cleanup): Promise<ImageRoot> {
  const dir = await mkdtemp(join(tmpdir(), `statelab-image-${app}-`));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const dockerfile = readDockerfile(`${app}/Dockerfile`);

  for (const copy of argsOf(stage(dockerfile, 'manifests'), 'COPY')) {
    const parts = copy.split(/\s+/);
    const dest = parts.pop()!;
    for (const src of parts) await cp(join(REPO_ROOT, src), join(dir, dest, basename(src)));
  }

  const runtime = dockerfile.stages.at(-1)!;
  const [command, ...args] = runCommand(argsOf(runtime, 'RUN')[0]!).split(/\s+/);
  // The registry is only asked for what npm's cache (filled by the repo's own npm ci) lacks.
  await promisify(execFile)(command!, [...args, '--prefer-offline'], { cwd: dir, timeout: 180_000 });

  const io = memoryIo();
  const code = await main(['bundle', app, join(dir, app, BUNDLE_PATH)], io);
  if (code !== 0) throw new Error(`deploy bundle ${app} failed: ${io.stderrText()}`);

  const env = Object.fromEntries(argsOf(runtime, 'ENV').map((e) => e.split('=', 2) as [string, string]));
  return {
    dir,
    cmd: JSON.parse(argsOf(runtime, 'CMD').at(-1)!) as string[],
    env,
    bundleOutput: io.stdoutText(),
  };
}
