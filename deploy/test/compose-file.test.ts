/**
 * docker-compose.yml, checked without a Docker engine: against the published Compose Specification
 * schema, against the TOPOLOGY table, and against the apps' own config loaders.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type CartStoreKind,
  CONTAINER_SOCKET_DIR,
  containerSocketPath,
  TOPOLOGY,
  type Variant,
} from '@statelab/cart-core';
import { loadConfig as loadStatefulConfig } from '@statelab/stateful-app';
import { loadConfig as loadStatelessConfig } from '@statelab/stateless-app';
import { Ajv } from 'ajv';
import { appServices, composeNginxModel, LOAD_BALANCER_SERVICE, REDIS_SERVICE } from '../src/index.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import {
  COMPOSE_FILE,
  type ComposeDocument,
  durationMs,
  InterpolationError,
  interpolate,
  readComposeFile,
} from './support/compose-file.ts';

const SECRETS = Object.freeze({
  SESSION_SECRET: 'session-secret-for-tests-0123456789abcdef',
  JWT_SECRET: 'jwt-secret-for-tests-0123456789abcdef0123',
  REDIS_PASSWORD: '0123456789abcdef0123456789abcdef',
});
/** What `read_only`, `cap_drop` and `no-new-privileges` look like on every service. */
const HARDENED = Object.freeze({
  read_only: true,
  cap_drop: ['ALL'],
  security_opt: ['no-new-privileges:true'],
});

function hardening(service: ComposeDocument) {
  const { read_only, cap_drop, security_opt } = service;
  return { read_only, cap_drop, security_opt };
}
/** What each kind of cart store adds to the common variables. */
const STORE_ENV: Readonly<Record<CartStoreKind, readonly string[]>> = {
  'memory-session': ['SESSION_SECRET'],
  'redis-session': ['SESSION_SECRET', 'REDIS_URL'],
  jwt: ['JWT_SECRET'],
};
const COMMON_ENV = ['INSTANCE_ID', 'VARIANT', 'SOCKET_PATH', 'LOG_LEVEL', 'SHUTDOWN_TIMEOUT_MS'];
/** The volume the apps' sockets are on, as the app services and the load balancer mount it. */
const SOCKETS_VOLUME = 'sockets';
const APP_DEFAULT_SHUTDOWN_TIMEOUT_MS = 15_000;

const raw = readComposeFile();
const resolved: ComposeDocument = interpolate(raw, SECRETS);

function compileSchema() {
  const require = createRequire(import.meta.url);
  const draft7 = require('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy', 'schemas', 'compose-spec.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The spec names its meta-schema by https; ajv ships draft-07 under its http id.
  ajv.addMetaSchema({ ...draft7, $id: 'https://json-schema.org/draft-07/schema' });
  return ajv.compile(schema);
}

function loadAppConfig(variant: Variant, env: Record<string, string>) {
  return TOPOLOGY[variant].app === 'stateless-app' ? loadStatelessConfig(env) : loadStatefulConfig(env);
}

describe('docker-compose.yml: the Compose Specification', () => {
  const validate = compileSchema();

  it('validates against the published Compose Specification JSON schema, before and after interpolation', () => {
    for (const doc of [raw, resolved]) {
      const valid = validate(doc);
      assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    }
  });

  it('the schema check can fail: a misspelt key and a wrong type are reported', () => {
    const broken = structuredClone(resolved);
    broken.services.redis.restrt = 'no';
    broken.services['stateless-1'].depends_on = 'redis';
    assert.equal(validate(broken), false);
    const where = (validate.errors ?? []).map((e) => e.instancePath);
    assert.ok(where.includes('/services/redis'), where.join(', '));
    assert.ok(
      where.some((p) => p.startsWith('/services/stateless-1/depends_on')),
      where.join(', '),
    );
  });

  it('has no obsolete `version:` key and names its project statelab', () => {
    assert.equal('version' in raw, false);
    assert.equal(raw.name, 'statelab');
  });
});

describe('docker-compose.yml: the topology', () => {
  const apps = appServices();

  it('runs redis, the load balancer and one service per instance of TOPOLOGY (3 per variant)', () => {
    const expected = [REDIS_SERVICE, ...apps.map((s) => s.id), LOAD_BALANCER_SERVICE].sort();
    assert.deepEqual(Object.keys(raw.services).sort(), expected);
    assert.equal(apps.length, 9);
  });

  for (const { id, variant } of apps) {
    const spec = TOPOLOGY[variant];
    describe(`service ${id}`, () => {
      const service = resolved.services[id];

      it(`is built from the root Dockerfile's app target with APP=${spec.app}, the repository as context`, () => {
        assert.deepEqual(service.build, { context: '.', target: 'app', args: { APP: spec.app } });
        assert.equal(service.image, `statelab/${spec.app}:local`);
      });

      it(`sets INSTANCE_ID=${id}, VARIANT=${variant}, SOCKET_PATH=${containerSocketPath(id)} and its store's variables`, () => {
        const env = service.environment as Record<string, string>;
        assert.deepEqual(Object.keys(env).sort(), [...COMMON_ENV, ...STORE_ENV[spec.store]].sort());
        assert.equal(env.INSTANCE_ID, id);
        assert.equal(env.VARIANT, variant);
        assert.equal(env.SOCKET_PATH, containerSocketPath(id));
        if (spec.needsRedis)
          assert.equal(env.REDIS_URL, `redis://:${SECRETS.REDIS_PASSWORD}@${REDIS_SERVICE}:6379`);
      });

      it(`its environment is a valid ${spec.app} configuration (the app's own loadConfig)`, () => {
        const config = loadAppConfig(variant, service.environment);
        assert.equal(config.instance, id);
        assert.equal(config.variant, variant);
        assert.equal(config.socketPath, containerSocketPath(id));
      });

      it(`listens where the load balancer's nginx.conf reaches ${id}: its socket on the shared volume`, () => {
        assert.deepEqual(service.volumes, [`${SOCKETS_VOLUME}:${CONTAINER_SOCKET_DIR}`]);
        assert.equal(dirname(service.environment.SOCKET_PATH), CONTAINER_SOCKET_DIR);
        const servers = composeNginxModel().variants.find((v) => v.variant === variant)!.servers;
        assert.equal(servers.find((s) => s.id === id)?.socket, service.environment.SOCKET_PATH);
      });

      it('runs under init, stays down once killed, and is given longer to stop than its drain takes', () => {
        assert.equal(service.init, true);
        assert.equal(service.restart, 'no');
        const drainMs = Number(service.environment.SHUTDOWN_TIMEOUT_MS ?? APP_DEFAULT_SHUTDOWN_TIMEOUT_MS);
        assert.ok(
          durationMs(service.stop_grace_period) > drainMs,
          `${service.stop_grace_period} vs ${drainMs} ms`,
        );
      });

      it('is healthy when /readyz answers 200 over its socket, checked by Node itself (no curl in slim images)', () => {
        const [kind, command, flag, script] = service.healthcheck.test as string[];
        assert.deepEqual([kind, command, flag], ['CMD', 'node', '-e']);
        // Run for real against the app in image-entrypoint.test.ts.
        assert.match(script!, /socketPath:process\.env\.SOCKET_PATH,path:'\/readyz'/);
        assert.match(script!, /process\.exit\(r\.statusCode===200\?0:1\)/);
      });

      it(spec.needsRedis ? 'waits for a healthy redis' : 'depends on nothing', () => {
        const expected = spec.needsRedis ? { [REDIS_SERVICE]: { condition: 'service_healthy' } } : undefined;
        assert.deepEqual(service.depends_on, expected);
      });

      it('publishes no port: only the load balancer is reachable from the host', () => {
        assert.equal(service.ports, undefined);
      });

      it('runs read-only, without capabilities, unable to gain privileges', () => {
        assert.deepEqual(hardening(service), HARDENED);
      });
    });
  }

  it('redis: a pinned official image, no persistence, 64mb under noeviction, not published', () => {
    const redis = resolved.services[REDIS_SERVICE];
    assert.match(redis.image, /^redis:\d+\.\d+\.\d+(-alpine|-bookworm)?$/);
    const [shell, flag, script] = redis.command as string[];
    assert.deepEqual([shell, flag], ['sh', '-c']);
    assert.match(script!, /^exec redis-server --save '' --appendonly no /);
    assert.match(script!, / --maxmemory '64mb' --maxmemory-policy noeviction /);
    const limited = interpolate(raw.services[REDIS_SERVICE].command, { ...SECRETS, REDIS_MAXMEMORY: '2mb' });
    assert.match(limited[2], / --maxmemory '2mb' /);
    assert.equal(redis.ports, undefined);
    assert.equal(redis.restart, 'no');
  });

  it('redis: the password from .env on stdin, never in the command; the healthcheck authenticates with it', () => {
    const redis = resolved.services[REDIS_SERVICE];
    const script = (redis.command as string[])[2]!;
    // `-` as the last argument: redis-server reads more configuration from stdin (the heredoc).
    assert.match(script, / - <<EOF\nrequirepass \$REDISCLI_AUTH\nEOF\n$/);
    assert.ok(!script.includes(SECRETS.REDIS_PASSWORD), 'no password in the command');
    assert.deepEqual(redis.environment, { REDISCLI_AUTH: SECRETS.REDIS_PASSWORD });
    assert.deepEqual(redis.healthcheck.test, ['CMD-SHELL', 'redis-cli ping | grep -q PONG']);
  });

  it("redis: read-only, no capabilities, no new privileges, as the image's redis user from the start; /data a tmpfs", () => {
    const redis = resolved.services[REDIS_SERVICE];
    assert.deepEqual(hardening(redis), HARDENED);
    // As root, the entrypoint would chown /data and drop to redis with gosu: CHOWN, SETUID, SETGID.
    assert.equal(redis.user, 'redis');
    assert.deepEqual(redis.tmpfs, ['/data']);
  });

  it('load balancer: read-only with tmpfs for its temp files and pid file, no capabilities, no new privileges', () => {
    const lb = resolved.services[LOAD_BALANCER_SERVICE];
    assert.deepEqual(hardening(lb), HARDENED);
    assert.deepEqual(lb.tmpfs, ['/var/cache/nginx', '/tmp']);
  });

  it("load balancer: the apps' sockets volume, read-only (connecting to a socket writes nothing)", () => {
    const lb = resolved.services[LOAD_BALANCER_SERVICE];
    assert.deepEqual(lb.volumes, [`${SOCKETS_VOLUME}:${CONTAINER_SOCKET_DIR}:ro`]);
  });

  it("the sockets volume: a tmpfs the node image's user (uid 1000, the app images' USER node) owns and nginx may traverse", () => {
    assert.deepEqual(Object.keys(raw.volumes), [SOCKETS_VOLUME]);
    const { driver_opts: opts, ...rest } = raw.volumes[SOCKETS_VOLUME];
    assert.deepEqual(rest, {}, 'the local driver');
    assert.equal(opts.type, 'tmpfs');
    assert.equal(opts.device, 'tmpfs');
    assert.deepEqual(opts.o.split(',').sort(), ['gid=1000', 'mode=0755', 'uid=1000']);
  });

  it("load balancer: built from the root Dockerfile's load-balancer target, published on 127.0.0.1:8080 only, after every app is healthy", () => {
    const lb = resolved.services[LOAD_BALANCER_SERVICE];
    assert.deepEqual(lb.build, { context: '.', target: 'load-balancer' });
    assert.deepEqual(lb.ports, ['127.0.0.1:8080:80']);
    assert.deepEqual(
      interpolate(raw.services[LOAD_BALANCER_SERVICE].ports, { ...SECRETS, STATELAB_PORT: '9090' }),
      ['127.0.0.1:9090:80'],
    );
    assert.deepEqual(
      lb.depends_on,
      Object.fromEntries(apps.map((s) => [s.id, { condition: 'service_healthy' }])),
    );
  });
});

describe('docker-compose.yml: secrets', () => {
  const REQUIRED = ['SESSION_SECRET', 'JWT_SECRET', 'REDIS_PASSWORD'];

  for (const name of REQUIRED) {
    for (const [how, value] of [
      ['missing', undefined],
      ['empty', ''],
    ] as const) {
      it(`refuses to start when ${name} is ${how}, pointing at .env.example`, () => {
        const env = { ...SECRETS, [name]: value };
        assert.throws(
          () => interpolate(raw, env),
          (err: unknown) =>
            err instanceof InterpolationError &&
            err.message.includes(`set ${name} in .env (see .env.example)`),
        );
      });
    }
  }

  it('holds no secret value: every secret is a required reference to .env, with its message', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    for (const line of text.split('\n').filter((l) => /SECRET\s*:/.test(l))) {
      assert.match(line, /SECRET: \$\{[A-Z_]+_SECRET:\?set [A-Z_]+ in \.env \(see \.env\.example\)\}$/, line);
    }
    const references = [...text.matchAll(/\$\{(REDIS_PASSWORD)([^}]*)\}/g)];
    assert.equal(references.length, 2, 'the redis service and the stateful-redis apps');
    for (const [, name, rest] of references) assert.equal(rest, `:?set ${name} in .env (see .env.example)`);
  });

  it('.env.example names every variable the file reads, with the secrets left empty', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    const read = new Set([...text.matchAll(/\$\{([A-Z_]+)[:}?-]/g)].map((m) => m[1]!));
    const example = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
    const named = new Set([...example.matchAll(/^#?\s*([A-Z_]+)=/gm)].map((m) => m[1]!));
    assert.deepEqual([...read].sort(), [...named].sort());
    for (const name of REQUIRED) assert.match(example, new RegExp(`^${name}=$`, 'm'));
  });

  it('compose with the secrets from .env yields apps that accept them (at least 32 bytes)', () => {
    const weak = interpolate(raw, { ...SECRETS, SESSION_SECRET: 'short', JWT_SECRET: 'short' });
    assert.throws(() => loadStatelessConfig(weak.services['stateless-1'].environment), /JWT_SECRET/);
    assert.throws(() => loadStatefulConfig(weak.services['stateful-1'].environment), /SESSION_SECRET/);
  });
});
