import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addItem,
  CART_ID_PATTERN,
  CATALOG,
  CartError,
  type CartState,
  DEFAULT_LIMITS,
  isFreshCart,
  newCart,
  removeItem,
  setQuantity,
  viewCart,
} from '../src/index.ts';

const [A, B] = [CATALOG[0]!, CATALOG[1]!];
const cart = (lines: Array<[string, number]>, rev = 0): CartState => ({
  cartId: 'c_AAAAAAAAAAAAAAAAAAAA',
  rev,
  lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
});
const limits = { ...DEFAULT_LIMITS, maxLines: 2 };

describe('cart operations', () => {
  it('newCart has a c_ id, rev 0 and no lines; ids differ', () => {
    const one = newCart();
    assert.match(one.cartId, CART_ID_PATTERN);
    assert.equal(one.rev, 0);
    assert.deepEqual(one.lines, []);
    assert.notEqual(newCart().cartId, one.cartId);
  });

  it('isFreshCart: a new cart is fresh; one that was ever changed is not, even emptied again', () => {
    assert.equal(isFreshCart(newCart()), true);
    const added = addItem(newCart(), A.id, 1, limits);
    assert.equal(isFreshCart(added), false);
    assert.equal(isFreshCart(removeItem(added, A.id)), false);
  });

  const changes: Array<[string, () => CartState, Array<[string, number]>, number]> = [
    ['add to an empty cart', () => addItem(cart([]), A.id, 2, limits), [[A.id, 2]], 1],
    ['add to an existing line sums', () => addItem(cart([[A.id, 2]], 4), A.id, 3, limits), [[A.id, 5]], 5],
    ['add up to exactly the limit', () => addItem(cart([[A.id, 98]]), A.id, 1, limits), [[A.id, 99]], 1],
    ['set creates a line', () => setQuantity(cart([]), B.id, 4, limits), [[B.id, 4]], 1],
    ['set changes a line', () => setQuantity(cart([[B.id, 4]]), B.id, 6, limits), [[B.id, 6]], 1],
    [
      'set to the same quantity changes nothing',
      () => setQuantity(cart([[B.id, 4]], 7), B.id, 4, limits),
      [[B.id, 4]],
      7,
    ],
    [
      'set 0 removes',
      () =>
        setQuantity(
          cart(
            [
              [A.id, 1],
              [B.id, 4],
            ],
            2,
          ),
          B.id,
          0,
          limits,
        ),
      [[A.id, 1]],
      3,
    ],
    [
      'set 0 on an absent line changes nothing',
      () => setQuantity(cart([[A.id, 1]], 2), B.id, 0, limits),
      [[A.id, 1]],
      2,
    ],
    [
      'remove a line',
      () =>
        removeItem(
          cart(
            [
              [A.id, 1],
              [B.id, 4],
            ],
            2,
          ),
          A.id,
        ),
      [[B.id, 4]],
      3,
    ],
    ['remove an absent line changes nothing', () => removeItem(cart([[A.id, 1]], 2), B.id), [[A.id, 1]], 2],
  ];
  for (const [name, run, lines, rev] of changes) {
    it(`${name} → lines ${JSON.stringify(lines)}, rev ${rev}`, () => {
      const out = run();
      assert.deepEqual(
        out.lines.map((l) => [l.productId, l.quantity]),
        lines,
      );
      assert.equal(out.rev, rev);
      assert.equal(out.cartId, 'c_AAAAAAAAAAAAAAAAAAAA');
    });
  }

  const refusals: Array<[string, () => unknown, number, string]> = [
    ['add an unknown product', () => addItem(cart([]), 'nope', 1, limits), 404, 'unknown_product'],
    ['set an unknown product', () => setQuantity(cart([]), 'nope', 1, limits), 404, 'unknown_product'],
    ['remove an unknown product', () => removeItem(cart([]), 'nope'), 404, 'unknown_product'],
    ['add past 99 on a line', () => addItem(cart([[A.id, 99]]), A.id, 1, limits), 409, 'quantity_limit'],
    [
      'add a line to a full cart',
      () =>
        addItem(
          cart([
            [A.id, 1],
            [B.id, 1],
          ]),
          CATALOG[2]!.id,
          1,
          limits,
        ),
      409,
      'cart_full',
    ],
    [
      'set a new line in a full cart',
      () =>
        setQuantity(
          cart([
            [A.id, 1],
            [B.id, 1],
          ]),
          CATALOG[2]!.id,
          1,
          limits,
        ),
      409,
      'cart_full',
    ],
  ];
  for (const [name, run, status, code] of refusals) {
    it(`${name} → ${status} ${code}`, () => {
      assert.throws(
        run,
        (err: unknown) => err instanceof CartError && err.status === status && err.code === code,
      );
    });
  }

  it('operations never mutate their input', () => {
    const input = cart([[A.id, 1]]);
    const frozen = structuredClone(input);
    addItem(input, A.id, 1, limits);
    setQuantity(input, A.id, 5, limits);
    removeItem(input, A.id);
    assert.deepEqual(input, frozen);
  });

  it('viewCart joins catalog names and prices and sums quantities and totals', () => {
    const view = viewCart(
      cart(
        [
          [A.id, 2],
          [B.id, 3],
        ],
        5,
      ),
      { instance: 'stateless-1', variant: 'stateless' },
    );
    assert.equal(view.itemCount, 5);
    assert.equal(view.totalCents, 2 * A.priceCents + 3 * B.priceCents);
    assert.deepEqual(view.items[1], {
      productId: B.id,
      name: B.name,
      quantity: 3,
      unitPriceCents: B.priceCents,
      lineTotalCents: 3 * B.priceCents,
    });
    assert.deepEqual(view.servedBy, { instance: 'stateless-1', variant: 'stateless' });
  });

  it('the catalog holds more distinct products than a cart has lines, with unique ids', () => {
    assert.ok(CATALOG.length > DEFAULT_LIMITS.maxLines);
    assert.equal(new Set(CATALOG.map((p) => p.id)).size, CATALOG.length);
  });
});
