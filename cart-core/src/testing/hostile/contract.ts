/**
 * The hostile-input suite: every app runs it against every store, as it runs cartContract, and the
 * load-balancer tests run its case runner through nginx. Before each case a victim holds a cart with
 * items; after it, the answer has the expected status, JSON shape and error code (no HTML, no stack
 * trace), and the victim's cart and the answering process are what they were.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CART_ID_PATTERN } from '../../cart.ts';
import { CATALOG } from '../../catalog.ts';
import { type CartStoreKind, TOPOLOGY, type Variant } from '../../topology.ts';
import type { ContractTarget } from '../cart-contract.ts';
import { parseRawAnswer, rawExchange } from '../raw-http.ts';
import { createTestClient, type TestClient, type TestResponse } from '../test-client.ts';
import { HOSTILE_BODIES } from './bodies.ts';
import { FORGED_CREDENTIALS } from './credentials.ts';
import { HOSTILE_FRAMING } from './framing.ts';
import type { HostileContext, HostileOutcome, HostileRequest } from './types.ts';

export interface HostileTarget extends ContractTarget {
  /** The session or token secret the app was started with. */
  secret: string;
}

/** Where a case is sent: an app (prefix `/`) or nginx (the variant's prefix). */
export interface HostileRun {
  baseUrl: string;
  prefix: string;
  /** The variant's only instance: it answers every app-made answer. */
  instance: string;
  cookieName: string;
  secret: string;
}

/** Every case that runs against `store`. */
export function hostileCases(store: CartStoreKind): HostileRequest[] {
  return [...HOSTILE_BODIES, ...HOSTILE_FRAMING, ...FORGED_CREDENTIALS].filter(
    (row) => row.stores === undefined || row.stores.includes(store),
  );
}

function describeOutcome(expect: HostileOutcome): string {
  if ('code' in expect) return `${expect.status} ${expect.code}, cart unchanged`;
  if ('closed' in expect) return 'connection closed, no bytes';
  return {
    same: "200 the victim's cart, unchanged",
    other: "200 a cart that is not the victim's, the victim's unchanged",
  }[expect.cart];
}

export function hostileCaseName(row: HostileRequest): string {
  const request = 'raw' in row ? 'raw bytes' : `${row.method} ${row.path.slice(0, 60)}`;
  return `${request} with ${row.name} → ${describeOutcome(row.expect)}`;
}

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const HTML_OR_STACK = /<html|<!doctype|\bat .+\.(ts|js):\d+/i;

/** What the answer does to the identity cookie. */
function identityCookie(res: TestResponse, name: string): 'cleared' | 'set' | 'untouched' {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (line === undefined) return 'untouched';
  const expires = /;\s*Expires=([^;]+)/i.exec(line)?.[1];
  const gone =
    /;\s*Max-Age=0(;|$)/i.test(line) || (expires !== undefined && Date.parse(expires) <= Date.now());
  return line.startsWith(`${name}=;`) && gone ? 'cleared' : 'set';
}

// biome-ignore lint/suspicious/noExplicitAny: a cart view as the API answers it.
const cartOf = (body: any) => ({ cartId: body?.cartId, rev: body?.rev, items: body?.items });

// biome-ignore lint/suspicious/noExplicitAny: the victim's cart view before the case.
function assertAnswer(res: TestResponse, expect: HostileOutcome, ctx: HostileContext, victim: any): void {
  const what = `${res.status} ${res.headers.get('content-type')} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, expect.status, what);
  if ('closed' in expect) {
    assert.deepEqual([res.text, [...res.headers.keys()]], ['', []], 'not a byte before the close');
    return;
  }
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
  assert.doesNotMatch(res.text, HTML_OR_STACK, 'no HTML, no stack trace');
  if ('code' in expect) {
    assert.deepEqual(Object.keys(res.body ?? {}), ['error'], what);
    assert.equal(res.body.error.code, expect.code, what);
    assert.equal(typeof res.body.error.message, 'string');
    assert.equal(res.headers.get('x-served-by'), expect.by ?? ctx.instance, what);
    assert.equal(identityCookie(res, ctx.cookieName), expect.cookie ?? 'untouched', 'the identity cookie');
    if (expect.allow)
      assert.deepEqual(
        (res.headers.get('allow') ?? '').split(',').map((m) => m.trim()),
        expect.allow,
        'Allow',
      );
    return;
  }
  assert.equal(res.headers.get('x-served-by'), ctx.instance, what);
  assert.match(String(res.body?.cartId), CART_ID_PATTERN, what);
  if (expect.cart === 'same') assert.deepEqual(cartOf(res.body), cartOf(victim));
  else assert.notEqual(res.body.cartId, victim.cartId, "not the victim's cart");
}

async function send(client: TestClient, run: HostileRun, row: HostileRequest, ctx: HostileContext) {
  if ('raw' in row) {
    // Not half-closed: Node drops a half-closed request whose answer is still on its way (a Redis read).
    const answer = await rawExchange(Number(new URL(run.baseUrl).port), row.raw(ctx), {
      keepOpen: true,
      ...(row.timeoutMs ? { timeoutMs: row.timeoutMs } : {}),
    });
    // A second answer would be a request smuggled behind the first.
    assert.ok((answer.match(/^HTTP\/1\.[01] \d{3} /gm) ?? []).length <= 1, `one answer at most:\n${answer}`);
    return parseRawAnswer(answer);
  }
  const options = typeof row.options === 'function' ? row.options(ctx) : (row.options ?? {});
  const headers = { ...options.headers };
  const victimCookie = client.jar.header();
  if (!row.attacker && headers.cookie === undefined && victimCookie) headers.cookie = victimCookie;
  // Never into the victim's jar: what the answer sets is asserted, not kept.
  return client.request(row.method, `${run.prefix}${row.path.slice(1)}`, {
    ...options,
    headers,
    noCookies: true,
  });
}

/** One case: a victim's cart, the hostile request, its answer, then the cart and the process as they were. */
export async function runHostileCase(run: HostileRun, row: HostileRequest): Promise<void> {
  const client = createTestClient(run.baseUrl);
  const at = (path: string) => `${run.prefix}${path.slice(1)}`;
  for (const [productId, quantity] of [
    [A.id, 2],
    [B.id, 1],
  ] as const) {
    const added = await client.request('POST', at('/api/cart/items'), { json: { productId, quantity } });
    assert.equal(added.status, 200, added.text);
  }
  const cart = async () => (await client.request('GET', at('/api/cart'))).body;
  const processNow = async () => {
    const { instance, pid, startedAt } = (await client.request('GET', at('/api/instance'))).body ?? {};
    return { instance, pid, startedAt };
  };
  const victim = await cart();
  const answering = await processNow();
  assert.equal(answering.instance, run.instance);
  const ctx: HostileContext = {
    prefix: run.prefix,
    host: new URL(run.baseUrl).host,
    cookieName: run.cookieName,
    credential: client.jar.get(run.cookieName) ?? assert.fail('the victim holds no identity cookie'),
    secret: run.secret,
    instance: run.instance,
  };

  const res = await send(client, run, row, ctx);
  assertAnswer(res, row.expect, ctx, victim);
  row.check?.(res, ctx);

  assert.deepEqual(await cart(), victim, "the victim's cart is unchanged");
  assert.deepEqual(await processNow(), answering, 'the same process answers: no crash, no restart');
  assert.equal((await client.request('GET', at('/healthz'))).status, 200);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
}

/** The suite for one app and store: every case of `hostileCases`, and a count of them. */
export function hostileContract(label: string, variant: Variant, start: () => Promise<HostileTarget>): void {
  const cases = hostileCases(TOPOLOGY[variant].store);
  describe(`hostile requests: ${label}`, () => {
    let target: HostileTarget;
    let ran = 0;
    before(async () => {
      target = await start();
      assert.equal(target.variant, variant);
    });
    after(() => target?.close());
    const run = (): HostileRun => ({
      baseUrl: target.baseUrl,
      prefix: '/',
      instance: target.instance,
      cookieName: TOPOLOGY[variant].cookieName,
      secret: target.secret,
    });
    for (const c of cases) {
      it(hostileCaseName(c), async () => {
        ran += 1;
        await runHostileCase(run(), c);
      });
    }
    it(`every one of the ${cases.length} hostile cases ran`, (t) => {
      t.diagnostic(`${label}: ${ran} hostile cases`);
      assert.equal(ran, cases.length);
    });
  });
}
