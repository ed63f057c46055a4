/**
 * The load-balancer image's nginx.conf: rendered by `renderNginxConfig` from the compose model
 * (every instance by service name), checked by the real nginx here with the image's own flags.
 * nginx here is 1.22, without upstream `resolve` (1.27.3): that one parameter is checked as text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { CONTAINER_APP_PORT, EXIT, TOPOLOGY } from '@statelab/cart-core';
import { findNginx, renderNginxConfig } from '@statelab/load-balancer';
import {
  appServices,
  COMPOSE_LISTEN,
  composeNginxModel,
  DOCKER_DNS,
  IMAGE_UI_ROOT,
  main,
} from '../src/index.ts';
import { argsOf, readDockerfile, stage } from './support/dockerfile.ts';
import { memoryIo } from './support/memory-io.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'statelab-deploy-nginx-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The flags the `load-balancer` target's CMD gives nginx (`-e stderr -g "daemon off; pid ...;"`). */
function imageNginxFlags(): string[] {
  const final = stage(readDockerfile(), 'load-balancer');
  const cmd = JSON.parse(argsOf(final, 'CMD').at(-1)!) as string[];
  assert.equal(cmd[0], 'nginx');
  return cmd.slice(1);
}

/** Comments dropped, `resolve` and the resolver removed, service names to 127.0.0.1. */
function withoutRunTimeResolution(config: string, uiRoot: string): string {
  return config
    .split('\n')
    .filter((line) => !line.trim().startsWith('#') && !line.trim().startsWith('resolver '))
    .map((line) =>
      line
        .replace(/^(\s*server )[a-z0-9-]+(:\d+ )/, '$1127.0.0.1$2')
        .replace(/ resolve;/, ';')
        .replace(/ # [a-z0-9-]+$/, '')
        .replace(`root ${IMAGE_UI_ROOT};`, `root ${uiRoot};`),
    )
    .join('\n');
}

describe('load-balancer image: nginx.conf for compose', () => {
  const config = renderNginxConfig(composeNginxModel());

  it('reaches every instance of TOPOLOGY by its service name on port 3000, re-resolved by Docker DNS', () => {
    assert.match(config, new RegExp(`^\\s*resolver ${DOCKER_DNS.replace(/\./g, '\\.')} valid=5s`, 'm'));
    for (const { id } of appServices()) {
      const lines = config
        .split('\n')
        .filter((l) => l.trim().startsWith(`server ${id}:${CONTAINER_APP_PORT} `));
      assert.ok(lines.length > 0, `${id} is an upstream server`);
      for (const line of lines) assert.match(line, / resolve; # /, line);
    }
    assert.doesNotMatch(config, /127\.0\.0\.1:\d+ /, 'no loopback upstream in the image config');
  });

  it('listens on 0.0.0.0:80 in the container, serves the UI from the image, and routes every prefix', () => {
    assert.match(config, new RegExp(`listen ${COMPOSE_LISTEN.host}:${COMPOSE_LISTEN.port} default_server;`));
    assert.match(config, new RegExp(`root ${IMAGE_UI_ROOT};`));
    for (const spec of Object.values(TOPOLOGY))
      assert.match(config, new RegExp(`location ${spec.prefix} \\{`));
    assert.doesNotMatch(config, /location \/lab\//, 'no control API in compose: nothing to proxy to');
    assert.doesNotMatch(config, /^\s*(daemon|pid|user) /m, 'the image command sets these');
  });

  it('passes `nginx -t` here with the image command flags (service names as 127.0.0.1, without `resolve`)', async (t) => {
    const nginx = findNginx();
    assert.ok(nginx, 'nginx is installed (apt-get install nginx); this check needs the real one');
    const dir = await tempDir(t);
    const uiRoot = join(dir, 'ui');
    await mkdir(uiRoot);
    const checked = renderNginxConfig(
      composeNginxModel({ hostOf: () => '127.0.0.1', resolver: null, uiRoot }),
    );
    // What nginx checks is the image's config but for the addresses and run-time re-resolution.
    assert.equal(withoutRunTimeResolution(checked, uiRoot), withoutRunTimeResolution(config, uiRoot));
    const confPath = join(dir, 'nginx.conf');
    await writeFile(confPath, checked);
    const result = spawnSync(nginx, ['-t', '-p', dir, '-c', confPath, ...imageNginxFlags()], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /test is successful/);
  });

  it('`nginx -t` here does reject a broken config (the check can fail)', async (t) => {
    const nginx = findNginx();
    assert.ok(nginx);
    const dir = await tempDir(t);
    const confPath = join(dir, 'nginx.conf');
    await writeFile(
      confPath,
      renderNginxConfig(
        composeNginxModel({ hostOf: () => '127.0.0.1', resolver: null, uiRoot: dir }),
      ).replace('http {', 'http {\n    proxy_pass_everything on;'),
    );
    const result = spawnSync(nginx, ['-t', '-p', dir, '-c', confPath, ...imageNginxFlags()], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /unknown directive "proxy_pass_everything"/);
  });
});

describe("deploy CLI (the commands the Dockerfile's build stage runs)", () => {
  it('`deploy nginx-conf <file>` writes exactly the compose rendering, creating the folder', async (t) => {
    const dir = await tempDir(t);
    const io = memoryIo();
    const out = join(dir, 'out', 'nginx.conf');
    assert.equal(await main(['nginx-conf', out], io), EXIT.ok, io.stderrText());
    assert.equal(await readFile(out, 'utf8'), renderNginxConfig(composeNginxModel()));
  });

  it('`deploy ui <dir>` builds the cart UI page and script into the folder', async (t) => {
    const dir = await tempDir(t);
    const io = memoryIo();
    assert.equal(await main(['ui', join(dir, 'ui')], io), EXIT.ok, io.stderrText());
    assert.match(await readFile(join(dir, 'ui', 'index.html'), 'utf8'), /<html/i);
    assert.ok((await readFile(join(dir, 'ui', 'app.js'), 'utf8')).length > 100);
  });

  const misuse: Array<[string, string[]]> = [
    ['no command', []],
    ['an unknown command', ['push']],
    ['an unknown app', ['bundle', 'lab']],
    ['a missing out-file', ['nginx-conf']],
    ['extra arguments', ['ui', 'a', 'b']],
  ];
  for (const [name, argv] of misuse) {
    it(`${name} → exit ${EXIT.usage} with the usage on stderr`, async () => {
      const io = memoryIo();
      assert.equal(await main(argv, io), EXIT.usage);
      assert.match(io.stderrText(), /^usage:/);
      assert.equal(io.stdoutText(), '');
    });
  }

  it('a failing step → exit 1 with the reason', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'a-file'), '');
    const io = memoryIo();
    assert.equal(await main(['nginx-conf', join(dir, 'a-file', 'nginx.conf')], io), EXIT.failure);
    assert.match(io.stderrText(), /^deploy nginx-conf failed: /);
  });
});
