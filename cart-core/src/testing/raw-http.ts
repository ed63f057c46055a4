/** HTTP at the socket level, for the bytes no HTTP client sends: smuggling, bare LF, a stalled request. */
import net from 'node:net';
import type { TestResponse } from './test-client.ts';

export interface RawOptions {
  /** Give up (and fail) when the server neither answers nor closes within this (default 5 s). */
  timeoutMs?: number;
  /** Keep the sending side open, as a client still writing would (default: end it after the bytes); then the server must close. */
  keepOpen?: boolean;
}

/** Sends `bytes` on a fresh connection and reads everything until the server closes it. */
export function rawExchange(port: number, bytes: string, options: RawOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      if (options.keepOpen) socket.write(bytes);
      else socket.end(bytes);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(options.timeoutMs ?? 5000, () =>
      socket.destroy(new Error(`no answer; got so far: ${JSON.stringify(data)}`)),
    );
    socket.on('data', (chunk) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.destroy();
      resolve(data);
    });
  });
}

function dechunk(chunked: string): string {
  let text = '';
  let at = 0;
  for (;;) {
    const eol = chunked.indexOf('\r\n', at);
    const size = Number.parseInt(chunked.slice(at, eol), 16);
    if (eol < 0 || !(size > 0)) return text;
    text += chunked.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** The first answer of a raw exchange (status, headers, text, JSON body when it is JSON). */
export function parseRawAnswer(answer: string): TestResponse {
  const split = answer.indexOf('\r\n\r\n');
  const head = split < 0 ? answer : answer.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get('content-length') ?? Number.NaN);
  const rest = split < 0 ? '' : answer.slice(split + 4);
  // Content-Length counts bytes; every answer parsed here is ASCII JSON.
  const text = /chunked/i.test(headers.get('transfer-encoding') ?? '')
    ? dechunk(rest)
    : Number.isInteger(length)
      ? rest.slice(0, length)
      : rest;
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, text, body };
}

export async function rawRequest(port: number, bytes: string, options?: RawOptions): Promise<TestResponse> {
  return parseRawAnswer(await rawExchange(port, bytes, options));
}
