/**
 * One shopper request outside autocannon (undici), for the steps that are not a steady load:
 * filling carts before cart-size, and the bursts of concurrent-updates, where several requests
 * of one shopper must be in flight at once (autocannon keeps one per connection).
 */
import { request } from 'undici';
import type { Action, Tally } from './ledger.ts';
import { buildRequest, handleAnswer, handleNoAnswer, type Shopper } from './shopper.ts';

export interface DirectAnswer {
  status: number | undefined;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends `action` as `shopper` and waits; the answer is not booked (for callers that book it later). */
export async function send(
  baseUrl: string,
  prefix: string,
  shopper: Shopper,
  action: Action,
): Promise<DirectAnswer> {
  const out = buildRequest(shopper, action, prefix);
  const started = performance.now();
  try {
    const res = await request(new URL(out.path, baseUrl), {
      method: out.method,
      headers: out.headers,
      ...(out.body === undefined ? {} : { body: out.body }),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const body = await res.body.text();
    return { status: res.statusCode, latencyMs: performance.now() - started, headers: res.headers, body };
  } catch {
    return { status: undefined, latencyMs: performance.now() - started, headers: {}, body: '' };
  }
}

/** Books an answer for `action` in the shopper's ledger and in `tally`. */
export function book(shopper: Shopper, action: Action, answer: DirectAnswer, tally: Tally): void {
  if (answer.status === undefined) {
    tally.errors++;
    tally.connectionErrors++;
    handleNoAnswer(shopper, action);
    return;
  }
  handleAnswer(shopper, action, { status: answer.status, headers: answer.headers, body: answer.body }, tally);
}

/** Sends and books at once: the shopper's next request sees this answer's cookie or token. */
export async function step(
  baseUrl: string,
  prefix: string,
  shopper: Shopper,
  action: Action,
  tally: Tally,
): Promise<DirectAnswer> {
  const answer = await send(baseUrl, prefix, shopper, action);
  book(shopper, action, answer, tally);
  return answer;
}
