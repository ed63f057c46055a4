/**
 * Pure cart operations over plain data. A cart is stored as ids and quantities only; names and
 * prices are joined from the catalog when the cart is shown, so a client can never set a price.
 */
import { findProduct } from './catalog.ts';
import { errors } from './errors.ts';
import type { CartLimits } from './limits.ts';

export interface CartLine {
  readonly productId: string;
  readonly quantity: number;
}

export interface CartState {
  readonly cartId: string;
  readonly rev: number;
  readonly lines: readonly CartLine[];
  /** The writes sent with an Idempotency-Key that this cart remembers, oldest first (§2). */
  readonly receipts?: readonly Receipt[];
}

/** The cart a keyed write left behind: what a repeat of that write is answered with. */
export interface CartOutcome {
  readonly cartId: string;
  readonly rev: number;
  readonly lines: readonly CartLine[];
}

/**
 * A keyed write, remembered with the cart it was stored with (so both land or neither does).
 * `key` and `fingerprint` are digests: a key of up to 255 characters costs every session or token
 * the same few bytes. Without an `outcome` the write's outcome is the cart itself (a token keeps
 * only its last receipt, and only while nothing changed the cart after it).
 */
export interface Receipt {
  readonly key: string;
  readonly fingerprint: string;
  readonly outcome?: CartOutcome;
}

/** Receipts a session keeps: a careful client retries its latest writes, not old ones. */
export const MAX_RECEIPTS = 4;

export interface CartItemView {
  productId: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface ServedBy {
  instance: string;
  variant: string;
}

export interface CartView {
  cartId: string;
  rev: number;
  items: CartItemView[];
  itemCount: number;
  totalCents: number;
  servedBy: ServedBy;
}

export const CART_ID_PATTERN = /^c_[A-Za-z0-9_-]{16,32}$/;

export function newCartId(): string {
  // Web Crypto, so the domain runs in the browser too; 12 bytes are 16 base64url characters, no padding.
  const base64 = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(12))));
  return `c_${base64.replaceAll('+', '-').replaceAll('/', '_')}`;
}

/** A new empty cart; `cartId` is given when it must not depend on chance (a keyed write, §2). */
export function newCart(cartId: string = newCartId()): CartState {
  return { cartId, rev: 0, lines: [] };
}

/**
 * A cart nothing has been put in since it began (rev 0 has no lines): what a new client is shown.
 * Stateful variants store none (docs/contract.md §2), so its cartId changing loses nothing.
 */
export function isFreshCart(cart: { readonly rev: number }): boolean {
  return cart.rev === 0;
}

function requireProduct(productId: string): void {
  if (!findProduct(productId)) throw errors.unknownProduct(productId);
}

function withLines(cart: CartState, lines: readonly CartLine[]): CartState {
  return { cartId: cart.cartId, rev: cart.rev + 1, lines };
}

/** Adds `quantity` to the product's line, creating it when absent. */
export function addItem(cart: CartState, productId: string, quantity: number, limits: CartLimits): CartState {
  requireProduct(productId);
  const index = cart.lines.findIndex((l) => l.productId === productId);
  if (index === -1) {
    if (cart.lines.length >= limits.maxLines) throw errors.cartFull(limits.maxLines);
    return withLines(cart, [...cart.lines, { productId, quantity }]);
  }
  const total = cart.lines[index]!.quantity + quantity;
  if (total > limits.maxQuantity) throw errors.quantityLimit(limits.maxQuantity);
  return withLines(
    cart,
    cart.lines.map((l, i) => (i === index ? { productId, quantity: total } : l)),
  );
}

/** Sets a line's quantity; 0 removes it; a catalog product not yet in the cart gets a line. */
export function setQuantity(
  cart: CartState,
  productId: string,
  quantity: number,
  limits: CartLimits,
): CartState {
  requireProduct(productId);
  const index = cart.lines.findIndex((l) => l.productId === productId);
  if (quantity === 0) return removeItem(cart, productId);
  if (index === -1) {
    if (cart.lines.length >= limits.maxLines) throw errors.cartFull(limits.maxLines);
    return withLines(cart, [...cart.lines, { productId, quantity }]);
  }
  if (cart.lines[index]!.quantity === quantity) return cart;
  return withLines(
    cart,
    cart.lines.map((l, i) => (i === index ? { productId, quantity } : l)),
  );
}

/** Removes a line; removing a catalog product that is not in the cart changes nothing. */
export function removeItem(cart: CartState, productId: string): CartState {
  requireProduct(productId);
  if (!cart.lines.some((l) => l.productId === productId)) return cart;
  return withLines(
    cart,
    cart.lines.filter((l) => l.productId !== productId),
  );
}

export function viewCart(cart: CartState, servedBy: ServedBy): CartView {
  let itemCount = 0;
  let totalCents = 0;
  const items = cart.lines.map((line): CartItemView => {
    const product = findProduct(line.productId);
    // A stored line always names a catalog product: lines are only built through the ops above.
    const unitPriceCents = product?.priceCents ?? 0;
    const lineTotalCents = unitPriceCents * line.quantity;
    itemCount += line.quantity;
    totalCents += lineTotalCents;
    return {
      productId: line.productId,
      name: product?.name ?? line.productId,
      quantity: line.quantity,
      unitPriceCents,
      lineTotalCents,
    };
  });
  return { cartId: cart.cartId, rev: cart.rev, items, itemCount, totalCents, servedBy };
}

/** The receipt `key` names, if this cart remembers it. */
export function findReceipt(cart: CartState | undefined, key: string): Receipt | undefined {
  return cart?.receipts?.find((r) => r.key === key);
}

/** `next` remembering what `previous` did, plus `receipt` (its outcome `next` itself), at most MAX_RECEIPTS. */
export function withReceipts(next: CartState, previous: CartState | undefined, receipt?: Receipt): CartState {
  const kept = previous?.receipts ?? [];
  if (!receipt) return kept.length === 0 || next.receipts === kept ? next : { ...next, receipts: kept };
  const outcome: CartOutcome = { cartId: next.cartId, rev: next.rev, lines: next.lines };
  return { ...next, receipts: [...kept, { ...receipt, outcome }].slice(-MAX_RECEIPTS) };
}
