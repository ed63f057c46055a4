import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Action,
  afterFailure,
  applyAction,
  checkAnswer,
  createTally,
  discrepancies,
  EMPTY_EXPECTATION,
  type Expectation,
  mergeTallies,
  recordAnswer,
  type Tally,
} from '../src/ledger.ts';
import {
  buildRequest,
  createCyclingShopper,
  createShopper,
  firstSend,
  handleAnswer,
  handleNoAnswer,
  nextAction,
  nextSend,
  parseCart,
  type Send,
} from '../src/shopper.ts';

const CART = 'c_AAAAAAAAAAAAAAAA';
const OTHER = 'c_BBBBBBBBBBBBBBBB';
const lines = (entries: Record<string, number>) => new Map(Object.entries(entries));
const exp = (entries: Record<string, number>, extra: Partial<Expectation> = {}): Expectation => ({
  ...EMPTY_EXPECTATION,
  cartId: CART,
  rev: 3,
  lines: lines(entries),
  ...extra,
});
const get: Action = { kind: 'get' };
const add = (productId: string, quantity = 1): Action => ({ kind: 'add', productId, quantity });

/** A cart answer's body as an app sends it. */
const cart = (cartId: string, items: Record<string, number>, instance = 'stateful-1', rev = 1) =>
  JSON.stringify({
    cartId,
    rev,
    items: Object.entries(items).map(([productId, quantity]) => ({
      productId,
      quantity,
      name: productId,
      unitPriceCents: 1,
      lineTotalCents: quantity,
    })),
    itemCount: Object.values(items).reduce((x, y) => x + y, 0),
    totalCents: 0,
    servedBy: { instance, variant: 'stateful' },
  });

describe('ledger: checking an answer against what the shopper expects', () => {
  const cases: Array<{
    name: string;
    exp: Expectation;
    action: Action;
    seen: { cartId: string; rev: number; lines: Record<string, number> };
    want: { lostSession: boolean; lostItems: number; duplicatedItems: number; staleRead: boolean };
  }> = [
    {
      name: 'first answer: the shopper adopts the cart, nothing to blame',
      exp: EMPTY_EXPECTATION,
      action: get,
      seen: { cartId: CART, rev: 0, lines: {} },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'same cart, the added item is there: clean',
      exp: exp({ mug: 2 }),
      action: add('mug'),
      seen: { cartId: CART, rev: 4, lines: { mug: 3 } },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'cartId changed unasked: one lost session, every acknowledged item lost',
      exp: exp({ mug: 2, tee: 1 }),
      action: get,
      seen: { cartId: OTHER, rev: 0, lines: {} },
      want: { lostSession: true, lostItems: 3, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'a fresh cart (rev 0, never stored by a stateful read) whose cartId changes on the next read: not a loss',
      exp: exp({}, { rev: 0 }),
      action: get,
      seen: { cartId: OTHER, rev: 0, lines: {} },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'a fresh cart whose first change answers another cartId: not a loss, and the change is checked',
      exp: exp({}, { rev: 0 }),
      action: add('mug', 2),
      seen: { cartId: OTHER, rev: 1, lines: { mug: 3 } },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 1, staleRead: false },
    },
    {
      name: 'cartId changed after DELETE /api/cart: asked for, not a loss',
      exp: exp({ mug: 2 }),
      action: { kind: 'clear' },
      seen: { cartId: OTHER, rev: 0, lines: {} },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'same cart, an acknowledged item is missing: lost items',
      exp: exp({ mug: 2, tee: 1 }),
      action: get,
      seen: { cartId: CART, rev: 3, lines: { mug: 2 } },
      want: { lostSession: false, lostItems: 1, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'same cart, an addition was lost while another landed (lost update)',
      exp: exp({ mug: 1 }),
      action: add('tee'),
      seen: { cartId: CART, rev: 4, lines: { tee: 1 } },
      want: { lostSession: false, lostItems: 1, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'same cart, more units than added: duplicated items',
      exp: exp({ mug: 1 }),
      action: add('mug'),
      seen: { cartId: CART, rev: 4, lines: { mug: 3 } },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 1, staleRead: false },
    },
    {
      name: 'same cart, rev went backwards: a stale read',
      exp: exp({ mug: 1 }),
      action: get,
      seen: { cartId: CART, rev: 2, lines: { mug: 1 } },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: true },
    },
    {
      name: 'PUT quantity: the line holds exactly that',
      exp: exp({ mug: 5 }),
      action: { kind: 'set', productId: 'mug', quantity: 2 },
      seen: { cartId: CART, rev: 4, lines: { mug: 2 } },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'DELETE a line that comes back: duplicated',
      exp: exp({ mug: 1 }),
      action: { kind: 'remove', productId: 'mug' },
      seen: { cartId: CART, rev: 4, lines: { mug: 1 } },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 1, staleRead: false },
    },
    {
      name: 'a line left uncertain by a failed write is settled without blame',
      exp: exp({ mug: 1 }, { uncertain: new Set(['tee']) }),
      action: get,
      seen: { cartId: CART, rev: 4, lines: { mug: 1, tee: 1 } },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'an uncertain line is not counted lost with the session',
      exp: exp({ mug: 2, tee: 1 }, { uncertain: new Set(['tee']) }),
      action: get,
      seen: { cartId: OTHER, rev: 0, lines: {} },
      want: { lostSession: true, lostItems: 2, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'PUT on an uncertain line settles it: the answer is checked again',
      exp: exp({ mug: 1 }, { uncertain: new Set(['mug']) }),
      action: { kind: 'set', productId: 'mug', quantity: 4 },
      seen: { cartId: CART, rev: 5, lines: { mug: 3 } },
      want: { lostSession: false, lostItems: 1, duplicatedItems: 0, staleRead: false },
    },
    {
      name: 'a failed DELETE /api/cart: a new cartId next is not a loss',
      exp: exp({ mug: 1 }, { cartUncertain: true }),
      action: get,
      seen: { cartId: OTHER, rev: 0, lines: {} },
      want: { lostSession: false, lostItems: 0, duplicatedItems: 0, staleRead: false },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = checkAnswer(c.exp, c.action, {
        cartId: c.seen.cartId,
        rev: c.seen.rev,
        lines: lines(c.seen.lines),
      });
      const { lostSession, lostItems, duplicatedItems, staleRead } = verdict;
      assert.deepEqual({ lostSession, lostItems, duplicatedItems, staleRead }, c.want);
      assert.equal(verdict.next.cartId, c.seen.cartId, 'the shopper adopts what it saw');
      assert.deepEqual(Object.fromEntries(verdict.next.lines), c.seen.lines);
      assert.equal(verdict.next.uncertain.size, 0);
    });
  }

  it('each discrepancy counts once: the same answer again is clean', () => {
    const seen = { cartId: CART, rev: 3, lines: lines({ mug: 2 }) };
    const first = checkAnswer(exp({ mug: 2, tee: 1 }), get, seen);
    assert.equal(first.lostItems, 1);
    assert.equal(checkAnswer(first.next, get, seen).lostItems, 0);
  });
});

describe('ledger: after a failed request', () => {
  const cases: Array<{
    name: string;
    status: number | undefined;
    action: Action;
    uncertain: string[];
    cartUncertain: boolean;
  }> = [
    {
      name: '4xx on a mutation changed nothing: still certain',
      status: 409,
      action: add('mug'),
      uncertain: [],
      cartUncertain: false,
    },
    {
      name: '502 on a mutation: its line is uncertain',
      status: 502,
      action: add('mug'),
      uncertain: ['mug'],
      cartUncertain: false,
    },
    {
      name: 'no answer on a PUT: its line is uncertain',
      status: undefined,
      action: { kind: 'set', productId: 'tee', quantity: 2 },
      uncertain: ['tee'],
      cartUncertain: false,
    },
    {
      name: '503 on a GET: nothing uncertain',
      status: 503,
      action: get,
      uncertain: [],
      cartUncertain: false,
    },
    {
      name: '502 on DELETE /api/cart: the whole cart is uncertain',
      status: 502,
      action: { kind: 'clear' },
      uncertain: [],
      cartUncertain: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const next = afterFailure(exp({ mug: 1 }), c.action, c.status);
      assert.deepEqual([...next.uncertain], c.uncertain);
      assert.equal(next.cartUncertain, c.cartUncertain);
      assert.deepEqual(Object.fromEntries(next.lines), { mug: 1 });
    });
  }
});

describe('ledger: arithmetic', () => {
  const cases: Array<[string, Record<string, number>, Action, Record<string, number>]> = [
    ['add to a new line', {}, add('mug', 2), { mug: 2 }],
    ['add to an existing line', { mug: 2 }, add('mug', 3), { mug: 5 }],
    ['set a quantity', { mug: 2 }, { kind: 'set', productId: 'mug', quantity: 7 }, { mug: 7 }],
    ['set 0 removes', { mug: 2 }, { kind: 'set', productId: 'mug', quantity: 0 }, {}],
    ['remove', { mug: 2, tee: 1 }, { kind: 'remove', productId: 'mug' }, { tee: 1 }],
    ['clear', { mug: 2, tee: 1 }, { kind: 'clear' }, {}],
    ['get changes nothing', { mug: 2 }, get, { mug: 2 }],
  ];
  for (const [name, before, action, after] of cases) {
    it(`applyAction: ${name}`, () =>
      assert.deepEqual(Object.fromEntries(applyAction(lines(before), action)), after));
  }

  it('tallies count 2xx, errors by status, answers per instance, and merge', () => {
    const a = createTally();
    recordAnswer(a, 200, 'stateless-1');
    recordAnswer(a, 502, undefined);
    const b = createTally();
    recordAnswer(b, 200, 'stateless-1');
    recordAnswer(b, 503, 'stateless-2');
    const sum = mergeTallies([a, b]);
    assert.equal(sum.requests, 4);
    assert.equal(sum.ok, 2);
    assert.equal(sum.errors, 2);
    assert.deepEqual(sum.errorsByStatus, { 502: 1, 503: 1 });
    assert.deepEqual(sum.perInstance, { 'stateless-1': 2, 'stateless-2': 1 });
    assert.equal(sum.missingServedBy, 1);
  });
});

describe('ledger: discrepancies', () => {
  it('lists each loss kind the tally counted, and nothing for a clean tally', () => {
    assert.deepEqual(discrepancies(createTally()), []);
    const tally = { ...createTally(), errors: 3, lostItems: 2, staleReads: 1, invalidBodies: 4 };
    assert.deepEqual(discrepancies(tally), ['lostItems 2', 'staleReads 1', 'invalidBodies 4']);
  });
});

describe('shopper', () => {
  it('opens its visit with GET /api/cart and sends its cookie jar afterwards', () => {
    const shopper = createShopper('stateful', 'browse', 10);
    assert.deepEqual(nextAction(shopper), { kind: 'get' });
    const tally = createTally();
    handleAnswer(
      shopper,
      firstSend(shopper, get),
      {
        status: 200,
        headers: {
          'x-served-by': 'stateful-1',
          'set-cookie': ['statelab_sf_sid=abc; Path=/stateful/; HttpOnly'],
        },
        body: cart(CART, {}),
      },
      tally,
    );
    assert.equal(tally.sessions, 1);
    const req = buildRequest(shopper, firstSend(shopper, add('mug-ink')), '/stateful/');
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/stateful/api/cart/items');
    assert.equal(req.headers.cookie, 'statelab_sf_sid=abc');
    assert.equal(req.identityBytes, 'cookie: statelab_sf_sid=abc'.length);
    assert.deepEqual(JSON.parse(req.body!), { productId: 'mug-ink', quantity: 1 });
  });

  it('stateless: sends the X-Cart-Token as a bearer token', () => {
    const shopper = createShopper('stateless', 'browse', 10);
    handleAnswer(
      shopper,
      firstSend(shopper, get),
      {
        status: 200,
        headers: { 'x-served-by': 'stateless-1', 'x-cart-token': 'tok.en.sig' },
        body: cart(CART, {}, 'stateless-1'),
      },
      createTally(),
    );
    const req = buildRequest(shopper, firstSend(shopper, get), '/stateless/');
    assert.equal(req.headers.authorization, 'Bearer tok.en.sig');
    assert.equal(req.headers.cookie, undefined);
  });

  it('a changed cartId on the next answer is booked as a lost session with its items', () => {
    const shopper = createShopper('stateful', 'browse', 10);
    const tally = createTally();
    handleAnswer(
      shopper,
      firstSend(shopper, get),
      { status: 200, headers: { 'x-served-by': 'stateful-1' }, body: cart(CART, {}) },
      tally,
    );
    handleAnswer(
      shopper,
      firstSend(shopper, add('mug-ink', 2)),
      { status: 200, headers: { 'x-served-by': 'stateful-1' }, body: cart(CART, { 'mug-ink': 2 }) },
      tally,
    );
    handleAnswer(
      shopper,
      firstSend(shopper, get),
      { status: 200, headers: { 'x-served-by': 'stateful-2' }, body: cart(OTHER, {}, 'stateful-2') },
      tally,
    );
    assert.equal(tally.lostSessions, 1);
    assert.equal(tally.lostItems, 2);
    assert.deepEqual(tally.perInstance, { 'stateful-1': 2, 'stateful-2': 1 });
  });

  it('a 2xx that is not a cart, or names another instance than X-Served-By, is an invalid body', () => {
    const tally = createTally();
    const shopper = createShopper('stateful', 'browse', 10);
    handleAnswer(
      shopper,
      firstSend(shopper, get),
      { status: 200, headers: { 'x-served-by': 'stateful-1' }, body: '<html>' },
      tally,
    );
    handleAnswer(
      shopper,
      firstSend(shopper, get),
      { status: 200, headers: { 'x-served-by': 'stateful-2' }, body: cart(CART, {}) },
      tally,
    );
    assert.equal(tally.invalidBodies, 2);
    assert.equal(tally.errors, 0);
  });

  const badCarts: Array<[string, unknown]> = [
    ['cartId not a cart id', { cartId: 'x', rev: 0, items: [], itemCount: 0 }],
    ['rev not an integer', { cartId: CART, rev: 1.5, items: [], itemCount: 0 }],
    [
      'itemCount disagrees',
      { cartId: CART, rev: 0, items: [{ productId: 'mug', quantity: 2 }], itemCount: 1 },
    ],
    [
      'a line twice',
      {
        cartId: CART,
        rev: 0,
        items: [
          { productId: 'mug', quantity: 1 },
          { productId: 'mug', quantity: 1 },
        ],
        itemCount: 2,
      },
    ],
    ['quantity 0', { cartId: CART, rev: 0, items: [{ productId: 'mug', quantity: 0 }], itemCount: 0 }],
  ];
  for (const [name, body] of badCarts) {
    it(`parseCart refuses a cart with ${name}`, () =>
      assert.equal(parseCart(JSON.stringify(body), undefined), undefined));
  }

  it('fixed-cart shoppers only read and change quantities of the lines they hold', () => {
    const shopper = createShopper('stateless', 'fixed-cart', Number.POSITIVE_INFINITY);
    shopper.started = true;
    shopper.exp = exp({ 'mug-ink': 1, 'tee-ink': 2 });
    for (let i = 0; i < 50; i++) {
      const action = nextAction(shopper);
      assert.ok(action.kind === 'get' || (action.kind === 'set' && shopper.exp.lines.has(action.productId)));
      if (action.kind === 'set') assert.notEqual(action.quantity, shopper.exp.lines.get(action.productId));
    }
  });

  it('a cycling shopper opens with a GET, then repeats its actions in order', () => {
    const write = [add('mug-ink'), { kind: 'set', productId: 'mug-ink', quantity: 1 } as const];
    const shopper = createCyclingShopper('stateful', write);
    assert.deepEqual(nextAction(shopper), get);
    shopper.started = true;
    const taken = Array.from({ length: 5 }, () => nextAction(shopper));
    assert.deepEqual(taken, [write[0], write[1], write[0], write[1], write[0]]);
    assert.equal(shopper.actionsLeft, Number.POSITIVE_INFINITY);
  });

  it('a cycling shopper needs at least one action', () => {
    assert.throws(() => createCyclingShopper('stateful', []), /at least one action/);
  });

  it('a cycling shopper straight on an app (prefix /): its POST is checked by the ledger', () => {
    const shopper = createCyclingShopper('stateful', [add('mug-ink')]);
    const tally = createTally();
    const answer = (items: Record<string, number>) => ({
      status: 200,
      headers: { 'x-served-by': 'stateful-1' },
      body: cart(CART, items),
    });
    handleAnswer(shopper, firstSend(shopper, add('mug-ink')), answer({ 'mug-ink': 1 }), tally);
    const sent = nextSend(shopper);
    assert.equal(buildRequest(shopper, sent, '/').path, '/api/cart/items');
    handleAnswer(shopper, sent, answer({ 'mug-ink': 1 }), tally);
    assert.equal(tally.lostItems, 1);
    assert.deepEqual(discrepancies(tally), ['lostItems 1']);
  });
});

describe('shopper: the careful client retries a failed write with the same key', () => {
  const ok = (items: Record<string, number>, instance = 'stateful-2') => ({
    status: 200,
    headers: { 'x-served-by': instance },
    body: cart(CART, items, instance, 4),
  });
  const failed = (status: number) => ({ status, headers: { 'x-served-by': 'load-balancer' }, body: '{}' });
  const started = (keyed = true) => {
    const shopper = createShopper('stateful', 'browse', 10, { keyed });
    shopper.started = true;
    shopper.exp = exp({ 'mug-ink': 1 });
    return shopper;
  };

  for (const [why, fail] of [
    ['a 502', (s: ReturnType<typeof started>, sent: Send, t: Tally) => handleAnswer(s, sent, failed(502), t)],
    ['no answer', (s: ReturnType<typeof started>, sent: Send, t: Tally) => handleNoAnswer(s, sent, t)],
  ] as const) {
    it(`after ${why}: the same write, same key, next; its answer is checked as the write's, once`, () => {
      const shopper = started();
      const tally = createTally();
      const sent = firstSend(shopper, add('tee-ink'));
      assert.match(buildRequest(shopper, sent, '/stateful/').headers['idempotency-key']!, /^[0-9a-f-]{36}$/);
      fail(shopper, sent, tally);
      const again = nextSend(shopper);
      assert.deepEqual(again, { ...sent, attempt: 2 });
      assert.equal(shopper.actionsLeft, 10, 'a retry is the same action, not another');
      handleAnswer(shopper, again, ok({ 'mug-ink': 1, 'tee-ink': 1 }), tally);
      assert.deepEqual(
        [
          tally.firstTryFailures,
          tally.retriedWrites,
          tally.finalErrors,
          tally.duplicatedItems,
          tally.lostItems,
        ],
        [1, 1, 0, 0, 0],
      );
      assert.equal(shopper.actionsLeft, 9);
    });
  }

  it('a retry whose answer shows the item twice (the first try had landed): a duplicated item', () => {
    const shopper = started(false);
    const tally = createTally();
    const sent = firstSend(shopper, add('tee-ink'));
    assert.equal(buildRequest(shopper, sent, '/stateful/').headers['idempotency-key'], undefined, 'no keys');
    handleNoAnswer(shopper, sent, tally);
    handleAnswer(shopper, nextSend(shopper), ok({ 'mug-ink': 1, 'tee-ink': 2 }), tally);
    assert.equal(tally.duplicatedItems, 1);
  });

  it('three retries that fail too: a final error, and the line is uncertain (settled without blame)', () => {
    const shopper = started();
    const tally = createTally();
    let sent = firstSend(shopper, add('tee-ink'));
    for (let i = 0; i < 4; i++) {
      handleAnswer(shopper, sent, failed(503), tally);
      if (i < 3) sent = nextSend(shopper);
    }
    assert.equal(sent.attempt, 4);
    assert.equal(shopper.retry, undefined);
    assert.deepEqual(
      [tally.firstTryFailures, tally.retriedWrites, tally.finalErrors, tally.errors],
      [1, 1, 1, 4],
    );
    assert.ok(shopper.exp.uncertain.has('tee-ink'));
  });

  for (const [what, sent, answer] of [
    ['a read', firstSend(createShopper('stateful', 'browse', 1), get), failed(502)],
    ['a 4xx', firstSend(createShopper('stateful', 'browse', 1), add('tee-ink')), failed(409)],
  ] as const) {
    it(`${what} that fails is not retried: a final error at once`, () => {
      const shopper = started();
      const tally = createTally();
      handleAnswer(shopper, sent, answer, tally);
      assert.equal(shopper.retry, undefined);
      assert.deepEqual([tally.firstTryFailures, tally.retriedWrites, tally.finalErrors], [1, 0, 1]);
    });
  }

  it('a shopper with no retries (a concurrent burst) fails a write at once', () => {
    const shopper = createShopper('stateful', 'browse', 10, { retries: 0 });
    const tally = createTally();
    handleNoAnswer(shopper, firstSend(shopper, add('tee-ink')), tally);
    assert.equal(shopper.retry, undefined);
    assert.equal(tally.finalErrors, 1);
  });
});
