/**
 * A throwaway redis-server on loopback, as the lab, the tests and the bench run it: no persistence,
 * so a killed Redis comes back empty (the outage the lab shows), and its files in one temp dir.
 * It is bounded and locked as compose's is: `maxmemory` with `noeviction`, and a password.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { ManagedProcess } from './managed-process.ts';
import { redisPing, waitUntilReady } from './wait.ts';

/**
 * A full Redis refuses writes (the app answers 503 store_unavailable) and keeps every stored
 * session; an evicting policy would drop live carts without a word.
 */
export const REDIS_MAXMEMORY_POLICY = 'noeviction';
/** About 200k empty sessions (~330 B each), far beyond what a lab run holds. */
export const REDIS_DEFAULT_MAXMEMORY = '64mb';
/** redis-server's own units: 64mb, 2mb, 1gb. */
export const REDIS_MAXMEMORY_PATTERN = /^[1-9]\d*(kb|mb|gb)$/;
/** Unreserved URL characters only: it goes unescaped into a `redis://` URL and a config line. */
const PASSWORD_PATTERN = /^[A-Za-z0-9._~-]{16,}$/;

export interface RedisServerArgs {
  readonly port: number;
  /** Its working dir (nothing is written there: no RDB, no AOF). */
  readonly dir: string;
  /** The file `writeRedisConfig` wrote: the password, kept off the command line. */
  readonly configFile: string;
  readonly maxmemory: string;
}

/** The config file comes first: redis-server reads it, then the flags. */
export function redisServerArgs(options: RedisServerArgs): string[] {
  return [
    options.configFile,
    '--port',
    String(options.port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    options.dir,
    '--maxmemory',
    options.maxmemory,
    '--maxmemory-policy',
    REDIS_MAXMEMORY_POLICY,
  ];
}

/** A random password, as the lab makes one per run. */
export function redisPassword(): string {
  return randomBytes(32).toString('hex');
}

/** `redis://:<password>@127.0.0.1:<port>`, the form ioredis sends AUTH from. */
export function redisUrl(port: number, password: string): string {
  return `redis://:${password}@127.0.0.1:${port}`;
}

/**
 * Writes `dir/redis.conf` with `requirepass`, readable by its owner only: a password among the
 * flags shows in every local user's `ps` while redis-server starts. Returns its path.
 */
export async function writeRedisConfig(dir: string, password: string): Promise<string> {
  if (!PASSWORD_PATTERN.test(password)) {
    throw new Error('a Redis password is at least 16 characters from A-Z a-z 0-9 . _ ~ -');
  }
  const file = join(dir, 'redis.conf');
  await writeFile(file, `requirepass ${password}\n`, { mode: 0o600 });
  return file;
}

export interface RedisServerOptions {
  /** Default: the one on PATH. */
  command?: string;
  /** Default: a random one, kept across `kill()` and `start()`. */
  password?: string;
  /** Default REDIS_DEFAULT_MAXMEMORY; tests fill a tiny one. */
  maxmemory?: string;
}

export interface RedisServer {
  readonly port: number;
  readonly password: string;
  /** With the password: what an app's REDIS_URL is. */
  readonly url: string;
  /** Its working dir, removed by `close()`. */
  readonly dir: string;
  /** The running process's pid; undefined while it is down. */
  readonly pid: number | undefined;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (no-op while it runs); resolves once PING answers PONG. */
  start(): Promise<void>;
  /** Stops it and removes its temp dir. */
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

async function launch(command: string, args: RedisServerArgs, password: string): Promise<ManagedProcess> {
  const proc = await ManagedProcess.spawn({
    command,
    args: redisServerArgs(args),
    env: { PATH: process.env.PATH ?? '' },
  });
  try {
    await waitUntilReady(
      proc,
      `redis-server on port ${args.port}`,
      () => redisPing('127.0.0.1', args.port, { password }),
      READY_TIMEOUT_MS,
    );
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return proc;
}

/** redis-server on a free loopback port, with a password and a memory limit. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const command = options.command ?? 'redis-server';
  const password = options.password ?? redisPassword();
  const maxmemory = options.maxmemory ?? REDIS_DEFAULT_MAXMEMORY;
  if (!REDIS_MAXMEMORY_PATTERN.test(maxmemory)) {
    throw new Error(`maxmemory must look like 64mb (kb, mb or gb), got "${maxmemory}"`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'statelab-redis-'));
  let proc: ManagedProcess | undefined;
  let args: RedisServerArgs;
  try {
    args = { port: await freePort(), dir, configFile: await writeRedisConfig(dir, password), maxmemory };
    proc = await launch(command, args, password);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const kill = async () => {
    await proc?.kill();
  };
  return {
    port: args.port,
    password,
    url: redisUrl(args.port, password),
    dir,
    get pid() {
      return proc?.isRunning() ? proc.pid : undefined;
    },
    kill,
    async start() {
      if (proc?.isRunning()) return;
      proc = await launch(command, args, password);
    },
    async close() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
