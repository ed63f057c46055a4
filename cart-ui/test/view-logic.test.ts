import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CartView } from '@statelab/cart-core';
import { parseInstanceList } from '../src/api/control-client.ts';
import { isCartView, toApiError } from '../src/logic/cart-shape.ts';
import { compactJson, formatCents, formatSpan } from '../src/logic/format.ts';
import { compareInstances, instanceColour, instanceNumber } from '../src/logic/instance-colour.ts';
import { decodeBase64Url, decodeJwt } from '../src/logic/jwt.ts';
import { describeLoss, describeLostItems, detectLoss } from '../src/logic/loss.ts';
import { pushTrail, retryNote, spread, type TrailEntry } from '../src/logic/trail.ts';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function cart(cartId: string, instance: string, items: Array<[string, string, number]> = []): CartView {
  return {
    cartId,
    rev: items.length,
    items: items.map(([productId, name, quantity]) => ({
      productId,
      name,
      quantity,
      unitPriceCents: 100,
      lineTotalCents: 100 * quantity,
    })),
    itemCount: items.reduce((n, [, , q]) => n + q, 0),
    totalCents: items.reduce((n, [, , q]) => n + 100 * q, 0),
    servedBy: { instance, variant: instance.replace(/-\d+$/, '') },
  };
}

describe('JWT payload decode (display only)', () => {
  const payload = {
    cart: { id: 'c_abcdefghijklmnop', rev: 2, lines: [['mug-ink', 2]] },
    iat: 1_700_000_000,
    exp: 1_700_086_400,
  };
  const token = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}.c2lnbmF0dXJl`;

  it('decodes header and claims, the byte size and the iat/exp dates', () => {
    const decoded = decodeJwt(token);
    assert.ok(decoded);
    assert.deepEqual(decoded.header, { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(decoded.payload, payload);
    assert.equal(decoded.bytes, token.length);
    assert.equal(decoded.issuedAt?.toISOString(), '2023-11-14T22:13:20.000Z');
    assert.equal(decoded.expiresAt?.toISOString(), '2023-11-15T22:13:20.000Z');
  });

  it('decodes base64url with "-" and "_" and no padding, as UTF-8', () => {
    const text = 'Café ~~~ ???>>>';
    assert.equal(decodeBase64Url(Buffer.from(text).toString('base64url')), text);
  });

  it('a token without exp has no expiry date', () => {
    const decoded = decodeJwt(`${b64url({ alg: 'HS256' })}.${b64url({ cart: {} })}.x`);
    assert.equal(decoded?.expiresAt, undefined);
  });

  for (const [name, bad] of [
    ['two parts', `${b64url({})}.${b64url({})}`],
    ['payload not JSON', `${b64url({})}.${Buffer.from('nope').toString('base64url')}.x`],
    ['payload a JSON array', `${b64url({})}.${b64url([1])}.x`],
    ['payload outside the base64url alphabet', `${b64url({})}.ab+c/.x`],
    ['payload not UTF-8', `${b64url({})}.${Buffer.from([0xff, 0xfe]).toString('base64url')}.x`],
    ['empty string', ''],
  ] as const) {
    it(`${name} → undefined, no throw`, () => assert.equal(decodeJwt(bad), undefined));
  }
});

describe('loss detection', () => {
  const before = cart('c_aaaaaaaaaaaaaaaa', 'stateful-2', [
    ['mug-ink', 'Mug, Ink', 2],
    ['cap-sand', 'Cap, Sand', 1],
  ]);

  it('a new cartId the user did not ask for is a loss of every item, from the home instance', () => {
    const after = cart('c_bbbbbbbbbbbbbbbb', 'stateful-1');
    const loss = detectLoss(before, after, false);
    assert.deepEqual(loss && { ...loss, lostItems: describeLostItems(loss.lostItems) }, {
      previousCartId: 'c_aaaaaaaaaaaaaaaa',
      newCartId: 'c_bbbbbbbbbbbbbbbb',
      home: 'stateful-2',
      servedBy: 'stateful-1',
      lostItems: ['2 × Mug, Ink', '1 × Cap, Sand'],
    });
  });

  it('the same cartId is no loss, even from another instance', () => {
    assert.equal(
      detectLoss(before, { ...before, servedBy: { instance: 'stateful-3', variant: 'stateful' } }, false),
      undefined,
    );
  });

  it('a new cartId after the user cleared the cart is no loss', () => {
    assert.equal(detectLoss(before, cart('c_bbbbbbbbbbbbbbbb', 'stateful-2'), true), undefined);
  });

  it('a fresh cart (rev 0, never stored by a stateful read) changing its cartId is no loss', () => {
    const fresh = cart('c_cccccccccccccccc', 'stateful-1');
    assert.equal(detectLoss(fresh, cart('c_dddddddddddddddd', 'stateful-2'), false), undefined, 'read again');
    assert.equal(
      detectLoss(fresh, cart('c_dddddddddddddddd', 'stateful-1', [['mug-ink', 'Mug, Ink', 1]]), false),
      undefined,
      'its first change',
    );
  });

  it('the first cart seen is no loss', () => {
    assert.equal(detectLoss(undefined, before, false), undefined);
  });

  it('says in words where the cart lived and why it is gone', () => {
    const loss = detectLoss(before, cart('c_bbbbbbbbbbbbbbbb', 'stateful-1'), false)!;
    assert.equal(
      describeLoss(loss, 'memory-session', 'killed'),
      'Your session lived on stateful-2, which was killed; the cart is gone. stateful-1 started a new, empty session.',
    );
    assert.match(describeLoss(loss, 'memory-session', 'stopped'), /stateful-2, which was stopped;/);
    assert.match(describeLoss(loss, 'memory-session', 'unknown'), /stateful-2, which no longer holds it;/);
    assert.equal(
      describeLoss(loss, 'redis-session', 'restarted'),
      'Your session was kept in Redis, which was restarted; the cart is gone.',
    );
    assert.match(
      describeLoss(loss, 'jwt', 'unknown'),
      /^Your cart token was no longer accepted; the cart is gone/,
    );
  });
});

describe('trail and spread', () => {
  const entry = (instance: string | undefined, n: number): TrailEntry => ({
    method: 'GET',
    path: '/api/cart',
    status: instance ? 200 : 502,
    latencyMs: n,
    at: n,
    ...(instance ? { instance } : {}),
  });

  it('keeps the newest first and at most 30 entries', () => {
    let trail: TrailEntry[] = [];
    for (let n = 1; n <= 35; n += 1) trail = pushTrail(trail, entry('stateless-1', n));
    assert.equal(trail.length, 30);
    assert.equal(trail[0]?.at, 35);
    assert.equal(trail[29]?.at, 6);
  });

  it('round-robin over three instances spreads evenly, in instance order', () => {
    const trail = Array.from({ length: 30 }, (_, i) => entry(`stateless-${(i % 3) + 1}`, i));
    assert.deepEqual(
      spread(trail).map((b) => [b.instance, b.count, Number(b.share.toFixed(3))]),
      [
        ['stateless-1', 10, 0.333],
        ['stateless-2', 10, 0.333],
        ['stateless-3', 10, 0.333],
      ],
    );
  });

  it('sticky routing is one bar; unanswered requests come last; 10 sorts after 9', () => {
    const trail = [
      entry('stateful-10', 1),
      entry(undefined, 2),
      entry('stateful-9', 3),
      entry('stateful-9', 4),
    ];
    assert.deepEqual(
      spread(trail).map((b) => [b.instance, b.count]),
      [
        ['stateful-9', 2],
        ['stateful-10', 1],
        [undefined, 1],
      ],
    );
    assert.deepEqual(spread([]), []);
  });
});

describe('instance colours', () => {
  it('one colour per instance number, the same across variants; Redis its own', () => {
    assert.equal(instanceColour('stateful-2'), instanceColour('stateless-2'));
    assert.notEqual(instanceColour('stateful-1'), instanceColour('stateful-2'));
    assert.notEqual(instanceColour('redis'), instanceColour('stateful-1'));
    assert.equal(instanceNumber('stateful-redis-12'), 12);
    assert.equal(instanceNumber('redis'), undefined);
    assert.ok(compareInstances('stateful-redis-2', 'stateful-redis-10') < 0);
  });
});

describe('answers from the wire', () => {
  it('a cart answer is accepted only when it has the contract shape', () => {
    assert.equal(isCartView(cart('c_aaaaaaaaaaaaaaaa', 'stateless-1', [['pen-ink', 'Pen, Ink', 1]])), true);
    assert.equal(
      isCartView({
        cartId: 'c_x',
        rev: 0,
        items: [{}],
        itemCount: 0,
        totalCents: 0,
        servedBy: { instance: 'a' },
      }),
      false,
    );
    assert.equal(isCartView('<html>'), false);
  });

  it('a JSON error keeps its code and message; anything else names the status', () => {
    assert.deepEqual(toApiError(400, { error: { code: 'invalid_quantity', message: 'too many' } }), {
      status: 400,
      code: 'invalid_quantity',
      message: 'too many',
    });
    assert.equal(toApiError(502, undefined).code, 'http_502');
  });

  it('an instance list counts only when well formed (compose may answer /lab/ with the page itself)', () => {
    const instances = [{ id: 'stateful-1', variant: 'stateful', state: 'running', pid: 1, port: 2 }];
    assert.deepEqual(parseInstanceList(200, { runtime: 'native', instances }), {
      reachable: true,
      runtime: 'native',
      instances,
    });
    assert.equal(parseInstanceList(200, undefined).reachable, false);
    assert.equal(parseInstanceList(404, { error: { code: 'not_found', message: '' } }).reachable, false);
    assert.equal(
      parseInstanceList(200, { instances: [{ id: 'x', variant: 'y', state: 'dancing' }] }).reachable,
      false,
    );
  });
});

describe('formatting', () => {
  it('money, spans and compact claims', () => {
    assert.equal(formatCents(129_900), '$1,299.00');
    assert.equal(formatSpan(86_340_000), '23 h 59 min');
    assert.equal(formatSpan(45_000), '45 s');
    assert.equal(compactJson({ lines: [['mug-ink', 2]] }), '{\n  "lines": [\n    ["mug-ink", 2]\n  ]\n}');
  });
});

describe('trail: a retried write', () => {
  const entry = { method: 'POST', path: '/api/cart/items', status: 200, latencyMs: 3, at: 0 };
  it('says how many tries it took and whether the server replayed it; nothing for a plain answer', () => {
    assert.equal(retryNote({ ...entry, tries: 3, replayed: true }), '3 tries, replayed');
    assert.equal(retryNote({ ...entry, tries: 2 }), '2 tries');
    assert.equal(retryNote({ ...entry, replayed: true }), 'replayed');
    assert.equal(retryNote(entry), '');
  });
});
