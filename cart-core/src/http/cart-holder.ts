import type { Request, Response } from 'express';
import type { CartState } from '../cart.ts';

/**
 * Where a client's cart lives: a session in memory, a session in Redis, or a signed token. The cart
 * routes only ever talk to this, and one contract suite runs against every implementation.
 */
export interface CartHolder {
  /** The caller's cart, or undefined when the caller has none (new client, lost session). */
  read(req: Request, res: Response): Promise<CartState | undefined>;
  /**
   * Stores the cart before the response is sent; throws `store_unavailable` when it cannot. A
   * session holder stores no fresh cart for a client that has none (docs/contract.md §2).
   */
  write(req: Request, res: Response, cart: CartState): Promise<void>;
}
