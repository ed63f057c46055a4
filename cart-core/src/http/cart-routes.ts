/**
 * The cart API of docs/contract.md §2 over any `CartHolder`: parse, load, apply a pure operation,
 * store when something changed, answer. Bodies are validated before the cart is touched.
 */
import type { IRouter, Request, RequestHandler, Response } from 'express';
import {
  addItem,
  type CartState,
  newCart,
  removeItem,
  type ServedBy,
  setQuantity,
  viewCart,
} from '../cart.ts';
import { CATALOG } from '../catalog.ts';
import type { CartLimits } from '../limits.ts';
import { addItemSchema, parseBody, parseProductId, setQuantitySchema } from '../schemas.ts';
import type { CartHolder } from './cart-holder.ts';
import { jsonBody } from './json-body.ts';
import { sendJson } from './send-json.ts';

export interface CartRoutesOptions {
  holder: CartHolder;
  limits: CartLimits;
  servedBy: ServedBy;
  /** Middleware every cart route runs first (the session); probes and products do without. */
  before?: RequestHandler[];
}

const PRODUCTS_BODY = JSON.stringify({ products: CATALOG });

/**
 * Registers the routes on `router` itself, with `before` in each route: a nested Router or a
 * prefix `use` costs every request a prefix walk and a URL rewrite.
 */
export function cartRoutes(
  router: IRouter,
  { holder, limits, servedBy, before = [] }: CartRoutesOptions,
): IRouter {
  const body = [...before, ...jsonBody(limits.maxBodyBytes)];
  const addSchema = addItemSchema(limits);
  const putSchema = setQuantitySchema(limits);

  async function answer(req: Request, res: Response, change?: (cart: CartState) => CartState): Promise<void> {
    const current = await holder.read(req, res);
    const cart = current ?? newCart();
    const next = change ? change(cart) : cart;
    if (next !== current) await holder.write(req, res, next);
    sendJson(res, viewCart(next, servedBy));
  }

  router.get('/api/products', (_req, res) => {
    res.type('application/json').send(PRODUCTS_BODY);
  });

  router.get('/api/cart', ...before, (req, res) => answer(req, res));

  router.post('/api/cart/items', ...body, (req, res) => {
    const { productId, quantity = 1 } = parseBody(addSchema, req.body);
    return answer(req, res, (cart) => addItem(cart, productId, quantity, limits));
  });

  router.put('/api/cart/items/:productId', ...body, (req, res) => {
    const productId = parseProductId(String(req.params.productId));
    const { quantity } = parseBody(putSchema, req.body);
    return answer(req, res, (cart) => setQuantity(cart, productId, quantity, limits));
  });

  router.delete('/api/cart/items/:productId', ...before, (req, res) => {
    const productId = parseProductId(String(req.params.productId));
    return answer(req, res, (cart) => removeItem(cart, productId));
  });

  router.delete('/api/cart', ...before, (req, res) => answer(req, res, () => newCart()));

  return router;
}
