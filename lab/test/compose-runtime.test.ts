/**
 * The compose runtime without a Docker engine: the engine is the one boundary faked, by a runner
 * that records each `docker compose` command line and answers in compose's own `ps` formats.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CommandResult, execRunner } from '../src/compose/compose-cli.ts';
import { type ComposeContainer, containerState, parsePs } from '../src/compose/compose-ps.ts';
import { createComposeRuntime } from '../src/compose/compose-runtime.ts';
import { InstanceFailedError, UnknownInstanceError } from '../src/runtime.ts';

interface Row {
  State: string;
  Health: string;
  ExitCode: number;
}

/** One `ps --format json` object as compose 2.21+ prints it (fields as in its output, values ours). */
function psObject(service: string, row: Row): Record<string, unknown> {
  const running = row.State === 'running';
  return {
    Command: '"docker-entrypoint.s…"',
    CreatedAt: '2026-01-05 10:00:00 +0000 UTC',
    ExitCode: row.ExitCode,
    Health: row.Health,
    ID: `${service.replace(/-/g, '')}0000000000`.slice(0, 12),
    Image: service === 'redis' ? 'redis:7.4.2-alpine' : `statelab/${service.split('-')[0]}-app:local`,
    Labels: `com.docker.compose.project=statelab,com.docker.compose.service=${service}`,
    LocalVolumes: '0',
    Mounts: '',
    Name: `statelab-${service}-1`,
    Names: `statelab-${service}-1`,
    Networks: 'statelab_default',
    Ports: '',
    Project: 'statelab',
    Publishers: [],
    RunningFor: '2 minutes ago',
    Service: service,
    Size: '0B',
    State: row.State,
    Status: running
      ? `Up 2 minutes${row.Health ? ` (${row.Health})` : ''}`
      : `Exited (${row.ExitCode}) 5 seconds ago`,
  };
}

const UP: Row = { State: 'running', Health: 'healthy', ExitCode: 0 };
const LOGS = '{"level":30,"msg":"listening"}\n{"level":50,"msg":"boom: the last words"}';

/**
 * A compose project in memory: `kill` leaves exit 137, `stop` exit 0, `start` and `restart` run the
 * container with health `starting`, which turns `healthy` after `healthyAfter` polls (or never).
 */
function fakeCompose(
  initial: Record<string, Row>,
  behaviour: { healthyAfter?: number; exitOnStart?: number } = {},
) {
  const rows = new Map(Object.entries(initial));
  const calls: string[] = [];
  let pollsUntilHealthy = Number.POSITIVE_INFINITY;
  const ok = (stdout = ''): CommandResult => ({ stdout, stderr: '', code: 0 });
  const boot = (service: string) => {
    if (behaviour.exitOnStart !== undefined) {
      rows.set(service, { State: 'exited', Health: '', ExitCode: behaviour.exitOnStart });
      return;
    }
    rows.set(service, { State: 'running', Health: 'starting', ExitCode: 0 });
    pollsUntilHealthy = behaviour.healthyAfter ?? Number.POSITIVE_INFINITY;
  };
  async function run(args: readonly string[]): Promise<CommandResult> {
    calls.push(args.join(' '));
    const service = args.at(-1)!;
    switch (args[0]) {
      case 'ps': {
        const wanted = args.length > 4 ? [service] : [...rows.keys()];
        for (const [name, row] of rows) {
          if (wanted.includes(name) && row.Health === 'starting' && --pollsUntilHealthy <= 0) {
            rows.set(name, { ...row, Health: 'healthy' });
          }
        }
        const lines = wanted.flatMap((name) =>
          rows.has(name) ? [JSON.stringify(psObject(name, rows.get(name)!))] : [],
        );
        return ok(lines.map((l) => `${l}\n`).join(''));
      }
      case 'kill':
        rows.set(service, { State: 'exited', Health: '', ExitCode: 137 });
        return ok();
      case 'stop':
        rows.set(service, { State: 'exited', Health: '', ExitCode: 0 });
        return ok();
      case 'start':
      case 'restart':
        if (!rows.has(service))
          return { stdout: '', stderr: `service "${service}" has no container to start`, code: 1 };
        boot(service);
        return ok();
      case 'logs':
        return ok(LOGS);
      default:
        return { stdout: '', stderr: `unknown command ${args[0]}`, code: 1 };
    }
  }
  return { run, calls, rows };
}

const runtimeFor = (fake: ReturnType<typeof fakeCompose>, readyTimeoutMs = 5000) =>
  createComposeRuntime({ run: fake.run, pollIntervalMs: 1, readyTimeoutMs, downTimeoutMs: 1000 });

describe('compose runtime: docker compose ps parsing', () => {
  const rows = [
    psObject('stateless-1', UP),
    psObject('redis', { State: 'exited', Health: '', ExitCode: 137 }),
  ];
  const expected: ComposeContainer[] = [
    { service: 'stateless-1', state: 'running', health: 'healthy', exitCode: 0 },
    { service: 'redis', state: 'exited', health: '', exitCode: 137 },
  ];

  it('reads one object per line (compose >= 2.21)', () => {
    assert.deepEqual(parsePs(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`), expected);
  });

  it('reads one JSON array (compose < 2.21)', () => {
    assert.deepEqual(parsePs(JSON.stringify(rows)), expected);
  });

  it('reads no containers from empty output, and rejects anything else with the output quoted', () => {
    assert.deepEqual(parsePs('\n'), []);
    assert.deepEqual(parsePs('[]'), []);
    assert.throws(
      () => parsePs('NAME IMAGE COMMAND'),
      /unexpected output from docker compose ps: NAME IMAGE/,
    );
  });

  const states: Array<[string, ComposeContainer | undefined, string]> = [
    ['no container', undefined, 'stopped'],
    ['running, healthy', { service: 's', state: 'running', health: 'healthy', exitCode: 0 }, 'running'],
    ['running, no healthcheck', { service: 's', state: 'running', health: '', exitCode: 0 }, 'running'],
    [
      'running, unhealthy (Redis down)',
      { service: 's', state: 'running', health: 'unhealthy', exitCode: 0 },
      'running',
    ],
    [
      'running, health starting',
      { service: 's', state: 'running', health: 'starting', exitCode: 0 },
      'starting',
    ],
    ['restarting', { service: 's', state: 'restarting', health: '', exitCode: 1 }, 'starting'],
    ['created, never started', { service: 's', state: 'created', health: '', exitCode: 0 }, 'stopped'],
    ['exited 0 after a stop', { service: 's', state: 'exited', health: '', exitCode: 0 }, 'stopped'],
    ['exited 137 after a kill', { service: 's', state: 'exited', health: '', exitCode: 137 }, 'stopped'],
    ['exited 143 on SIGTERM', { service: 's', state: 'exited', health: '', exitCode: 143 }, 'stopped'],
    ['exited 78 on a bad config', { service: 's', state: 'exited', health: '', exitCode: 78 }, 'crashed'],
    ['exited 1 on a crash', { service: 's', state: 'exited', health: '', exitCode: 1 }, 'crashed'],
    ['dead', { service: 's', state: 'dead', health: '', exitCode: 0 }, 'crashed'],
  ];
  for (const [name, container, state] of states) {
    it(`a container ${name} is ${state}`, () => assert.equal(containerState(container), state));
  }
});

describe('compose runtime: commands', () => {
  it('list() runs `ps --all --format json` and lists redis then every instance of TOPOLOGY', async () => {
    const fake = fakeCompose({
      redis: UP,
      'stateful-1': UP,
      'stateful-2': { State: 'exited', Health: '', ExitCode: 137 },
      'stateless-3': { State: 'exited', Health: '', ExitCode: 1 },
      'stateful-redis-1': { State: 'running', Health: 'starting', ExitCode: 0 },
    });
    const list = await runtimeFor(fake).list();
    assert.deepEqual(fake.calls, ['ps --all --format json']);
    assert.deepEqual(
      list.map((i) => [i.id, i.variant, i.state]),
      [
        ['redis', 'redis', 'running'],
        ['stateful-1', 'stateful', 'running'],
        ['stateful-2', 'stateful', 'stopped'],
        ['stateful-3', 'stateful', 'stopped'],
        ['stateful-redis-1', 'stateful-redis', 'starting'],
        ['stateful-redis-2', 'stateful-redis', 'stopped'],
        ['stateful-redis-3', 'stateful-redis', 'stopped'],
        ['stateless-1', 'stateless', 'stopped'],
        ['stateless-2', 'stateless', 'stopped'],
        ['stateless-3', 'stateless', 'crashed'],
      ],
    );
    assert.equal(runtimeFor(fake).kind, 'compose');
  });

  it('kill(id) on a running instance → `kill -s SIGKILL <id>`, then stopped', async () => {
    const fake = fakeCompose({ 'stateful-2': UP });
    const info = await runtimeFor(fake).kill('stateful-2');
    assert.deepEqual(info, {
      id: 'stateful-2',
      variant: 'stateful',
      state: 'stopped',
      socket: '/run/statelab/stateful-2.sock',
    });
    assert.deepEqual(fake.calls, [
      'ps --all --format json stateful-2',
      'kill -s SIGKILL stateful-2',
      'ps --all --format json stateful-2',
    ]);
  });

  it('stop(id) on a running instance → `stop <id>` (SIGTERM, drain within stop_grace_period), then stopped', async () => {
    const fake = fakeCompose({ 'stateless-1': UP });
    const info = await runtimeFor(fake).stop('stateless-1');
    assert.equal(info.state, 'stopped');
    assert.deepEqual(fake.calls, [
      'ps --all --format json stateless-1',
      'stop stateless-1',
      'ps --all --format json stateless-1',
    ]);
  });

  it('kill and stop on an instance already down change nothing and answer its state', async () => {
    const fake = fakeCompose({ 'stateless-1': { State: 'exited', Health: '', ExitCode: 137 } });
    const runtime = runtimeFor(fake);
    assert.equal((await runtime.kill('stateless-1')).state, 'stopped');
    assert.equal((await runtime.stop('stateless-1')).state, 'stopped');
    assert.equal((await runtime.stop('stateless-2')).state, 'stopped', 'no container at all');
    assert.deepEqual(fake.calls, [
      'ps --all --format json stateless-1',
      'ps --all --format json stateless-1',
      'ps --all --format json stateless-2',
    ]);
  });

  it('start(id) → `start <id>`, then resolves once the healthcheck passes', async () => {
    const fake = fakeCompose(
      { 'stateful-redis-3': { State: 'exited', Health: '', ExitCode: 137 } },
      { healthyAfter: 3 },
    );
    const info = await runtimeFor(fake).start('stateful-redis-3');
    assert.deepEqual(info, {
      id: 'stateful-redis-3',
      variant: 'stateful-redis',
      state: 'running',
      socket: '/run/statelab/stateful-redis-3.sock',
    });
    assert.deepEqual(fake.calls.slice(0, 2), [
      'ps --all --format json stateful-redis-3',
      'start stateful-redis-3',
    ]);
    assert.ok(fake.calls.length >= 5, 'it polled ps until healthy');
    assert.ok(fake.calls.slice(2).every((c) => c === 'ps --all --format json stateful-redis-3'));
  });

  it('start(id) on a running, healthy instance changes nothing', async () => {
    const fake = fakeCompose({ redis: UP });
    assert.equal((await runtimeFor(fake).start('redis')).state, 'running');
    assert.deepEqual(fake.calls, ['ps --all --format json redis']);
  });

  it('start(id) of an instance that exits while starting fails with its last output', async () => {
    const fake = fakeCompose(
      { 'stateless-2': { State: 'exited', Health: '', ExitCode: 0 } },
      { exitOnStart: 78 },
    );
    const failure = await runtimeFor(fake)
      .start('stateless-2')
      .catch((err: unknown) => err);
    assert.ok(failure instanceof InstanceFailedError, String(failure));
    assert.match(failure.message, /stateless-2 exited with code 78/);
    assert.match(failure.message, /boom: the last words/);
    assert.ok(fake.calls.includes('logs --no-color --tail 20 stateless-2'));
  });

  it('start(id) that never turns healthy fails at the deadline with its last output', async () => {
    const fake = fakeCompose({ 'stateful-1': { State: 'exited', Health: '', ExitCode: 0 } });
    const failure = await runtimeFor(fake, 50)
      .start('stateful-1')
      .catch((err: unknown) => err);
    assert.ok(failure instanceof InstanceFailedError, String(failure));
    assert.match(failure.message, /not healthy within 50 ms \(running, starting\)/);
    assert.match(failure.message, /boom: the last words/);
  });

  it('restart(id) → `restart <id>` (graceful stop, then start), then resolves once healthy', async () => {
    const fake = fakeCompose({ 'stateful-2': UP }, { healthyAfter: 2 });
    const info = await runtimeFor(fake).restart('stateful-2');
    assert.equal(info.state, 'running');
    assert.equal(fake.calls[0], 'restart stateful-2');
    assert.equal(fake.rows.get('stateful-2')?.Health, 'healthy');
  });

  it('an unknown id → UnknownInstanceError, and no command runs', async () => {
    const fake = fakeCompose({});
    const runtime = runtimeFor(fake);
    for (const id of ['nginx', 'stateful-4', 'load-balancer', 'stateless-0', '../etc']) {
      await assert.rejects(runtime.kill(id), UnknownInstanceError);
      await assert.rejects(runtime.start(id), UnknownInstanceError);
    }
    assert.deepEqual(fake.calls, []);
  });

  it('a failing compose command → InstanceFailedError carrying what compose said', async () => {
    const fake = fakeCompose({});
    const failure = await runtimeFor(fake)
      .start('stateless-1')
      .catch((err: unknown) => err);
    assert.ok(failure instanceof InstanceFailedError);
    assert.match(
      failure.message,
      /docker compose start stateless-1 failed \(exit 1\): service "stateless-1" has no container/,
    );
  });

  it('calls on one id run one after another: a kill during a start waits for it', async () => {
    const fake = fakeCompose(
      { 'stateless-1': { State: 'exited', Health: '', ExitCode: 137 } },
      { healthyAfter: 2 },
    );
    const runtime = runtimeFor(fake);
    const [started, killed] = await Promise.all([runtime.start('stateless-1'), runtime.kill('stateless-1')]);
    assert.equal(started.state, 'running');
    assert.equal(killed.state, 'stopped');
    const commands = fake.calls.filter((c) => !c.startsWith('ps'));
    assert.deepEqual(commands, ['start stateless-1', 'kill -s SIGKILL stateless-1']);
  });
});

describe('compose runtime: the real command runner', () => {
  const node = process.execPath;

  it('runs the command without a shell and returns stdout, stderr and the exit code', async () => {
    const run = execRunner(node, [
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1))); console.error("note"); process.exit(3)',
      '--',
    ]);
    const result = await run(['ps', '--all', '$(touch /tmp/x)', 'a b']);
    assert.deepEqual(JSON.parse(result.stdout), ['ps', '--all', '$(touch /tmp/x)', 'a b']);
    assert.equal(result.stderr.trim(), 'note');
    assert.equal(result.code, 3);
  });

  it('a command that is not installed → code 127 with the reason, never a rejection', async () => {
    const result = await execRunner('/nonexistent/docker', ['compose'])(['ps']);
    assert.equal(result.code, 127);
    assert.match(result.stderr, /ENOENT/);
  });

  it('a command that outlives its timeout is stopped → code 124', async () => {
    // A child that never ends by itself: it holds a loopback listener open until it is stopped.
    const forever = "require('node:net').createServer().listen(0, '127.0.0.1')";
    const result = await execRunner(node, ['-e', forever], 200)([]);
    assert.equal(result.code, 124);
  });
});
