/**
 * A minimal cookie jar for programmatic clients (tests, bench shoppers): keeps name=value pairs
 * from `Set-Cookie`, drops expired ones, sends them back. Paths and domains are ignored: a jar
 * talks to one origin and one variant.
 */
export interface CookieJar {
  /** Takes the response's `Set-Cookie` values. */
  store(setCookie: readonly string[]): void;
  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined;
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  clear(): void;
}

function isRemoval(attributes: string[]): boolean {
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=', 2).map((s) => s.trim());
    const k = key.toLowerCase();
    if (k === 'max-age' && Number(value) <= 0) return true;
    if (k === 'expires' && Date.parse(value) <= Date.now()) return true;
  }
  return false;
}

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  let cached: string | undefined;
  return {
    store(setCookie) {
      for (const line of setCookie) {
        const [pair = '', ...attributes] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        if (isRemoval(attributes)) cookies.delete(name);
        else cookies.set(name, pair.slice(eq + 1).trim());
        cached = undefined;
      }
    },
    header() {
      if (cookies.size === 0) return undefined;
      cached ??= [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
      return cached;
    },
    get: (name) => cookies.get(name),
    set(name, value) {
      cookies.set(name, value);
      cached = undefined;
    },
    clear() {
      cookies.clear();
      cached = undefined;
    },
  };
}
