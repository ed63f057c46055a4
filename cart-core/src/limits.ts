export interface CartLimits {
  /** Largest quantity one line may hold. */
  readonly maxQuantity: number;
  /** Most distinct products in one cart. */
  readonly maxLines: number;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_LIMITS: CartLimits = Object.freeze({
  maxQuantity: 99,
  maxLines: 50,
  maxBodyBytes: 16 * 1024,
});
