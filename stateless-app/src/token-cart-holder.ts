/**
 * The `CartHolder` whose cart travels with the client: read from `Authorization: Bearer` (which
 * wins) or else the cookie, verified and validated; written as a freshly signed token set both as
 * an HttpOnly cookie and as the `X-Cart-Token` header. A bad token is a 401; a bad cookie is also
 * cleared, a bad Bearer leaves the cookie alone (only the credential that failed is dropped).
 */
import { CartError, type CartLimits, errors } from '@statelab/cart-core';
import type { CartHolder } from '@statelab/cart-core/http';
import type { CookieOptions, Request } from 'express';
import { CART_CLAIM, claimReader, toClaim } from './cart-claim.ts';
import type { TokenCodec } from './token.ts';

export const TOKEN_HEADER = 'X-Cart-Token';

export interface TokenCartHolderOptions {
  codec: TokenCodec;
  limits: CartLimits;
  cookieName: string;
  cookieSecure: boolean;
  ttlS: number;
}

export interface RequestToken {
  token: string;
  from: 'bearer' | 'cookie';
}

/** The token a request carries and where: the Bearer header when present, else the cookie. */
export function requestToken(req: Request, cookieName: string): RequestToken | undefined {
  const authorization = req.get('authorization');
  const bearer = authorization ? /^bearer(?:\s+(.*))?$/i.exec(authorization.trim()) : null;
  if (bearer) return { token: bearer[1] ?? '', from: 'bearer' };
  const cookie = readCookie(req.get('cookie'), cookieName);
  return cookie === undefined ? undefined : { token: cookie, from: 'cookie' };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export function createTokenCartHolder(options: TokenCartHolderOptions): CartHolder {
  const { codec, limits, cookieName } = options;
  const readClaim = claimReader(limits);
  const cookie: CookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: options.cookieSecure };

  function verify(token: string) {
    const cart = readClaim(codec.verify(token)[CART_CLAIM]);
    if (!cart) throw errors.invalidToken('the cart token does not carry a valid cart; start a new cart');
    return cart;
  }

  return {
    async read(req, res) {
      const found = requestToken(req, cookieName);
      if (found === undefined) return undefined;
      try {
        return verify(found.token);
      } catch (err) {
        // A bad cookie would fail forever, so it goes; a bad Bearer says nothing about the cookie.
        if (err instanceof CartError && found.from === 'cookie') res.clearCookie(cookieName, cookie);
        throw err;
      }
    },
    async write(_req, res, cart) {
      const token = codec.sign({ [CART_CLAIM]: toClaim(cart) });
      res.cookie(cookieName, token, { ...cookie, maxAge: options.ttlS * 1000 });
      res.setHeader(TOKEN_HEADER, token);
    },
  };
}
