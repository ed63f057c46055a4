/**
 * The load-balancer image's nginx.conf: rendered by `renderNginxConfig` from the compose model
 * (every instance on its Unix socket in the shared volume), checked by the real nginx here with the
 * image's own flags. nginx -t needs no socket to exist, so the image's config is checked as it is,
 * but for the UI folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { containerSocketPath, EXIT, TOPOLOGY } from '@statelab/cart-core';
import { findNginx, renderNginxConfig } from '@statelab/load-balancer';
import { appServices, COMPOSE_LISTEN, composeNginxModel, IMAGE_UI_ROOT, main } from '../src/index.ts';
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

/** `nginx -t` here with the image's flags on `config`, its UI root moved to a temp folder. */
async function nginxCheck(t: TestContext, config: string) {
  const nginx = findNginx();
  assert.ok(nginx, 'nginx is installed (apt-get install nginx); this check needs the real one');
  const dir = await tempDir(t);
  const uiRoot = join(dir, 'ui');
  await mkdir(uiRoot);
  const confPath = join(dir, 'nginx.conf');
  await writeFile(confPath, config.replace(`root ${IMAGE_UI_ROOT};`, `root ${uiRoot};`));
  return spawnSync(nginx, ['-t', '-p', dir, '-c', confPath, ...imageNginxFlags()], {
    encoding: 'utf8',
    timeout: 10_000,
  });
}

describe('load-balancer image: nginx.conf for compose', () => {
  const config = renderNginxConfig(composeNginxModel());

  it('reaches every instance of TOPOLOGY on its Unix socket in the shared volume, marked out for 1 s when it has left', () => {
    for (const { id, variant } of appServices()) {
      const lines = config
        .split('\n')
        .filter((l) => l.trim().startsWith(`server unix:${containerSocketPath(id)} `));
      assert.ok(lines.length > 0, `${id} is an upstream server`);
      const marks = TOPOLOGY[variant].routing === 'sticky' ? /max_fails=0/ : /max_fails=1 fail_timeout=1s/;
      for (const line of lines) assert.match(line, marks, line);
    }
    assert.doesNotMatch(config, /^\s*server (?!unix:)\S+ max_fails/m, 'no upstream by host name or address');
    assert.doesNotMatch(config, /resolver|resolve;/, 'a socket path needs no DNS');
  });

  it('listens on 0.0.0.0:80 in the container, serves the UI from the image, and routes every prefix', () => {
    assert.match(config, new RegExp(`listen ${COMPOSE_LISTEN.host}:${COMPOSE_LISTEN.port} default_server;`));
    assert.match(config, new RegExp(`root ${IMAGE_UI_ROOT};`));
    for (const spec of Object.values(TOPOLOGY))
      assert.match(config, new RegExp(`location ${spec.prefix} \\{`));
    assert.doesNotMatch(config, /location \/lab\//, 'no control API in compose: nothing to proxy to');
    assert.doesNotMatch(config, /^\s*(daemon|pid|user) /m, 'the image command sets these');
  });

  it('passes `nginx -t` here with the image command flags, as rendered (sockets need not exist)', async (t) => {
    const result = await nginxCheck(t, config);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /test is successful/);
  });

  it('`nginx -t` here does reject a broken config (the check can fail)', async (t) => {
    const result = await nginxCheck(t, config.replace('http {', 'http {\n    proxy_pass_everything on;'));
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
