/** HTTP at the socket level, for what fetch cannot do: malformed bytes, one kept socket, a bare connect. */
import http from 'node:http';
import net from 'node:net';

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Sends bytes no HTTP client library would, and reads the raw answer until the server closes. */
export function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer; got so far: ${data}`)));
    socket.on('data', (chunk) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(data));
  });
}

/** What a client that stops halfway sees: every byte the server wrote, and when it closed. */
export function stalledExchange(
  port: number,
  bytes: string,
  limitMs: number,
): Promise<{ data: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(limitMs, () =>
      socket.destroy(new Error(`still open after ${limitMs} ms; got: ${data}`)),
    );
    socket.on('data', (chunk) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ data, ms: Date.now() - started }));
  });
}

/** `rawExchange`, its answer parsed: status, headers, JSON body. */
export async function rawRequest(port: number, bytes: string): Promise<Answer> {
  const [head = '', ...rest] = (await rawExchange(port, bytes)).split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Headers();
  for (const line of lines)
    headers.append(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) };
}

/** A GET through `agent`, so a test decides which socket it travels on. */
export function getVia(agent: http.Agent, port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) headers.set(name, String(value));
        resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
  });
}

/** Whether anything accepts a connection on the port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
