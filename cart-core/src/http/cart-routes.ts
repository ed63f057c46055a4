/**
 * The cart API of docs/contract.md §2 over any `CartHolder`: parse, load, apply a pure operation,
 * store when something changed, answer. Bodies are validated before the cart is touched. A write
 * with an Idempotency-Key that the cart already remembers is answered from its receipt instead.
 */
import { setTimeout } from 'node:timers/promises';
import type { IRouter, Request, RequestHandler, Response } from 'express';
import {
  addItem,
  type CartState,
  findReceipt,
  newCart,
  removeItem,
  type ServedBy,
  setQuantity,
  viewCart,
  withReceipts,
} from '../cart.ts';
import { CATALOG } from '../catalog.ts';
import { errors } from '../errors.ts';
import { IDEMPOTENT_REPLAYED_HEADER } from '../idempotency-headers.ts';
import type { CartLimits } from '../limits.ts';
import { addItemSchema, parseBody, parseProductId, setQuantitySchema } from '../schemas.ts';
import type { CartHolder } from './cart-holder.ts';
import { cartIdFor, type IdempotencyKey, keysInFlight, readIdempotencyKey } from './idempotency.ts';
import { jsonBody } from './json-body.ts';
import { methodRoutes } from './method-routes.ts';
import { sendJson } from './send-json.ts';

export interface CartRoutesOptions {
  holder: CartHolder;
  limits: CartLimits;
  servedBy: ServedBy;
  /** Middleware every cart route runs first (the session); probes and products do without. */
  before?: RequestHandler[];
  /** Test switch: wait this long between storing a write and answering it (a kill lands between). */
  answerDelayMs?: number;
}

/** A cart operation; `fresh` starts a new cart (with the cartId a keyed write derives). */
type Change = (cart: CartState, fresh: () => CartState) => CartState;

const PRODUCTS_BODY = JSON.stringify({ products: CATALOG });

/**
 * Registers the routes on `router` itself, with `before` in each route: a nested Router or a
 * prefix `use` costs every request a prefix walk and a URL rewrite. One route per path.
 */
export function cartRoutes(
  router: IRouter,
  { holder, limits, servedBy, before = [], answerDelayMs = 0 }: CartRoutesOptions,
): IRouter {
  const body = [...before, ...jsonBody(limits.maxBodyBytes)];
  const addSchema = addItemSchema(limits);
  const putSchema = setQuantitySchema(limits);

  const inFlight = keysInFlight();

  async function answer(req: Request, res: Response, change?: Change): Promise<void> {
    const key = change ? readIdempotencyKey(req) : undefined;
    const current = await holder.read(req, res);
    if (!key) return apply(req, res, current, change);
    const prior = findReceipt(current, key.key);
    if (prior) {
      if (prior.fingerprint !== key.fingerprint) throw errors.idempotencyKeyReused();
      res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return sendJson(res, viewCart(prior.outcome ?? current!, servedBy));
    }
    await inFlight(`${current?.cartId ?? ''} ${key.key}`, () => apply(req, res, current, change, key));
  }

  async function apply(
    req: Request,
    res: Response,
    current: CartState | undefined,
    change?: Change,
    key?: IdempotencyKey,
  ): Promise<void> {
    const fresh = () => newCart(key ? cartIdFor(key) : undefined);
    const cart = current ?? fresh();
    const changed = change ? change(cart, fresh) : cart;
    // Receipts stay with the cart through every change; a keyed write adds its own, even when it
    // changed nothing, so its repeat is answered as it was after later writes too.
    const next = key || changed !== cart ? withReceipts(changed, current, key) : changed;
    if (next !== current) {
      await holder.write(req, res, next);
      if (answerDelayMs > 0) await setTimeout(answerDelayMs);
    }
    sendJson(res, viewCart(next, servedBy));
  }

  methodRoutes(router, '/api/products', {
    get: (_req, res) => {
      res.type('application/json').send(PRODUCTS_BODY);
    },
  });

  methodRoutes(router, '/api/cart', {
    get: [...before, (req, res) => answer(req, res)],
    delete: [...before, (req, res) => answer(req, res, (_cart, fresh) => fresh())],
  });

  methodRoutes(router, '/api/cart/items', {
    post: [
      ...body,
      (req, res) => {
        const { productId, quantity = 1 } = parseBody(addSchema, req.body);
        return answer(req, res, (cart) => addItem(cart, productId, quantity, limits));
      },
    ],
  });

  methodRoutes(router, '/api/cart/items/:productId', {
    put: [
      ...body,
      (req, res) => {
        const productId = parseProductId(String(req.params.productId));
        const { quantity } = parseBody(putSchema, req.body);
        return answer(req, res, (cart) => setQuantity(cart, productId, quantity, limits));
      },
    ],
    delete: [
      ...before,
      (req, res) => {
        const productId = parseProductId(String(req.params.productId));
        return answer(req, res, (cart) => removeItem(cart, productId));
      },
    ],
  });

  return router;
}
