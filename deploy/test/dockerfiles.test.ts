/**
 * The three Dockerfiles and .dockerignore, read as instructions: pinned bases, multi-stage builds,
 * `npm ci`, a non-root user, no secret in any layer, and the paths the other files rely on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONTAINER_APP_PORT } from '@statelab/cart-core';
import { APPS, BUNDLE_PATH, IMAGE_UI_ROOT } from '../src/index.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { argsOf, type Dockerfile, readDockerfile, runCommand, stage } from './support/dockerfile.ts';

const ROOT_MANIFEST = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  workspaces: string[];
};
const PINNED = /^[a-z0-9./-]+:\d+\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/;
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_?KEY/i;

const FILES: ReadonlyArray<{ path: string; app?: (typeof APPS)[number] }> = [
  ...APPS.map((app) => ({ path: `${app}/Dockerfile`, app })),
  { path: 'load-balancer/Dockerfile' },
];

function version(image: string): number[] {
  return (/:(\d+)\.(\d+)\.(\d+)/.exec(image) ?? []).slice(1).map(Number);
}

function atLeast(actual: number[], wanted: number[]): boolean {
  for (let i = 0; i < wanted.length; i++) {
    if (actual[i]! !== wanted[i]!) return actual[i]! > wanted[i]!;
  }
  return true;
}

function everyInstruction(file: Dockerfile) {
  return file.stages.flatMap((s) => s.instructions);
}

for (const { path, app } of FILES) {
  describe(path, () => {
    const file = readDockerfile(path);
    const final = file.stages.at(-1)!;
    const names = file.stages.map((s) => s.name);

    it('builds in stages, each from a pinned base (an exact version, never latest)', () => {
      assert.ok(file.stages.length >= 3, 'manifests, build and runtime stages');
      for (const s of file.stages) assert.match(s.base, PINNED, `${s.name}: ${s.base}`);
      const node = file.stages.filter((s) => s.base.startsWith('node:'));
      assert.ok(node.length >= 2);
      for (const s of node) {
        assert.match(
          s.base,
          /^node:20\.\d+\.\d+-(bookworm-slim|slim|alpine\d*(\.\d+)?)$/,
          'Node 20, slim or alpine',
        );
      }
    });

    it('copies the lockfile and every workspace manifest before the sources, so installs are cached', () => {
      const copies = argsOf(stage(file, 'manifests'), 'COPY');
      assert.deepEqual(copies[0], 'package.json package-lock.json ./');
      const manifests = copies.slice(1).map((c) => c.split(/\s+/)[0]);
      assert.deepEqual(
        manifests,
        ROOT_MANIFEST.workspaces.map((w) => `${w}/package.json`),
      );
    });

    it('installs with `npm ci` from the lockfile, never `npm install`', () => {
      const runs = everyInstruction(file)
        .filter((i) => i.keyword === 'RUN')
        .map((i) => runCommand(i.args));
      assert.ok(
        runs.some((r) => r.startsWith('npm ci ')),
        runs.join('\n'),
      );
      assert.ok(!runs.some((r) => /\bnpm (install|i)\b/.test(r)), runs.join('\n'));
      assert.ok(
        argsOf(stage(file, 'build'), 'RUN').some((r) => runCommand(r).startsWith('npm ci --no-audit')),
      );
    });

    it('bakes in no secret: no secret-named ARG, ENV or LABEL, no .env copied', () => {
      for (const i of everyInstruction(file)) {
        if (['ARG', 'ENV', 'LABEL'].includes(i.keyword))
          assert.doesNotMatch(i.args, SECRET_NAME, `${i.keyword} ${i.args}`);
        if (['COPY', 'ADD'].includes(i.keyword))
          assert.doesNotMatch(i.args, /\.env\b/, `${i.keyword} ${i.args}`);
      }
      for (const name of Object.keys(file.globalArgs)) assert.doesNotMatch(name, SECRET_NAME);
    });

    it('the image that runs holds only built output: its stage copies from the build stage, never the sources', () => {
      assert.equal(final.name, 'runtime');
      const copies = argsOf(final, 'COPY');
      assert.ok(copies.length > 0);
      for (const c of copies) assert.match(c, /^--from=(build|manifests) /, c);
      assert.ok(names.includes('build'));
    });

    it('runs as a non-root user', () => {
      const user = argsOf(final, 'USER').at(-1);
      assert.ok(user, 'a USER in the final stage');
      assert.doesNotMatch(user, /^(root|0)(:|$)/);
    });

    if (app) {
      it(`bundles ${app} in the build stage and runs the bundle with Node directly (not npm)`, () => {
        assert.ok(
          argsOf(stage(file, 'build'), 'RUN').includes(`node --import tsx deploy/src/main.ts bundle ${app}`),
        );
        assert.deepEqual(argsOf(final, 'COPY'), [
          '--from=manifests /app ./',
          `--from=build /app/${app}/${BUNDLE_PATH} ${app}/${BUNDLE_PATH}`,
        ]);
        assert.deepEqual(JSON.parse(argsOf(final, 'CMD').at(-1)!), ['node', `${app}/${BUNDLE_PATH}`]);
        assert.equal(argsOf(final, 'USER').at(-1), 'node');
        assert.deepEqual(argsOf(final, 'EXPOSE'), [String(CONTAINER_APP_PORT)]);
      });

      it(`installs only ${app}'s production dependencies in the final stage`, () => {
        const install = argsOf(final, 'RUN').map(runCommand);
        assert.deepEqual(install, [
          `npm ci --omit=dev --workspace @statelab/${app} --include-workspace-root=false --ignore-scripts --no-audit --no-fund`,
        ]);
        assert.ok(argsOf(final, 'ENV').includes('NODE_ENV=production'));
      });
    } else {
      it('renders the compose nginx config and builds the UI with the same code as native mode', () => {
        assert.equal(
          argsOf(stage(file, 'build'), 'RUN').at(-1),
          'node --import tsx deploy/src/main.ts nginx-conf /out/nginx.conf && node --import tsx deploy/src/main.ts ui /out/ui',
        );
      });

      it(`serves them from an nginx image that supports upstream \`resolve\` (>= 1.27.3), as the nginx user`, () => {
        assert.match(final.base, /^nginx:\d+\.\d+\.\d+-alpine$/);
        assert.ok(atLeast(version(final.base), [1, 27, 3]), final.base);
        assert.deepEqual(argsOf(final, 'COPY'), [
          '--from=build /out/nginx.conf /etc/nginx/nginx.conf',
          `--from=build /out/ui ${IMAGE_UI_ROOT}`,
        ]);
        assert.equal(argsOf(final, 'USER').at(-1), 'nginx');
        const cmd = JSON.parse(argsOf(final, 'CMD').at(-1)!) as string[];
        assert.deepEqual(cmd.slice(0, 3), ['nginx', '-e', 'stderr']);
        assert.match(cmd.join(' '), /daemon off;/);
      });
    }
  });
}

describe('.dockerignore', () => {
  const lines = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps secrets, installed dependencies, build output and git history out of the build context', () => {
    for (const entry of ['.env', '.env.*', '**/node_modules', '**/dist', '.git', 'bench-results']) {
      assert.ok(lines.includes(entry), `${entry} is ignored`);
    }
    assert.ok(lines.includes('!.env.example'), 'the example may go in: it holds no secret');
  });
});
