/** HTTP below fetch: one kept socket, a bare connect (raw bytes: rawExchange in @statelab/cart-core/testing). */
import http from 'node:http';
import net from 'node:net';

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  /** The `X-Request-Id` the request carried, when the test sent one. */
  sentId?: string;
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
