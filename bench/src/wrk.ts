/**
 * Load generator check: wrk (C, one thread) against the same baseline URL, for the same duration and
 * connections, right after autocannon. If the two disagree by more than 15%, the bench's own req/s
 * are suspect (the load generator, not the server, set the pace).
 */
import { spawn } from 'node:child_process';

export type LoadGeneratorCheck =
  | {
      status: 'checked';
      tool: 'wrk';
      url: string;
      instances: number;
      connections: number;
      durationS: number;
      autocannonRps: number;
      wrkRps: number;
      /** autocannonRps / wrkRps. */
      ratio: number;
      agreesWithin15: boolean;
      /** Non-2xx answers and socket errors wrk saw. */
      wrkErrors: number;
    }
  | { status: 'not checked'; reason: string };

export const AGREEMENT = 0.15;

export function notChecked(reason: string): LoadGeneratorCheck {
  return { status: 'not checked', reason };
}

export interface WrkResult {
  rps: number;
  requests: number;
  errors: number;
}

/** Reads wrk's summary: `Requests/sec:`, the request count, non-2xx answers and socket errors. */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const requests = /^\s*(\d+) requests in /m.exec(text);
  if (!rps || !requests) throw new Error(`unexpected wrk output: ${text.trim().slice(-300)}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  return { rps: Number(rps[1]), requests: Number(requests[1]), errors: non2xx + socketErrors };
}

export interface WrkSpec {
  command: string;
  url: string;
  connections: number;
  /** wrk takes whole seconds. */
  durationS: number;
}

/** Runs wrk once, bounded by `-d` and, should it hang, killed a few seconds after that. */
export function runWrk(spec: WrkSpec): Promise<WrkResult> {
  const args = ['-t1', `-c${spec.connections}`, `-d${spec.durationS}s`, spec.url];
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: (spec.durationS + 10) * 1000,
      killSignal: 'SIGKILL',
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(
          new Error(
            `wrk ${args.join(' ')} ended with ${signal ?? `exit ${code}`}: ${out.trim().slice(-300)}`,
          ),
        );
        return;
      }
      try {
        resolve(parseWrkOutput(out));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export interface CheckSpec {
  /** From `findExecutable('wrk', …)`; undefined: wrk is not installed. */
  command: string | undefined;
  url: string;
  instances: number;
  connections: number;
  durationS: number;
  autocannonRps: number;
}

/** Runs wrk like the autocannon step just run and compares; a wrk failure is recorded, not thrown. */
export async function checkWithWrk(spec: CheckSpec): Promise<LoadGeneratorCheck> {
  if (!spec.command) return notChecked('wrk not installed');
  const durationS = Math.max(1, Math.round(spec.durationS));
  let wrk: WrkResult;
  try {
    wrk = await runWrk({ command: spec.command, url: spec.url, connections: spec.connections, durationS });
  } catch (err) {
    return notChecked(`wrk failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const ratio = wrk.rps > 0 ? spec.autocannonRps / wrk.rps : 0;
  return {
    status: 'checked',
    tool: 'wrk',
    url: spec.url,
    instances: spec.instances,
    connections: spec.connections,
    durationS,
    autocannonRps: spec.autocannonRps,
    wrkRps: Math.round(wrk.rps * 10) / 10,
    ratio: Math.round(ratio * 1000) / 1000,
    agreesWithin15: wrk.rps > 0 && Math.abs(ratio - 1) <= AGREEMENT,
    wrkErrors: wrk.errors,
  };
}
