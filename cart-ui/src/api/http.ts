/** One JSON request from the page to its own origin, timed; a network failure is an answer too. */
export interface JsonAnswer {
  /** 0 when no HTTP answer came (connection refused, aborted, timed out). */
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly latencyMs: number;
  /** Set when no HTTP answer came. */
  readonly failure?: string;
}

/** Longer than a control API `start` (it answers once the instance is ready). */
const TIMEOUT_MS = 60_000;

export async function requestJson(
  method: string,
  url: string,
  json?: unknown,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<JsonAnswer> {
  const started = performance.now();
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  const init: RequestInit = {
    method,
    cache: 'no-store',
    credentials: 'same-origin',
    headers,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  };
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, body, latencyMs: performance.now() - started };
  } catch (err) {
    return {
      status: 0,
      headers: new Headers(),
      body: undefined,
      latencyMs: performance.now() - started,
      failure: err instanceof Error ? err.message : String(err),
    };
  }
}
