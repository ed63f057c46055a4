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
import { methodRoutes } from './method-routes.ts';
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
 * prefix `use` costs every request a prefix walk and a URL rewrite. One route per path.
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

  methodRoutes(router, '/api/products', {
    get: (_req, res) => {
      res.type('application/json').send(PRODUCTS_BODY);
    },
  });

  methodRoutes(router, '/api/cart', {
    get: [...before, (req, res) => answer(req, res)],
    delete: [...before, (req, res) => answer(req, res, () => newCart())],
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
