/**
 * The shopper's ledger: what a shopper expects its cart to hold, checked against every answer.
 * Pure arithmetic over plain data, so each loss kind is tested by a table. Each discrepancy is
 * counted once: after a check the shopper adopts what the server showed.
 */
import { isFreshCart } from '@statelab/cart-core';

export type Action =
  | { readonly kind: 'get' }
  | { readonly kind: 'add'; readonly productId: string; readonly quantity: number }
  | { readonly kind: 'set'; readonly productId: string; readonly quantity: number }
  | { readonly kind: 'remove'; readonly productId: string }
  | { readonly kind: 'clear' };

export type Lines = ReadonlyMap<string, number>;

export interface Expectation {
  /** Undefined until the first answer. */
  readonly cartId: string | undefined;
  readonly rev: number;
  readonly lines: Lines;
  /** Lines a failed mutation may or may not have changed: the next answer settles them without blame. */
  readonly uncertain: ReadonlySet<string>;
  /** A `DELETE /api/cart` failed: a new cartId next is not a loss. */
  readonly cartUncertain: boolean;
}

export interface SeenCart {
  readonly cartId: string;
  readonly rev: number;
  readonly lines: Lines;
}

export interface Verdict {
  readonly next: Expectation;
  readonly lostSession: boolean;
  readonly lostItems: number;
  readonly duplicatedItems: number;
  /** Same cart, lower rev than already seen: an older copy of the cart answered. */
  readonly staleRead: boolean;
}

const NOTHING: ReadonlySet<string> = new Set();

export const EMPTY_EXPECTATION: Expectation = Object.freeze({
  cartId: undefined,
  rev: 0,
  lines: new Map(),
  uncertain: NOTHING,
  cartUncertain: false,
});

export function isMutation(action: Action): boolean {
  return action.kind !== 'get';
}

/** The lines a cart should hold once `action` succeeded on `lines`. */
export function applyAction(lines: Lines, action: Action): Map<string, number> {
  const next = new Map(lines);
  switch (action.kind) {
    case 'get':
      break;
    case 'add':
      next.set(action.productId, (next.get(action.productId) ?? 0) + action.quantity);
      break;
    case 'set':
      if (action.quantity === 0) next.delete(action.productId);
      else next.set(action.productId, action.quantity);
      break;
    case 'remove':
      next.delete(action.productId);
      break;
    case 'clear':
      next.clear();
      break;
  }
  return next;
}

function total(lines: Lines, skip: ReadonlySet<string>): number {
  let sum = 0;
  for (const [id, q] of lines) if (!skip.has(id)) sum += q;
  return sum;
}

function adopt(seen: SeenCart): Expectation {
  return { cartId: seen.cartId, rev: seen.rev, lines: seen.lines, uncertain: NOTHING, cartUncertain: false };
}

/** Lines whose outcome cannot be blamed on the server: earlier failures, unless this action settles them. */
function unsettled(exp: Expectation, action: Action): Set<string> {
  const open = new Set(exp.uncertain);
  if (action.kind === 'set' || action.kind === 'remove') open.delete(action.productId);
  return open;
}

/** Checks a 2xx answer to `action` against what the shopper expected. */
export function checkAnswer(exp: Expectation, action: Action, seen: SeenCart): Verdict {
  const clean = { next: adopt(seen), lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false };
  if (exp.cartId === undefined || action.kind === 'clear' || exp.cartUncertain) return clean;
  // A fresh cart may never have been stored (a stateful read stores none): a new cartId loses nothing.
  if (seen.cartId !== exp.cartId && !isFreshCart(exp)) {
    return { ...clean, lostSession: true, lostItems: total(exp.lines, exp.uncertain) };
  }
  const open = unsettled(exp, action);
  const want = applyAction(exp.lines, action);
  let lostItems = 0;
  let duplicatedItems = 0;
  for (const id of new Set([...want.keys(), ...seen.lines.keys()])) {
    if (open.has(id)) continue;
    const diff = (seen.lines.get(id) ?? 0) - (want.get(id) ?? 0);
    if (diff < 0) lostItems -= diff;
    else duplicatedItems += diff;
  }
  return { ...clean, lostItems, duplicatedItems, staleRead: seen.rev < exp.rev };
}

/**
 * After a failed request. A 4xx changed nothing (the contract says so); a 5xx or a broken
 * connection may have been applied, so the touched line (or the whole cart) becomes uncertain.
 */
export function afterFailure(exp: Expectation, action: Action, status: number | undefined): Expectation {
  if (status !== undefined && status < 500) return exp;
  switch (action.kind) {
    case 'get':
      return exp;
    case 'clear':
      return { ...exp, cartUncertain: true };
    default:
      return { ...exp, uncertain: new Set([...exp.uncertain, action.productId]) };
  }
}

/** Counters of one load run; plain data, merged across shoppers and phases. */
export interface Tally {
  /** Answers received, errors included. */
  requests: number;
  ok: number;
  /** Non-2xx answers plus connection failures and timeouts. */
  errors: number;
  connectionErrors: number;
  /** Requests whose first try failed (any failure, before a client retry). */
  firstTryFailures: number;
  /** Writes the shopper sent again after a broken connection or a 502/503/504 (shopper.ts). */
  retriedWrites: number;
  /** Requests that failed for good: not retried, or every retry failed too. */
  finalErrors: number;
  errorsByStatus: Record<string, number>;
  /** Shoppers that started a cart. */
  sessions: number;
  lostSessions: number;
  lostItems: number;
  duplicatedItems: number;
  staleReads: number;
  /** 2xx answers that were not a well-formed cart, or whose servedBy disagreed with X-Served-By. */
  invalidBodies: number;
  /** Answers without X-Served-By (nginx's own answers). */
  missingServedBy: number;
  /**
   * Answers whose X-Request-Id was not their request's: the load generator credited an answer to
   * the wrong request, so the ledger could not check it. Any at all make a run suspect.
   */
  mispairedAnswers: number;
  perInstance: Record<string, number>;
}

export function createTally(): Tally {
  return {
    requests: 0,
    ok: 0,
    errors: 0,
    connectionErrors: 0,
    firstTryFailures: 0,
    retriedWrites: 0,
    finalErrors: 0,
    errorsByStatus: {},
    sessions: 0,
    lostSessions: 0,
    lostItems: 0,
    duplicatedItems: 0,
    staleReads: 0,
    invalidBodies: 0,
    missingServedBy: 0,
    mispairedAnswers: 0,
    perInstance: {},
  };
}

export function recordVerdict(tally: Tally, verdict: Verdict): void {
  if (verdict.lostSession) tally.lostSessions++;
  tally.lostItems += verdict.lostItems;
  tally.duplicatedItems += verdict.duplicatedItems;
  if (verdict.staleRead) tally.staleReads++;
}

/** Counts one answer: its status, and who served it. */
export function recordAnswer(tally: Tally, status: number, servedBy: string | undefined): void {
  tally.requests++;
  if (status >= 200 && status < 300) tally.ok++;
  else {
    tally.errors++;
    tally.errorsByStatus[status] = (tally.errorsByStatus[status] ?? 0) + 1;
  }
  if (servedBy) tally.perInstance[servedBy] = (tally.perInstance[servedBy] ?? 0) + 1;
  else tally.missingServedBy++;
}

const DISCREPANCIES = [
  'lostSessions',
  'lostItems',
  'duplicatedItems',
  'staleReads',
  'invalidBodies',
] as const;

/** What the ledger found wrong in `tally`, as `name count` (`lostItems 2`); empty when every answer held. */
export function discrepancies(tally: Tally): string[] {
  return DISCREPANCIES.filter((key) => tally[key] > 0).map((key) => `${key} ${tally[key]}`);
}

/** An answer that named another request: counted as answered, never judged. */
export function recordMispaired(tally: Tally): void {
  tally.requests++;
  tally.mispairedAnswers++;
}

export function recordConnectionError(tally: Tally): void {
  tally.errors++;
  tally.connectionErrors++;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export function mergeTallies(tallies: readonly Tally[]): Tally {
  const sum = createTally();
  for (const t of tallies) {
    for (const key of [
      'requests',
      'ok',
      'errors',
      'connectionErrors',
      'firstTryFailures',
      'retriedWrites',
      'finalErrors',
      'sessions',
      'lostSessions',
      'lostItems',
      'duplicatedItems',
      'staleReads',
      'invalidBodies',
      'missingServedBy',
      'mispairedAnswers',
    ] as const) {
      sum[key] += t[key];
    }
    addCounts(sum.errorsByStatus, t.errorsByStatus);
    addCounts(sum.perInstance, t.perInstance);
  }
  return sum;
}
