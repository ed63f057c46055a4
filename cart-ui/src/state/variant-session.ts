/**
 * The live state of one variant as this page sees it: its cart, the trail of requests, the last
 * error, a loss, and (stateless) the token. Requests run one at a time so that two quick clicks
 * cannot race each other into a lost update.
 */
import { type CartView, REDIS_ID, type VariantSpec } from '@statelab/cart-core';
import type { CartAnswer, CartClient } from '../api/cart-client.ts';
import type { ApiError } from '../logic/cart-shape.ts';
import { type DecodedToken, decodeJwt } from '../logic/jwt.ts';
import { describeLoss, detectLoss, type InstanceFate, type LossReport } from '../logic/loss.ts';
import { pushTrail, type TrailEntry } from '../logic/trail.ts';

export interface TokenSize {
  readonly rev: number;
  readonly itemCount: number;
  readonly bytes: number;
}

export interface VariantModel {
  readonly spec: VariantSpec;
  cart?: CartView;
  /** Instance that answered the last request. */
  servedBy?: string;
  error?: ApiError & { readonly method: string; readonly path: string };
  loss?: LossReport & { readonly message: string };
  trail: TrailEntry[];
  token?: DecodedToken;
  /** Token size per revision of the current cart: how the cookie grows with the cart. */
  tokenSizes: TokenSize[];
  /** Requests queued or in flight. */
  pending: number;
}

export interface VariantSession {
  readonly model: VariantModel;
  refresh(): Promise<void>;
  add(productId: string): Promise<void>;
  setQuantity(productId: string, quantity: number): Promise<void>;
  remove(productId: string): Promise<void>;
  clear(): Promise<void>;
  /** `count` cart reads in a row, to show how the balancer spreads them. */
  burst(count: number): Promise<void>;
  dismissLoss(): void;
}

export interface VariantSessionDeps {
  client: CartClient;
  /** What became of the place a lost cart lived: its home instance, or Redis. */
  fate(instance: string): InstanceFate;
  onChange(model: VariantModel): void;
}

const TOKEN_SIZES_KEPT = 12;

export function createVariantSession(spec: VariantSpec, deps: VariantSessionDeps): VariantSession {
  const model: VariantModel = { spec, trail: [], tokenSizes: [], pending: 0 };
  let queue: Promise<void> = Promise.resolve();

  function record(answer: CartAnswer, userCleared: boolean): void {
    model.trail = pushTrail(model.trail, {
      method: answer.method,
      path: answer.path,
      status: answer.status,
      latencyMs: answer.latencyMs,
      at: Date.now(),
      ...(answer.servedBy ? { instance: answer.servedBy } : {}),
      ...(answer.tries ? { tries: answer.tries } : {}),
      ...(answer.replayed ? { replayed: true } : {}),
    });
    if (answer.servedBy) model.servedBy = answer.servedBy;
    if (!answer.cart) {
      model.error = { ...answer.error!, method: answer.method, path: answer.path };
      return;
    }
    model.error = undefined;
    const loss = detectLoss(model.cart, answer.cart, userCleared);
    if (loss) {
      const where = spec.store === 'redis-session' ? REDIS_ID : loss.home;
      model.loss = { ...loss, message: describeLoss(loss, spec.store, deps.fate(where)) };
    }
    if (model.cart?.cartId !== answer.cart.cartId) model.tokenSizes = [];
    model.cart = answer.cart;
    const token = answer.token ? decodeJwt(answer.token) : undefined;
    if (token) {
      model.token = token;
      const size = { rev: answer.cart.rev, itemCount: answer.cart.itemCount, bytes: token.bytes };
      model.tokenSizes = [...model.tokenSizes.filter((s) => s.rev !== size.rev), size].slice(
        -TOKEN_SIZES_KEPT,
      );
    }
  }

  function enqueue(run: () => Promise<void>): Promise<void> {
    model.pending += 1;
    deps.onChange(model);
    const next = queue.then(run).finally(() => {
      model.pending -= 1;
      deps.onChange(model);
    });
    queue = next.catch(() => undefined);
    return next;
  }

  function one(send: () => Promise<CartAnswer>, userCleared = false): Promise<void> {
    return enqueue(async () => {
      record(await send(), userCleared);
    });
  }

  const { client } = deps;
  return {
    model,
    refresh: () => one(() => client.cart()),
    add: (productId) => one(() => client.add(productId)),
    setQuantity: (productId, quantity) => one(() => client.setQuantity(productId, quantity)),
    remove: (productId) => one(() => client.remove(productId)),
    clear: () => one(() => client.clear(), true),
    burst: (count) =>
      enqueue(async () => {
        for (let i = 0; i < count; i += 1) {
          record(await client.cart(), false);
          deps.onChange(model);
        }
      }),
    dismissLoss() {
      model.loss = undefined;
      deps.onChange(model);
    },
  };
}
