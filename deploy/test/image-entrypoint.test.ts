/**
 * Each app image's entrypoint, minus Docker: the Dockerfile's `app` target with APP=<app>, its own
 * `npm ci` in a temp dir, the bundle from `deploy bundle` at the target's fixed path, then the
 * image's CMD run with Node and a service's environment from docker-compose.yml (its SOCKET_PATH
 * moved from the volume to a temp dir). It serves carts on the socket, compose's healthcheck
 * passes, and SIGTERM unlinks the socket and drains it to exit 0.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CATALOG, TOPOLOGY, VARIANTS } from '@statelab/cart-core';
import { httpStatus, ManagedProcess, startRedisServer, waitUntilReady } from '@statelab/processes';
import { APPS, BUNDLE_PATH } from '../src/index.ts';
import { interpolate, readComposeFile } from './support/compose-file.ts';
import { buildImageRoot, type ImageRoot } from './support/image-root.ts';
import { cookiesOf, request as get } from './support/request.ts';

const SECRETS = {
  SESSION_SECRET: 'session-secret-for-tests-0123456789abcdef',
  JWT_SECRET: 'jwt-secret-for-tests-0123456789abcdef0123',
  REDIS_PASSWORD: '0123456789abcdef0123456789abcdef',
};
const READY_TIMEOUT_MS = 20_000;
const services = interpolate(readComposeFile(), SECRETS).services as Record<
  string,
  { environment: Record<string, string>; healthcheck: { test: string[] } }
>;

/** Runs the service's healthcheck command (`CMD node -e ...`) here with `env`; its exit code. */
async function healthcheck(id: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  const [kind, command, ...args] = services[id]!.healthcheck.test;
  assert.deepEqual([kind, command], ['CMD', 'node']);
  const check = await ManagedProcess.spawn({ command: process.execPath, args, env });
  if (!(await check.exitsWithin(10_000))) await check.kill();
  return (await check.exited).code;
}

async function installedPackages(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of await readdir(join(dir, 'node_modules'))) {
    if (!entry.startsWith('@')) names.add(entry);
    else
      for (const scoped of await readdir(join(dir, 'node_modules', entry))) names.add(`${entry}/${scoped}`);
  }
  return names;
}

for (const app of APPS) {
  describe(`${app} image entrypoint`, () => {
    let image: ImageRoot;
    const cleanups: Array<() => Promise<void> | void> = [];
    after(async () => {
      for (const fn of cleanups.reverse()) await fn();
    });
    before(async () => {
      image = await buildImageRoot(app, (fn) => cleanups.push(fn));
    });

    it('the bundle inlines every @statelab workspace and imports only packages the final stage installs', async () => {
      const bundle = await readFile(image.bundleFile, 'utf8');
      assert.doesNotMatch(bundle, /from\s+["']@statelab\//);
      assert.doesNotMatch(bundle, /\.ts["']/, 'no TypeScript file is imported at run time');
      const imported = new Set([...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!));
      const installed = await installedPackages(image.dir);
      for (const specifier of imported) {
        if (specifier.startsWith('node:')) continue;
        const pkg = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        assert.ok(installed.has(pkg), `${specifier} is installed by the final stage's npm ci`);
      }
      assert.ok(
        !installed.has('tsx') && !installed.has('esbuild') && !installed.has('typescript'),
        'no dev tools',
      );
      assert.match(image.bundleOutput, new RegExp(`bundled ${app} into `));
    });

    const variants = VARIANTS.filter((v) => TOPOLOGY[v].app === app);
    for (const variant of variants) {
      const id = `${variant}-1`;
      it(`runs as compose's ${id}: ready, serves a cart, and drains to exit 0 on SIGTERM`, async (t) => {
        const sockets = await mkdtemp(join(tmpdir(), 'statelab-image-sock-'));
        t.after(() => rm(sockets, { recursive: true, force: true }));
        const composed = services[id]!.environment.SOCKET_PATH!;
        // The same socket name as on the compose volume, in a folder of this machine.
        const socketPath = join(sockets, basename(composed));
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH,
          ...image.env,
          ...services[id]!.environment,
          SOCKET_PATH: socketPath,
        };
        if (TOPOLOGY[variant].needsRedis) {
          const redis = await startRedisServer({ password: SECRETS.REDIS_PASSWORD });
          t.after(() => redis.close());
          // compose's own URL, password included; only the host is this machine's.
          env.REDIS_URL = env.REDIS_URL!.replace(/@redis:6379$/, `@127.0.0.1:${redis.port}`);
          assert.equal(env.REDIS_URL, redis.url);
        }
        const [command, ...args] = image.cmd;
        assert.equal(command, 'node');
        // The exec-form CMD names the fixed path, the same for every APP.
        assert.deepEqual(args, [BUNDLE_PATH]);
        assert.equal(join(image.dir, args[0]!), image.bundleFile);
        const child = await ManagedProcess.spawn({ command: process.execPath, args, cwd: image.dir, env });
        t.after(() => child.kill());

        const base = 'http://localhost';
        await waitUntilReady(
          child,
          `${id} /readyz on ${socketPath}`,
          async () => (await httpStatus(`${base}/readyz`, { socketPath })) === 200,
          READY_TIMEOUT_MS,
        );
        assert.equal(await healthcheck(id, env), 0, "compose's healthcheck passes");
        const request = (url: string, options: Parameters<typeof get>[1] = {}) =>
          get(url, { ...options, socketPath });

        const instance = JSON.parse((await request(`${base}/api/instance`)).text);
        assert.equal(instance.instance, id);
        assert.equal(instance.variant, variant);

        const added = await request(`${base}/api/cart/items`, {
          method: 'POST',
          json: { productId: CATALOG[0]!.id, quantity: 2 },
        });
        assert.equal(added.status, 200, added.text);
        const cart = JSON.parse(added.text);
        assert.equal(cart.itemCount, 2);
        assert.deepEqual(cart.servedBy, { instance: id, variant });
        assert.equal(added.headers['x-served-by'], id);
        const again = JSON.parse((await request(`${base}/api/cart`, { cookie: cookiesOf(added) })).text);
        assert.equal(again.cartId, cart.cartId);
        assert.equal(again.itemCount, 2);

        child.signal('SIGTERM');
        assert.equal((await child.exited).code, 0, child.output());
        assert.match(child.output(), /"msg":"left the rotation"[\s\S]*"msg":"stopped"/);
        assert.equal(existsSync(socketPath), false, 'the socket was unlinked');
        assert.equal(await healthcheck(id, env), 1, 'no socket: the healthcheck fails');
      });
    }
  });
}
