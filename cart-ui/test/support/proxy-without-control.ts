/**
 * Stands in for a compose deployment without the control API: a plain HTTP proxy in front of a
 * real lab that passes everything through except `/lab/`, which gets an HTML 404 as a bare
 * web server would give.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startProxyWithoutControl(target: string): Promise<RunningProxy> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/lab/')) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>404 Not Found</h1>');
      return;
    }
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
