/**
 * Loss made explicit: a cart whose `cartId` changed although the user did not clear it was lost
 * (docs/contract.md §3). These functions find such a change and say in words what happened.
 */
import { type CartItemView, type CartStoreKind, type CartView, isFreshCart } from '@statelab/cart-core';

export interface LossReport {
  readonly previousCartId: string;
  readonly newCartId: string;
  /** The instance that served the lost cart last: for sticky routing, the session's home. */
  readonly home: string;
  /** The instance that answered with the new cart. */
  readonly servedBy: string;
  readonly lostItems: readonly CartItemView[];
}

/** What became of an instance, as far as this page knows. */
export type InstanceFate = 'killed' | 'stopped' | 'restarted' | 'crashed' | 'down' | 'unknown';

/**
 * A loss when the cart changed identity without the user asking for a fresh cart. A fresh cart
 * (rev 0) held nothing, and a stateful variant stores none: every read of it shows a new cartId.
 */
export function detectLoss(
  previous: CartView | undefined,
  next: CartView,
  userCleared: boolean,
): LossReport | undefined {
  if (!previous || userCleared || previous.cartId === next.cartId || isFreshCart(previous)) return undefined;
  return {
    previousCartId: previous.cartId,
    newCartId: next.cartId,
    home: previous.servedBy.instance,
    servedBy: next.servedBy.instance,
    lostItems: previous.items,
  };
}

const FATE_TEXT: Readonly<Record<InstanceFate, string>> = {
  killed: 'was killed',
  stopped: 'was stopped',
  restarted: 'was restarted',
  crashed: 'crashed',
  down: 'is down',
  unknown: 'no longer holds it',
};

/**
 * One sentence for the loss: where the cart lived and why it is gone. `fate` says what became of
 * the place it lived (the home instance for a memory session, Redis for a Redis session).
 */
export function describeLoss(report: LossReport, store: CartStoreKind, fate: InstanceFate): string {
  switch (store) {
    case 'memory-session':
      return `Your session lived on ${report.home}, which ${FATE_TEXT[fate]}; the cart is gone. ${report.servedBy} started a new, empty session.`;
    case 'redis-session':
      return fate === 'unknown'
        ? 'Your session was kept in Redis, which no longer holds it; the cart is gone.'
        : `Your session was kept in Redis, which ${FATE_TEXT[fate]}; the cart is gone.`;
    case 'jwt':
      return `Your cart token was no longer accepted; the cart is gone. ${report.servedBy} started a new cart.`;
  }
}

/** "2 × Mug, Ink" for each lost line. */
export function describeLostItems(items: readonly CartItemView[]): string[] {
  return items.map((item) => `${item.quantity} × ${item.name}`);
}
