/**
 * One shopper request outside autocannon (undici), for the steps that are not a steady load:
 * filling carts before cart-size, and the bursts of concurrent-updates, where several requests
 * of one shopper must be in flight at once (autocannon keeps one per connection).
 */
import { request } from 'undici';
import { type Action, recordConnectionError, type Tally } from './ledger.ts';
import {
  buildRequest,
  firstSend,
  handleAnswer,
  handleNoAnswer,
  nextSend,
  type Send,
  type Shopper,
} from './shopper.ts';

export interface DirectAnswer {
  status: number | undefined;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one try as `shopper` and waits; the answer is not booked (for callers that book it later). */
export async function send(
  baseUrl: string,
  prefix: string,
  shopper: Shopper,
  sent: Send,
): Promise<DirectAnswer> {
  const out = buildRequest(shopper, sent, prefix);
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

/** Books an answer to `sent` in the shopper's ledger and in `tally`. */
export function book(shopper: Shopper, sent: Send, answer: DirectAnswer, tally: Tally): void {
  if (answer.status === undefined) {
    recordConnectionError(tally);
    handleNoAnswer(shopper, sent, tally);
    return;
  }
  handleAnswer(shopper, sent, { status: answer.status, headers: answer.headers, body: answer.body }, tally);
}

/**
 * Sends `action` and books it, then its retries as the careful client sends them: the shopper's
 * next request sees the last answer's cookie or token. Resolves with the last try's answer.
 */
export async function step(
  baseUrl: string,
  prefix: string,
  shopper: Shopper,
  action: Action,
  tally: Tally,
): Promise<DirectAnswer> {
  let sent = firstSend(shopper, action);
  for (;;) {
    const answer = await send(baseUrl, prefix, shopper, sent);
    book(shopper, sent, answer, tally);
    if (!shopper.retry) return answer;
    sent = nextSend(shopper);
  }
}
