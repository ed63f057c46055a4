/**
 * Real child processes for the tests: started on free loopback ports, waited for by polling under
 * a deadline, stopped by PID. A timeout fails with the child's last output.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { freePort, redisServerArgs } from '@statelab/processes';
import type { Cleanup } from './image-root.ts';

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

export function startChild(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv },
  cleanup: Cleanup,
): Child {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => {
      keep(Buffer.from(String(err)));
      resolve('spawn-error');
    });
  });
  cleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { process: child, output: () => output, exited };
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  child: Child,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void child.exited.then(() => (done = true));
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (done) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${what}: not ready (${done ? 'the process exited' : `${timeoutMs} ms`}); last output:\n${child.output()}`,
  );
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request on its own connection (no keep-alive), so a draining server is not held open by us. */
export function request(
  url: string,
  options: { method?: string; json?: unknown; cookie?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const headers: Record<string, string> = { connection: 'close' };
    if (body) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    const req = http.request(
      url,
      { method: options.method ?? 'GET', agent: false, headers, timeout: 5000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** `name=value` pairs from Set-Cookie, joined for a Cookie header. */
export function cookiesOf(reply: Reply): string {
  return (reply.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
}

/** A real redis-server on a free loopback port, no persistence; resolves once it answers PONG. */
export async function startRedis(cleanup: Cleanup): Promise<string> {
  const port = await freePort();
  const child = startChild(
    'redis-server',
    redisServerArgs(port, '/tmp'),
    { env: { PATH: process.env.PATH } },
    cleanup,
  );
  await waitFor('redis-server', () => ping(port), child);
  return `redis://127.0.0.1:${port}`;
}

function ping(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      resolve(chunk.toString('latin1').startsWith('+PONG') ? true : undefined);
      socket.destroy();
    });
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
  });
}
