/**
 * The cart as a token claim, kept compact so that a full cart stays far below the cookie limit:
 * `{ id, rev, lines: [[productId, quantity], ...], k?: [key, fingerprint] }`. It is built only from a
 * validated CartState, and read back through core's cart state schema, so a claim that is not a
 * valid cart is refused. `k` is the last keyed write, kept only while the cart is still what that
 * write left: a repeat of it then sees the receipt; a repeat sent with the token from before the
 * write recomputes the same cart (same cartId, same rev) from the same input, so no server state
 * is needed either way (docs/contract.md §2).
 */
import { type CartLimits, type CartState, cartStateSchema } from '@statelab/cart-core';

export const CART_CLAIM = 'cart';

export interface CartClaim {
  id: string;
  rev: number;
  lines: Array<[string, number]>;
  k?: [string, string];
}

export function toClaim(cart: CartState): CartClaim {
  const claim: CartClaim = {
    id: cart.cartId,
    rev: cart.rev,
    lines: cart.lines.map((l) => [l.productId, l.quantity]),
  };
  const last = cart.receipts?.at(-1);
  const current = !last?.outcome || (last.outcome.rev === cart.rev && last.outcome.cartId === cart.cartId);
  if (last && current) claim.k = [last.key, last.fingerprint];
  return claim;
}

function isPair(value: unknown): value is [unknown, unknown] {
  return Array.isArray(value) && value.length === 2;
}

/**
 * A reader for verified claims: the cart, or undefined when it is not a well-formed cart. The
 * schema is built once here; building it per request (as `parseCartState` does) cost more than the JWT.
 */
export function claimReader(limits: CartLimits): (value: unknown) => CartState | undefined {
  const schema = cartStateSchema(limits);
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const { id, rev, lines, k, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || !Array.isArray(lines) || !lines.every(isPair)) return undefined;
    if (k !== undefined && !isPair(k)) return undefined;
    const result = schema.safeParse({
      cartId: id,
      rev,
      lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
      ...(k ? { receipts: [{ key: k[0], fingerprint: k[1] }] } : {}),
    });
    if (!result.success) return undefined;
    // Each product once: a signed cart never repeats a line, so a repeat means the claim is not ours.
    const products = new Set(result.data.lines.map((l) => l.productId));
    return products.size === result.data.lines.length ? result.data : undefined;
  };
}
