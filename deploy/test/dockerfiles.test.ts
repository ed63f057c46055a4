/**
 * The root Dockerfile and .dockerignore, read as instructions: pinned bases, multi-stage builds,
 * `npm ci`, a non-root user, no secret in any layer, and the paths the other files rely on, for
 * each final target compose builds (`app` with APP=stateful-app and APP=stateless-app, and
 * `load-balancer`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONTAINER_APP_PORT } from '@statelab/cart-core';
import { APPS, BUNDLE_PATH, IMAGE_UI_ROOT } from '../src/index.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { readComposeFile } from './support/compose-file.ts';
import {
  argsOf,
  DOCKERFILE,
  dependencies,
  expandArgs,
  finalStages,
  readDockerfile,
  runCommand,
  type Stage,
  stage,
} from './support/dockerfile.ts';

const ROOT_MANIFEST = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  workspaces: string[];
};
const PINNED = /^[a-z0-9./-]+:\d+\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/;
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_?KEY/i;
const TARGETS = ['app', 'load-balancer'];

const file = readDockerfile();

interface ComposeBuild {
  context: string;
  target: string;
  dockerfile?: string;
  args?: Record<string, string>;
}

function version(image: string): number[] {
  return (/:(\d+)\.(\d+)\.(\d+)/.exec(image) ?? []).slice(1).map(Number);
}

function atLeast(actual: number[], wanted: number[]): boolean {
  for (let i = 0; i < wanted.length; i++) {
    if (actual[i]! !== wanted[i]!) return actual[i]! > wanted[i]!;
  }
  return true;
}

/** A target's own stage and every stage it builds on: what goes into that image's build. */
function stagesOf(target: string): Stage[] {
  const used = dependencies(file, target);
  return file.stages.filter((s) => s.name === target || (s.name && used.has(s.name)));
}

function runs(stages: Stage[]): string[] {
  return stages.flatMap((s) => argsOf(s, 'RUN').map(runCommand));
}

/** The `app` target's guard on APP, run by a real shell with the value given. */
function appGuard(value: string) {
  const guard = runs([stage(file, 'app')]).find((r) => r.startsWith('case "$APP"'));
  assert.ok(guard, 'the app target checks APP before installing');
  return spawnSync('sh', ['-c', guard], { env: { APP: value }, encoding: 'utf8', timeout: 10_000 });
}

describe(DOCKERFILE, () => {
  it('has exactly two final targets, app and load-balancer, and the stages they share', () => {
    assert.deepEqual(finalStages(file), TARGETS);
    assert.deepEqual(
      file.stages.map((s) => s.name),
      ['manifests', 'build', ...TARGETS],
    );
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

  it('bakes in no secret: no secret-named ARG, ENV or LABEL, no .env copied', () => {
    for (const i of file.stages.flatMap((s) => s.instructions)) {
      if (['ARG', 'ENV', 'LABEL'].includes(i.keyword))
        assert.doesNotMatch(i.args, SECRET_NAME, `${i.keyword} ${i.args}`);
      if (['COPY', 'ADD'].includes(i.keyword))
        assert.doesNotMatch(i.args, /\.env\b/, `${i.keyword} ${i.args}`);
    }
    for (const name of Object.keys(file.globalArgs)) assert.doesNotMatch(name, SECRET_NAME);
  });

  it('the build stage installs with `npm ci` and bundles every app (to <app>/dist, where the app target copies from)', () => {
    const build = runs([stage(file, 'build')]);
    assert.ok(
      build.some((r) => r.startsWith('npm ci --no-audit')),
      build.join('\n'),
    );
    const bundles = build.flatMap((r) => r.split(' && ')).filter((c) => c.includes(' bundle '));
    assert.deepEqual(
      bundles,
      APPS.map((app) => `node --import tsx deploy/src/main.ts bundle ${app}`),
    );
  });

  it('docker-compose.yml builds only these targets, with APP naming an app for the app target', () => {
    const services = readComposeFile().services as Record<string, { build?: ComposeBuild }>;
    const builds = Object.values(services).flatMap((s) => (s.build ? [s.build] : []));
    assert.deepEqual([...new Set(builds.map((b) => b.target))].sort(), TARGETS);
    for (const b of builds) {
      assert.equal(b.context, '.');
      assert.equal(b.dockerfile, undefined, 'the root Dockerfile, compose default');
      if (b.target === 'app') assert.ok((APPS as readonly string[]).includes(b.args?.APP ?? ''), b.args?.APP);
      else assert.equal(b.args, undefined);
    }
  });
});

for (const target of TARGETS) {
  describe(`${DOCKERFILE} target ${target}`, () => {
    const final = stage(file, target);
    const stages = stagesOf(target);

    it('builds in stages, each from a pinned base (an exact version, never latest)', () => {
      assert.deepEqual([...dependencies(file, target)].sort(), ['build', 'manifests']);
      for (const s of stages) assert.match(s.base, PINNED, `${s.name}: ${s.base}`);
      const node = stages.filter((s) => s.base.startsWith('node:'));
      assert.ok(node.length >= 2);
      for (const s of node) {
        assert.match(
          s.base,
          /^node:20\.\d+\.\d+-(bookworm-slim|slim|alpine\d*(\.\d+)?)$/,
          'Node 20, slim or alpine',
        );
      }
    });

    it('installs with `npm ci` from the lockfile, never `npm install`', () => {
      const all = runs(stages);
      assert.ok(
        all.some((r) => r.startsWith('npm ci ')),
        all.join('\n'),
      );
      assert.ok(!all.some((r) => /\bnpm (install|i)\b/.test(r)), all.join('\n'));
    });

    it('the image that runs holds only built output: its stage copies from the build stage, never the sources', () => {
      const copies = argsOf(final, 'COPY');
      assert.ok(copies.length > 0);
      for (const c of copies) assert.match(c, /^--from=(build|manifests) /, c);
    });

    it('runs as a non-root user', () => {
      const user = argsOf(final, 'USER').at(-1);
      assert.ok(user, 'a USER in the final stage');
      assert.doesNotMatch(user, /^(root|0)(:|$)/);
    });

    if (target === 'app') {
      it('takes the app from the APP build argument, refusing anything but an app before installing', () => {
        assert.deepEqual(argsOf(final, 'ARG'), ['APP']);
        for (const app of APPS) assert.equal(appGuard(app).status, 0, app);
        for (const wrong of ['', 'lab', 'load-balancer', 'stateful-app ']) {
          const result = appGuard(wrong);
          assert.notEqual(result.status, 0, `APP=${JSON.stringify(wrong)}`);
          assert.match(result.stderr, /build arg APP must be stateful-app or stateless-app/);
        }
      });

      for (const app of APPS) {
        it(`with APP=${app}: copies its bundle to one fixed path and runs it with Node directly (not npm)`, () => {
          const copies = argsOf(final, 'COPY').map((c) => expandArgs(c, { APP: app }));
          assert.deepEqual(copies, [
            '--from=manifests /app ./',
            `--from=build /app/${app}/${BUNDLE_PATH} ${BUNDLE_PATH}`,
          ]);
          assert.deepEqual(JSON.parse(argsOf(final, 'CMD').at(-1)!), ['node', BUNDLE_PATH]);
          assert.equal(argsOf(final, 'USER').at(-1), 'node');
          assert.deepEqual(argsOf(final, 'EXPOSE'), [String(CONTAINER_APP_PORT)]);
        });

        it(`with APP=${app}: installs only ${app}'s production dependencies`, () => {
          const installs = runs([final])
            .filter((r) => r.startsWith('npm '))
            .map((r) => expandArgs(r, { APP: app }));
          assert.deepEqual(installs, [
            `npm ci --omit=dev --workspace @statelab/${app} --include-workspace-root=false --ignore-scripts --no-audit --no-fund`,
          ]);
          assert.ok(argsOf(final, 'ENV').includes('NODE_ENV=production'));
        });
      }
    } else {
      it('renders the compose nginx config and builds the UI with the same code as native mode', () => {
        assert.equal(
          argsOf(stage(file, 'build'), 'RUN').at(-1),
          'node --import tsx deploy/src/main.ts nginx-conf /out/nginx.conf && node --import tsx deploy/src/main.ts ui /out/ui',
        );
      });

      it('serves them from a pinned nginx image at least as new as the 1.22 the config is checked with, as the nginx user', () => {
        assert.match(final.base, /^nginx:\d+\.\d+\.\d+-alpine$/);
        assert.ok(atLeast(version(final.base), [1, 22, 0]), final.base);
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
