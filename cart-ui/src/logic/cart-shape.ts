/** Checks that a JSON answer is a cart before the page trusts it (a proxy may answer with anything). */
import type { CartItemView, CartView } from '@statelab/cart-core';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isItem(value: unknown): value is CartItemView {
  return (
    isObject(value) &&
    typeof value.productId === 'string' &&
    typeof value.name === 'string' &&
    Number.isInteger(value.quantity) &&
    Number.isInteger(value.unitPriceCents) &&
    Number.isInteger(value.lineTotalCents)
  );
}

export function isCartView(value: unknown): value is CartView {
  return (
    isObject(value) &&
    typeof value.cartId === 'string' &&
    Number.isInteger(value.rev) &&
    Array.isArray(value.items) &&
    value.items.every(isItem) &&
    Number.isInteger(value.itemCount) &&
    Number.isInteger(value.totalCents) &&
    isObject(value.servedBy) &&
    typeof value.servedBy.instance === 'string'
  );
}

export interface ApiError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The contract's `{ error: { code, message } }`, or a stand-in naming the status when the body is not that. */
export function toApiError(status: number, body: unknown): ApiError {
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return { status, code: error.code, message: error.message };
  }
  return { status, code: `http_${status}`, message: `the server answered ${status} without a JSON error` };
}
