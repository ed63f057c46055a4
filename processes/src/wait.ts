/**
 * Waiting for children: poll a check under a deadline, never sleep-and-hope. Probes open a fresh
 * connection and close it, so no idle keep-alive socket of ours delays an instance's drain later.
 */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describeExit, type ManagedProcess } from './managed-process.ts';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each attempt: an error here ends the wait at once (the child exited). */
  failFast?: () => Error | undefined;
  /** The error to throw at the deadline (it should carry the child's last output). */
  onTimeout: () => Error;
}

/** Polls `probe` until it yields a value (not undefined); a probe that throws counts as "not yet". */
export async function pollFor<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const failure = options.failFast?.();
    if (failure) throw failure;
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw options.onTimeout();
    await delay(options.intervalMs ?? 50);
  }
}

export async function pollUntil(check: () => Promise<boolean>, options: PollOptions): Promise<void> {
  await pollFor(async () => ((await check()) ? true : undefined), options);
}

/**
 * Waits for a child: `probe` yields a value once it is ready; its exit ends the wait at once, and
 * either failure carries its last output.
 */
export function waitUntilReady<T>(
  proc: ManagedProcess,
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  return pollFor(async () => (await probe()) || undefined, {
    timeoutMs,
    failFast: () => {
      const exit = proc.exitInfo();
      return exit && new Error(describeExit(what, exit, proc.lastLines()));
    },
    onTimeout: () =>
      new Error(`${what} was not ready within ${timeoutMs} ms; last output:\n${proc.output().slice(-3000)}`),
  }) as Promise<T>;
}

/** The first line of the child's output that `match` turns into a value (a ready line). */
export function waitForLine<T>(
  proc: ManagedProcess,
  what: string,
  match: (line: string) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return waitUntilReady(
    proc,
    what,
    async () => {
      for (const line of proc.output().split('\n')) {
        const value = match(line);
        if (value !== undefined) return value;
      }
      return undefined;
    },
    timeoutMs,
  );
}

export interface HttpStatusOptions {
  timeoutMs?: number;
  /** Sends the request over this Unix socket (an app on SOCKET_PATH); the URL gives path and Host. */
  socketPath?: string;
}

/** GET without keep-alive; resolves with the status, or 0 when nothing answered in time. */
export function httpStatus(url: string, options: HttpStatusOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(
      url,
      {
        agent: false,
        headers: { connection: 'close' },
        timeout: options.timeoutMs ?? 1000,
        ...(options.socketPath ? { socketPath: options.socketPath } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** One command in RESP, Redis's wire format: each argument length-prefixed, so any byte is safe. */
function resp(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Sends `commands` pipelined on a fresh raw socket; resolves with the first line of each reply
 * (`+PONG`, `-NOAUTH Authentication required.`), or undefined when they did not all come in time.
 * Meant for one-line replies (status and error), as probes and tests get.
 */
export function redisReplies(
  host: string,
  port: number,
  commands: readonly (readonly string[])[],
  timeoutMs = 1000,
): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let answer = '';
    const done = (lines: string[] | undefined) => {
      socket.destroy();
      resolve(lines);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('connect', () => socket.write(commands.map(resp).join('')));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      const lines = answer.split('\r\n');
      if (lines.length > commands.length) done(lines.slice(0, commands.length));
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}

/**
 * Redis is ready when PING answers +PONG (not -LOADING); with a password, AUTH goes first in the
 * same round trip, and a refused AUTH (or a NOAUTH without one) counts as not ready.
 */
export async function redisPing(
  host: string,
  port: number,
  options: { password?: string; timeoutMs?: number } = {},
): Promise<boolean> {
  const auth = options.password === undefined ? [] : [['AUTH', options.password]];
  const replies = await redisReplies(host, port, [...auth, ['PING']], options.timeoutMs);
  if (!replies) return false;
  return replies.every((line, i) => (i === replies.length - 1 ? line.startsWith('+PONG') : line === '+OK'));
}
