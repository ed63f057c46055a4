/**
 * A small HTTP client for tests: one cookie jar per client, JSON in and out, raw bodies when a test
 * needs to send something a well-behaved client would not.
 */
import { type CookieJar, createCookieJar } from '../dev/cookie-jar.ts';

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back and assert on it.
  body: any;
}

export interface RequestOptions {
  json?: unknown;
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  /** Skip the jar for this request (send no cookie, keep none). */
  noCookies?: boolean;
}

export interface TestClient {
  readonly jar: CookieJar;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
}

export function createTestClient(baseUrl: string): TestClient {
  const jar = createCookieJar();
  return {
    jar,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | Uint8Array<ArrayBuffer> | undefined = options.body;
      if (options.json !== undefined) {
        body = JSON.stringify(options.json);
        headers['content-type'] ??= 'application/json';
      }
      const cookie = options.noCookies ? undefined : jar.header();
      if (cookie && headers.cookie === undefined) headers.cookie = cookie;
      const res = await fetch(new URL(path, baseUrl), { method, headers, body, redirect: 'manual' });
      if (!options.noCookies) jar.store(res.headers.getSetCookie());
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
  };
}
