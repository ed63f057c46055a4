/** Requests for the app a test runs, each on its own connection, and the cookies a reply sets. */
import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One request on its own connection (no keep-alive), so a draining server is not held open by us;
 * over `socketPath` when given (the URL then gives only the path).
 */
export function request(
  url: string,
  options: { method?: string; json?: unknown; cookie?: string; socketPath?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const headers: Record<string, string> = { connection: 'close' };
    if (body) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        headers,
        timeout: 5000,
        ...(options.socketPath ? { socketPath: options.socketPath } : {}),
      },
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
