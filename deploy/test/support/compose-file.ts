/**
 * docker-compose.yml as compose reads it: YAML with merge keys (`<<`), then `${...}` interpolation
 * from an environment (the `.env` file), with compose's own rules for defaults and required values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/repo-root.ts';

export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document is checked field by field by the tests.
export type ComposeDocument = Record<string, any>;

export function readComposeFile(): ComposeDocument {
  return parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeDocument;
}

export class InterpolationError extends Error {}

// `$$` is a literal `$`; `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`.
const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function interpolateString(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(PATTERN, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = env[name];
    const missing = op?.startsWith(':') ? !value : value === undefined;
    if (!op || !missing) return value ?? '';
    if (op.endsWith('?'))
      throw new InterpolationError(`required variable ${name} is missing a value: ${arg}`);
    return arg ?? '';
  });
}

/** Every string in the document interpolated; throws on the first required variable missing. */
export function interpolate<T>(value: T, env: Readonly<Record<string, string | undefined>>): T {
  if (typeof value === 'string') return interpolateString(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T;
  }
  return value;
}

/** Compose durations as used here (`25s`, `1m30s`, `500ms`) in milliseconds. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}
