/**
 * Waiting for children: poll a check under a deadline, never sleep-and-hope. Probes open a fresh
 * connection and close it, so no idle keep-alive socket of ours delays an instance's drain later.
 */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each attempt: an error here ends the wait at once (the child exited). */
  failFast?: () => Error | undefined;
  /** The error to throw at the deadline (it should carry the child's last output). */
  onTimeout: () => Error;
}

export async function pollUntil(check: () => Promise<boolean>, options: PollOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const failure = options.failFast?.();
    if (failure) throw failure;
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline) throw options.onTimeout();
    await delay(options.intervalMs ?? 50);
  }
}

/** GET without keep-alive; resolves with the status, or 0 when nothing answered in time. */
export function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(
      url,
      { agent: false, headers: { connection: 'close' }, timeout: timeoutMs },
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

/** Redis is ready when PING answers +PONG (not -LOADING) on a raw socket. */
export function redisPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}
