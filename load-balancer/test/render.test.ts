import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { SESSION_ROUTE_PATTERN, TOPOLOGY, VARIANTS } from '@statelab/cart-core';
import {
  findNginx,
  type NginxModel,
  NginxModelError,
  nginxCommand,
  renderNginxConfig,
  UI_SECURITY_HEADERS,
  type UpstreamServer,
} from '../src/index.ts';
import { nginxTest, requireNginx } from './support/nginx.ts';

const servers = (
  variant: string,
  host: (n: number) => string,
  port: (n: number) => number,
): UpstreamServer[] => [1, 2, 3].map((n) => ({ id: `${variant}-${n}`, host: host(n), port: port(n) }));

const nativeModel = (prefixDir = '/tmp/statelab-lb-unused'): NginxModel => ({
  mode: 'native',
  listen: { host: '127.0.0.1', port: 18080 },
  prefixDir,
  variants: VARIANTS.map((variant, v) => ({
    variant,
    servers: servers(
      variant,
      () => '127.0.0.1',
      (n) => 19000 + v * 10 + n,
    ),
  })),
  baseline: {
    servers: servers(
      'baseline',
      () => '127.0.0.1',
      (n) => 19100 + n,
    ),
  },
  uiRoot: '/work/main/cart-ui/dist',
  controlApi: { host: '127.0.0.1', port: 19200 },
});

/** compose: service names on port 3000; `nginx -t` resolves names, so loopback stands in for them here. */
const composeModel = (host: (variant: string, n: number) => string, resolver?: string): NginxModel => ({
  mode: 'compose',
  listen: { host: '0.0.0.0', port: 80 },
  variants: VARIANTS.map((variant) => ({
    variant,
    servers: servers(
      variant,
      (n) => host(variant, n),
      () => 3000,
    ),
  })),
  uiRoot: '/usr/share/nginx/html',
  ...(resolver ? { resolver } : {}),
});

describe('renderNginxConfig', () => {
  test('native config passes `nginx -t` on the installed nginx', async (t) => {
    requireNginx();
    const result = await nginxTest((fn) => t.after(fn), renderNginxConfig(nativeModel()));
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /test is successful/);
  });

  test('compose config (service names resolved at start) passes `nginx -t` on the installed nginx', async (t) => {
    requireNginx();
    const config = renderNginxConfig(composeModel(() => 'localhost'));
    assert.match(config, /listen 0\.0\.0\.0:80 default_server;/);
    assert.match(config, /server localhost:3000 /);
    assert.doesNotMatch(
      config,
      /^\s*(daemon|pid|\w+_temp_path) /m,
      'the official image owns daemon, pid and temp paths',
    );
    const result = await nginxTest((fn) => t.after(fn), config);
    assert.equal(result.status, 0, result.output);
  });

  test('compose with a resolver re-resolves service names (`resolve`, nginx >= 1.27.3)', () => {
    const config = renderNginxConfig(composeModel((v, n) => `${v}-${n}`, '127.0.0.11'));
    assert.match(config, /resolver 127\.0\.0\.11 valid=5s ipv6=off;/);
    assert.match(config, /server stateless-2:3000 max_fails=1 fail_timeout=5s resolve; # stateless-2/);
  });

  test('without a UI folder, `/` is the JSON 404 rather than a page nginx happens to have', () => {
    const { uiRoot: _ui, ...withoutUi } = nativeModel();
    const config = renderNginxConfig(withoutUi);
    assert.match(config, /location \/ \{\n\s+return 404;\n\s+\}/);
    assert.doesNotMatch(config, /index index\.html;/);
  });

  test('native: foreground, every path inside the prefix, workers run as the user the model names', () => {
    const config = renderNginxConfig(nativeModel());
    assert.match(config, /^daemon off;$/m);
    assert.match(config, /^pid nginx\.pid;$/m);
    assert.match(config, /^error_log error\.log warn;$/m);
    assert.match(config, /access_log off;/);
    for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      assert.match(config, new RegExp(`${dir}_temp_path ${dir}_temp;`));
    }
    assert.doesNotMatch(config, /^user /m, 'no `user` line unless the model names one');
    assert.match(renderNginxConfig({ ...nativeModel(), user: 'lab-user' }), /^user lab-user;$/m);
    assert.throws(
      () => renderNginxConfig({ ...nativeModel(), user: 'root; daemon on' }),
      /user must be a plain user name/,
    );
  });

  test('stateful is sticky on the route in its cookie; unknown routes go to the round-robin pool', () => {
    const config = renderNginxConfig(nativeModel());
    const cookie = TOPOLOGY.stateful.cookieName;
    assert.ok(config.includes(`map $cookie_${cookie} $stateful_route {`));
    assert.ok(config.includes(`"~${SESSION_ROUTE_PATTERN}" $route;`));
    assert.match(
      config,
      /map \$stateful_route \$stateful_upstream \{\s+default stateful_pool;\s+stateful-1 stateful_home_1;/,
    );
    const home2 = /upstream stateful_home_2 \{([^}]*)\}/.exec(config)?.[1] ?? '';
    const lines = home2.split('\n').filter((l) => l.includes('server '));
    assert.deepEqual(
      lines.map((l) => l.trim()),
      [
        'server 127.0.0.1:19002 max_fails=0; # stateful-2',
        'server 127.0.0.1:19001 max_fails=0 backup; # stateful-1',
        'server 127.0.0.1:19003 max_fails=0 backup; # stateful-3',
      ],
    );
    assert.match(config, /proxy_pass http:\/\/\$stateful_upstream;/);
  });

  test('a request already sent is retried (non_idempotent) by stateless always, by server-side state only with an Idempotency-Key', () => {
    const config = renderNginxConfig(nativeModel());
    // A location's own directives: its text up to the closing brace at its own depth.
    const location = (prefix: string) => {
      const start = config.indexOf(`location ${prefix} {`);
      assert.ok(start >= 0, `location ${prefix}`);
      let depth = 0;
      for (let i = config.indexOf('{', start); i < config.length; i++) {
        if (config[i] === '{') depth++;
        if (config[i] === '}' && --depth === 0) return config.slice(start, i);
      }
      return '';
    };
    const retries = (text: string) => text.match(/^\s*proxy_next_upstream .*$/gm)?.map((l) => l.trim());
    assert.deepEqual(retries(location('/stateless/')), ['proxy_next_upstream error timeout non_idempotent;']);
    assert.doesNotMatch(
      location('/stateless/'),
      /idempotency_key/,
      'every stateless request may be replayed',
    );
    for (const prefix of ['/stateful/', '/stateful-redis/']) {
      const plain = location(prefix);
      assert.deepEqual(retries(plain), ['proxy_next_upstream error timeout;']);
      const bare = prefix.slice(0, -1);
      assert.match(
        plain,
        new RegExp(
          `if \\(\\$http_idempotency_key\\) \\{\\s*rewrite "\\(\\?s\\)\\^${bare}\\(/\\.\\*\\)\\$" /_keyed${bare}\\$1 last;`,
        ),
      );
      const twin = location(`/_keyed${prefix}`);
      assert.match(twin, /\binternal;/);
      assert.deepEqual(retries(twin), ['proxy_next_upstream error timeout non_idempotent;']);
      assert.match(
        twin,
        new RegExp(`proxy_cookie_path / ${prefix};`),
        'cookies scoped as the plain location',
      );
    }
    assert.deepEqual(retries(location('/baseline/')), ['proxy_next_upstream error timeout;']);
  });

  test('/lab/ is open to loopback peers only (allow 127.0.0.0/8 and ::1, deny all)', () => {
    const lab = /location \/lab\/ \{([^}]*)\}/.exec(renderNginxConfig(nativeModel()))?.[1] ?? '';
    const access = lab
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(allow|deny) /.test(l));
    assert.deepEqual(access, ['allow 127.0.0.0/8;', 'allow ::1;', 'deny all;']);
    assert.match(lab, /proxy_pass http:\/\/127\.0\.0\.1:19200;/);
  });

  test("/lab/ passes the client's Host with its port, and restates every other proxied header", () => {
    const lab = /location \/lab\/ \{([^}]*)\}/.exec(renderNginxConfig(nativeModel()))?.[1] ?? '';
    const headers = lab.match(/proxy_set_header \S+ \S+;/g);
    assert.deepEqual(headers, [
      'proxy_set_header Connection "";',
      'proxy_set_header Host $http_host;',
      'proxy_set_header X-Request-Id $client_request_id;',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      'proxy_set_header X-Real-IP $remote_addr;',
      'proxy_set_header X-Forwarded-Proto $scheme;',
    ]);
  });

  for (const [mode, model] of [
    ['native', nativeModel()],
    ['compose', composeModel(() => 'localhost')],
  ] as const) {
    test(`${mode}: the UI location sends CSP, X-Frame-Options, nosniff and Referrer-Policy on every answer`, () => {
      const ui = /location \/ \{([^}]*)\}/.exec(renderNginxConfig(model))?.[1] ?? '';
      for (const [name, value] of Object.entries(UI_SECURITY_HEADERS))
        assert.ok(ui.includes(`add_header ${name} "${value}" always;`), `${name} in\n${ui}`);
    });
  }

  test("nginx's own JSON errors carry nosniff", () => {
    const config = renderNginxConfig(nativeModel());
    const errorLocations = config.split('location = /_errors/').slice(1);
    assert.ok(errorLocations.length > 10);
    for (const location of errorLocations)
      assert.match(location, /add_header X-Content-Type-Options nosniff always;/);
  });

  test('without a control API or baseline there is no /lab/ nor /baseline/ location', () => {
    const { controlApi: _c, baseline: _b, ...model } = nativeModel();
    const config = renderNginxConfig(model);
    assert.doesNotMatch(config, /location \/lab\/|location \/baseline\/|baseline_pool/);
  });

  test('every non-obvious directive carries a why-comment in the rendered config', () => {
    const config = renderNginxConfig(nativeModel());
    for (const directive of [
      'daemon off',
      'proxy_connect_timeout',
      'keepalive_timeout 4s',
      'non_idempotent',
      'deny all',
      'Host $http_host',
      'add_header Content-Security-Policy',
    ]) {
      const at = config.indexOf(directive);
      assert.ok(at > 0, directive);
      const before = config.slice(0, at).split('\n').slice(-8).join('\n');
      assert.match(before, /# /, `no comment shortly before ${directive}`);
    }
  });

  test('a bad model is refused with every problem in one message', () => {
    const model = nativeModel();
    const bad: NginxModel = {
      ...model,
      listen: { host: '127.0.0.1; evil', port: 0 },
      variants: [
        { variant: 'stateful', servers: [] },
        { variant: 'stateless', servers: [{ id: 'Stateless 1', host: '127.0.0.1', port: 70000 }] },
      ],
      uiRoot: 'relative/dir',
    };
    assert.throws(
      () => renderNginxConfig(bad),
      (err: unknown) => {
        assert.ok(err instanceof NginxModelError);
        assert.equal(err.problems.length, 6, err.message);
        assert.match(err.message, /listen\.host/);
        assert.match(err.message, /variants\.stateful\.servers needs at least one server/);
        assert.match(err.message, /uiRoot/);
        return true;
      },
    );
  });
});

describe('servers on Unix sockets', () => {
  const socketModel = (dir: string): NginxModel => ({
    ...nativeModel(),
    variants: VARIANTS.map((variant) => ({
      variant,
      servers: [1, 2].map((n) => ({ id: `${variant}-${n}`, socket: `${dir}/${variant}-${n}.sock` })),
    })),
    baseline: { servers: [{ id: 'baseline-1', socket: `${dir}/baseline-1.sock` }] },
  });

  test('a socket server is `server unix:<path>` with no host, and the config passes `nginx -t` (no socket needs to exist)', async (t) => {
    requireNginx();
    const config = renderNginxConfig(socketModel('/tmp/statelab-lb-unused/sockets'));
    assert.match(
      config,
      /server unix:\/tmp\/statelab-lb-unused\/sockets\/stateless-2\.sock max_fails=1 fail_timeout=1s; # stateless-2/,
    );
    assert.match(config, /server unix:\S+\/stateful-2\.sock max_fails=0 backup; # stateful-2/);
    assert.doesNotMatch(config, /fail_timeout=5s/, 'no TCP server, so no TCP marks');
    assert.doesNotMatch(config, /\(TCP\)/, 'nor their explanation');
    assert.match(config, /\[crit\]/, 'the preamble says what nginx logs for a missing socket');
    const result = await nginxTest((fn) => t.after(fn), config);
    assert.equal(result.status, 0, result.output);
  });

  test('compose with a resolver: `resolve` only on servers named by host, never on a socket', () => {
    const model = socketModel('/run/statelab');
    const config = renderNginxConfig({
      ...model,
      mode: 'compose',
      listen: { host: '0.0.0.0', port: 80 },
      resolver: '127.0.0.11',
      baseline: { servers: [{ id: 'baseline-1', host: 'baseline-1', port: 3000 }] },
    });
    assert.match(
      config,
      /server unix:\/run\/statelab\/stateless-1\.sock max_fails=1 fail_timeout=1s; # stateless-1/,
    );
    assert.match(config, /server baseline-1:3000 max_fails=1 fail_timeout=5s resolve; # baseline-1/);
  });

  test('a socket path must be absolute, plain and fit in sun_path', () => {
    const bad = (socket: string): NginxModel => ({
      ...nativeModel(),
      variants: [{ variant: 'stateless', servers: [{ id: 'stateless-1', socket }] }],
    });
    for (const socket of ['relative.sock', '/tmp/a b.sock', '/tmp/a;b.sock', `/${'s'.repeat(107)}`]) {
      assert.throws(
        () => renderNginxConfig(bad(socket)),
        /variants\.stateless\.servers\[0\]\.socket must be/,
        socket,
      );
    }
    assert.doesNotThrow(() => renderNginxConfig(bad(`/${'s'.repeat(106)}`)));
  });
});

describe('findNginx and nginxCommand', () => {
  test('findNginx finds an executable nginx (PATH, then /usr/sbin/nginx)', () => {
    const found = findNginx();
    assert.ok(found, 'nginx should be installed for these tests');
    const version = spawnSync(found, ['-v'], { encoding: 'utf8' });
    assert.match(version.stderr, /nginx version: nginx\//);
    assert.equal(findNginx({ PATH: '/nonexistent' }), '/usr/sbin/nginx');
  });

  test('nginxCommand runs the config in the foreground with the prefix and a startup log on stderr', () => {
    const { command, args } = nginxCommand('/tmp/p/nginx.conf', '/tmp/p');
    assert.equal(command, findNginx());
    assert.deepEqual(args, ['-p', '/tmp/p', '-e', 'stderr', '-c', '/tmp/p/nginx.conf']);
  });
});
