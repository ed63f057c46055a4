/**
 * One shopper: its own cookie jar (and, where the cart is a token, that token), its ledger expectation,
 * and the next thing it does. It lives outside autocannon's per-connection `context`, which
 * autocannon resets whenever its request list wraps.
 */
import { randomUUID } from 'node:crypto';
import {
  CART_ID_PATTERN,
  CATALOG,
  cartTravelsWithClient,
  IDEMPOTENCY_KEY_HEADER,
  TOPOLOGY,
  type Variant,
} from '@statelab/cart-core';
import { type CookieJar, createCookieJar } from '@statelab/cart-core/dev';
import {
  type Action,
  afterFailure,
  checkAnswer,
  EMPTY_EXPECTATION,
  type Expectation,
  isMutation,
  recordAnswer,
  recordVerdict,
  type SeenCart,
  type Tally,
} from './ledger.ts';

/**
 * browse: a realistic mix; fixed-cart: keeps its lines (cart-size); probe: GET only (baseline);
 * cycle: repeats a fixed list of actions in order (the direct script's workloads).
 */
export type ShopperMode = 'browse' | 'fixed-cart' | 'probe' | 'cycle';

export interface Shopper {
  readonly variant: Variant | 'baseline';
  readonly mode: ShopperMode;
  readonly jar: CookieJar;
  token: string | undefined;
  exp: Expectation;
  /** Requests left before this shopper leaves and a new one takes the connection. */
  actionsLeft: number;
  started: boolean;
  /** What a `cycle` shopper repeats; empty for the other modes. */
  readonly cycle: readonly Action[];
  /** Actions a `cycle` shopper has taken from its list. */
  turn: number;
  /** Sends every write with a fresh Idempotency-Key (off: `--no-idempotency`, the old client). */
  readonly keyed: boolean;
  /** How often a failed write is sent again (CLIENT_RETRIES; 0 where a burst measures raw races). */
  readonly retries: number;
  /** A write that failed in a way worth retrying: what the shopper sends next. */
  retry: Send | undefined;
}

/** One request as sent: the action, its Idempotency-Key (keyed writes), and which try it is. */
export interface Send {
  readonly action: Action;
  readonly key: string | undefined;
  readonly attempt: number;
}

/**
 * The careful client: a write whose connection broke, or that got 502, 503 or 504, is sent again
 * with the same key, up to 3 more times. Reads are not: nginx already retries them elsewhere.
 */
export const CLIENT_RETRIES = 3;
const RETRYABLE = new Set([502, 503, 504]);

export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Bytes of the header that carries the shopper's identity (Cookie or Authorization). */
  identityBytes: number;
}

export interface Answer {
  status: number;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
}

/** Where the cart travels in a token (sent back as a bearer), the cookie that also holds it. */
function tokenCookie(variant: Variant | 'baseline'): string | undefined {
  if (variant === 'baseline' || !cartTravelsWithClient(variant)) return undefined;
  return TOPOLOGY[variant].cookieName;
}

/** Stays below the 50-line limit so that a browsing shopper never hits 409 cart_full by design. */
const BROWSE_MAX_LINES = 40;

export interface ShopperHabits {
  keyed?: boolean;
  retries?: number;
}

export function createShopper(
  variant: Variant | 'baseline',
  mode: ShopperMode,
  actions: number,
  { keyed = true, retries = CLIENT_RETRIES }: ShopperHabits = {},
): Shopper {
  return {
    variant,
    mode,
    jar: createCookieJar(),
    token: undefined,
    exp: EMPTY_EXPECTATION,
    actionsLeft: actions,
    started: false,
    cycle: [],
    turn: 0,
    keyed,
    retries,
    retry: undefined,
  };
}

/** A shopper that repeats `cycle` in order for as long as the load runs. */
export function createCyclingShopper(variant: Variant | 'baseline', cycle: readonly Action[]): Shopper {
  if (cycle.length === 0) throw new Error('a cycling shopper needs at least one action');
  return { ...createShopper(variant, 'cycle', Number.POSITIVE_INFINITY), cycle: [...cycle] };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length) % items.length]!;
}

function browse(shopper: Shopper, random: () => number): Action {
  const lines = [...shopper.exp.lines.keys()];
  const r = random();
  if (r < 0.35) return { kind: 'get' };
  if (r < 0.75 || lines.length === 0) {
    const productId = lines.length >= BROWSE_MAX_LINES ? pick(lines, random) : pick(CATALOG, random).id;
    return { kind: 'add', productId, quantity: 1 };
  }
  if (r < 0.87)
    return { kind: 'set', productId: pick(lines, random), quantity: 1 + Math.floor(random() * 5) };
  return { kind: 'remove', productId: pick(lines, random) };
}

function keepLines(shopper: Shopper, random: () => number): Action {
  const lines = [...shopper.exp.lines];
  if (lines.length === 0 || random() < 0.5) return { kind: 'get' };
  const [productId, quantity] = pick(lines, random);
  // A different quantity, so that every PUT really changes the cart and rewrites its state.
  return { kind: 'set', productId, quantity: (quantity % 3) + 1 };
}

/** What the shopper sends next: the write it retries, or a new action (a write with a fresh key). */
export function nextSend(shopper: Shopper, random: () => number = Math.random): Send {
  const retry = shopper.retry;
  if (retry) {
    shopper.retry = undefined;
    return { ...retry, attempt: retry.attempt + 1 };
  }
  return firstSend(shopper, nextAction(shopper, random));
}

/** The first try of `action`: a write gets a fresh Idempotency-Key when the shopper sends keys. */
export function firstSend(shopper: Shopper, action: Action): Send {
  return { action, key: shopper.keyed && isMutation(action) ? randomUUID() : undefined, attempt: 1 };
}

/** The shopper's next action: it opens and closes its visit with a GET, which checks the cart. */
export function nextAction(shopper: Shopper, random: () => number = Math.random): Action {
  if (shopper.mode === 'probe' || !shopper.started || shopper.actionsLeft <= 1) return { kind: 'get' };
  if (shopper.mode === 'cycle') return shopper.cycle[shopper.turn++ % shopper.cycle.length]!;
  return shopper.mode === 'fixed-cart' ? keepLines(shopper, random) : browse(shopper, random);
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export function buildRequest(shopper: Shopper, send: Send, prefix: string): OutgoingRequest {
  const { action } = send;
  const api = `${prefix}api/cart`;
  let req: Omit<OutgoingRequest, 'identityBytes' | 'headers'> & { headers: Record<string, string> };
  switch (action.kind) {
    case 'get':
      req = { method: 'GET', path: api, headers: {} };
      break;
    case 'add':
      req = {
        method: 'POST',
        path: `${api}/items`,
        headers: { ...JSON_HEADERS },
        body: JSON.stringify({ productId: action.productId, quantity: action.quantity }),
      };
      break;
    case 'set':
      req = {
        method: 'PUT',
        path: `${api}/items/${action.productId}`,
        headers: { ...JSON_HEADERS },
        body: JSON.stringify({ quantity: action.quantity }),
      };
      break;
    case 'remove':
      req = { method: 'DELETE', path: `${api}/items/${action.productId}`, headers: {} };
      break;
    case 'clear':
      req = { method: 'DELETE', path: api, headers: {} };
      break;
  }
  if (send.key !== undefined) req.headers[IDEMPOTENCY_KEY_HEADER] = send.key;
  let identityBytes = 0;
  if (tokenCookie(shopper.variant) && shopper.token) {
    req.headers.authorization = `Bearer ${shopper.token}`;
    identityBytes = 'authorization: '.length + req.headers.authorization.length;
  } else {
    const cookie = shopper.jar.header();
    if (cookie) {
      req.headers.cookie = cookie;
      identityBytes = 'cookie: '.length + cookie.length;
    }
  }
  return { ...req, identityBytes };
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a cart answer; undefined when it is not a well-formed cart from the instance that served it. */
export function parseCart(body: string, servedBy: string | undefined): SeenCart | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const cart = data as Record<string, unknown>;
  if (typeof cart.cartId !== 'string' || !CART_ID_PATTERN.test(cart.cartId)) return undefined;
  if (!Number.isInteger(cart.rev) || !Array.isArray(cart.items)) return undefined;
  const lines = new Map<string, number>();
  let count = 0;
  for (const item of cart.items as unknown[]) {
    const { productId, quantity } = (item ?? {}) as Record<string, unknown>;
    if (typeof productId !== 'string' || !Number.isInteger(quantity) || (quantity as number) < 1)
      return undefined;
    if (lines.has(productId)) return undefined;
    lines.set(productId, quantity as number);
    count += quantity as number;
  }
  if (cart.itemCount !== count) return undefined;
  const served = cart.servedBy as { instance?: unknown } | undefined;
  if (servedBy !== undefined && served?.instance !== servedBy) return undefined;
  return { cartId: cart.cartId, rev: cart.rev as number, lines };
}

/** Takes the answer's cookies and, where the cart is a token, that token: the next request carries them. */
export function keepIdentity(shopper: Shopper, answer: Answer): void {
  shopper.jar.store(asList(answer.headers['set-cookie']));
  const cookieName = tokenCookie(shopper.variant);
  if (cookieName === undefined) return;
  shopper.token = first(answer.headers['x-cart-token']) ?? shopper.jar.get(cookieName);
}

/**
 * A failed try: retried when the careful client would (a write, no answer or 502/503/504, tries
 * left), and then the expectation waits for the retry's answer, so a write applied twice shows as
 * duplicated items. Otherwise the failure is final and its line is uncertain.
 */
function afterFailedTry(shopper: Shopper, send: Send, status: number | undefined, tally: Tally): void {
  if (send.attempt === 1) tally.firstTryFailures++;
  const retryable = status === undefined || RETRYABLE.has(status);
  if (isMutation(send.action) && retryable && send.attempt <= shopper.retries) {
    if (send.attempt === 1) tally.retriedWrites++;
    shopper.retry = send;
    return;
  }
  tally.finalErrors++;
  shopper.actionsLeft--;
  shopper.exp = afterFailure(shopper.exp, send.action, status);
}

/** Checks one answer to `send` as it arrives and books it in `tally`. */
export function handleAnswer(shopper: Shopper, send: Send, answer: Answer, tally: Tally): void {
  const { action } = send;
  const servedBy = first(answer.headers['x-served-by']);
  recordAnswer(tally, answer.status, servedBy);
  keepIdentity(shopper, answer);
  if (answer.status < 200 || answer.status >= 300) {
    afterFailedTry(shopper, send, answer.status, tally);
    return;
  }
  shopper.actionsLeft--;
  if (shopper.mode === 'probe') return;
  const seen = parseCart(answer.body, servedBy);
  if (!seen) {
    tally.invalidBodies++;
    shopper.exp = afterFailure(shopper.exp, action, undefined);
    return;
  }
  if (!shopper.started) {
    shopper.started = true;
    tally.sessions++;
  }
  const verdict = checkAnswer(shopper.exp, action, seen);
  recordVerdict(tally, verdict);
  shopper.exp = verdict.next;
}

/** A try that got no answer (connection failure, timeout): its outcome is unknown. */
export function handleNoAnswer(shopper: Shopper, send: Send, tally: Tally): void {
  afterFailedTry(shopper, send, undefined, tally);
}
