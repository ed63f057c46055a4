/**
 * Strict request and stored-state schemas. Unknown fields (including `__proto__`-style keys) and
 * non-integer numbers are rejected, so only validated data reaches a cart, a session or a token.
 */
import { z } from 'zod';
import { CART_ID_PATTERN, type CartState, MAX_RECEIPTS } from './cart.ts';
import { errors } from './errors.ts';
import type { CartLimits } from './limits.ts';

export const PRODUCT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
const productId = z
  .string()
  .regex(PRODUCT_ID_PATTERN, 'a product id is 1-64 lowercase letters, digits or dashes');

function quantity(min: number, max: number) {
  return z.number().int().min(min).max(max);
}

export function addItemSchema(limits: CartLimits) {
  return z.strictObject({ productId, quantity: quantity(1, limits.maxQuantity).optional() });
}

export function setQuantitySchema(limits: CartLimits) {
  return z.strictObject({ quantity: quantity(0, limits.maxQuantity) });
}

/** 128 bits of a SHA-256 digest in base64url, as receipts keep keys and fingerprints. */
export const DIGEST_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const digest = z.string().regex(DIGEST_PATTERN);

function outcomeShape(limits: CartLimits) {
  return {
    cartId: z.string().regex(CART_ID_PATTERN),
    rev: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    lines: z
      .array(z.strictObject({ productId, quantity: quantity(1, limits.maxQuantity) }))
      .max(limits.maxLines),
  };
}

export function cartStateSchema(limits: CartLimits) {
  const outcome = outcomeShape(limits);
  return z.strictObject({
    ...outcome,
    receipts: z
      .array(
        z.strictObject({ key: digest, fingerprint: digest, outcome: z.strictObject(outcome).optional() }),
      )
      .max(MAX_RECEIPTS)
      .optional(),
  });
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses a request body; a bad `quantity` alone is `invalid_quantity`, anything else `invalid_body`. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined) throw errors.invalidBody('a JSON body is required');
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const onlyQuantity = result.error.issues.every((issue) => issue.path[0] === 'quantity');
  const message = describe(result.error);
  throw onlyQuantity ? errors.invalidQuantity(message) : errors.invalidBody(message);
}

/** A product id from a URL path: anything that is not a well-formed id names no product. */
export function parseProductId(value: string): string {
  if (!PRODUCT_ID_PATTERN.test(value)) throw errors.unknownProduct(value.slice(0, 64));
  return value;
}

const stateSchemas = new WeakMap<CartLimits, ReturnType<typeof cartStateSchema>>();

/** Validates a cart read back from a store or a token; undefined when it is not a valid cart. */
export function parseCartState(limits: CartLimits, value: unknown): CartState | undefined {
  // Building a zod schema costs more than a JWT verify: build it once per limits object.
  let schema = stateSchemas.get(limits);
  if (!schema) {
    schema = cartStateSchema(limits);
    stateSchemas.set(limits, schema);
  }
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}
