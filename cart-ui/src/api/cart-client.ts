/**
 * Typed client for one variant's cart API (docs/contract.md §2) under its prefix. The browser keeps
 * and sends the variant's cookie itself; scripts never see it.
 */
import type { CartView } from '@statelab/cart-core';
import { type ApiError, isCartView, toApiError } from '../logic/cart-shape.ts';
import { requestJson } from './http.ts';

export interface CartAnswer {
  readonly method: string;
  /** The path as the app sees it (the prefix stripped), for the trail. */
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly servedBy?: string;
  readonly cart?: CartView;
  readonly error?: ApiError;
  /** `X-Cart-Token` of a stateless change: the token the HttpOnly cookie now holds. */
  readonly token?: string;
}

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

export interface CartClient {
  cart(): Promise<CartAnswer>;
  add(productId: string, quantity?: number): Promise<CartAnswer>;
  setQuantity(productId: string, quantity: number): Promise<CartAnswer>;
  remove(productId: string): Promise<CartAnswer>;
  clear(): Promise<CartAnswer>;
}

/** `prefix` is the variant's path prefix from the topology, e.g. `/stateless/`. */
export function createCartClient(prefix: string): CartClient {
  async function call(method: string, path: string, json?: unknown): Promise<CartAnswer> {
    const answer = await requestJson(method, `${prefix}${path.slice(1)}`, json);
    const base = {
      method,
      path,
      status: answer.status,
      latencyMs: answer.latencyMs,
      ...(answer.headers.get('x-served-by') ? { servedBy: answer.headers.get('x-served-by')! } : {}),
    };
    if (answer.failure !== undefined) {
      return { ...base, error: { status: 0, code: 'network_error', message: answer.failure } };
    }
    if (answer.status >= 200 && answer.status < 300 && isCartView(answer.body)) {
      const token = answer.headers.get('x-cart-token');
      return { ...base, cart: answer.body, ...(token ? { token } : {}) };
    }
    return { ...base, error: toApiError(answer.status, answer.body) };
  }
  const item = (productId: string) => `/api/cart/items/${encodeURIComponent(productId)}`;
  return {
    cart: () => call('GET', '/api/cart'),
    add: (productId, quantity = 1) => call('POST', '/api/cart/items', { productId, quantity }),
    setQuantity: (productId, quantity) => call('PUT', item(productId), { quantity }),
    remove: (productId) => call('DELETE', item(productId)),
    clear: () => call('DELETE', '/api/cart'),
  };
}

function isProduct(value: unknown): value is Product {
  const p = value as Partial<Product> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.id === 'string' &&
    typeof p.name === 'string' &&
    Number.isInteger(p.priceCents)
  );
}

/** The catalog is the same on every variant: the first prefix that answers gives it. */
export async function loadProducts(prefixes: readonly string[]): Promise<Product[] | ApiError> {
  let last: ApiError = { status: 0, code: 'no_variant', message: 'no variant to ask for the catalog' };
  for (const prefix of prefixes) {
    const answer = await requestJson('GET', `${prefix}api/products`);
    const products = (answer.body as { products?: unknown } | undefined)?.products;
    if (answer.status === 200 && Array.isArray(products) && products.every(isProduct)) return products;
    last =
      answer.failure !== undefined
        ? { status: 0, code: 'network_error', message: answer.failure }
        : toApiError(answer.status, answer.body);
  }
  return last;
}
