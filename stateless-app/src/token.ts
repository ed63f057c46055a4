/**
 * Signs and verifies cart tokens (HS256 JWTs). The secret is a KeyObject: given a string, jsonwebtoken
 * tries to parse it as a PEM key on every call (~50x slower, scripts/jwt-secret-cost.ts). The algorithm
 * is pinned, issuer and audience are checked, `exp` is required (the library accepts tokens without),
 * and a `crit` header is refused (the library ignores it; RFC 7515 §4.1.11: we understand no extension).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors } from '@statelab/cart-core';
import jwt from 'jsonwebtoken';
import type { TokenConfig } from './config.ts';

export const TOKEN_ALGORITHM = 'HS256';
export const TOKEN_ISSUER = 'statelab';
export const TOKEN_AUDIENCE = 'statelab-stateless';
/** Refused before verifying: far above a full cart's token, far below what could cost real CPU. */
export const MAX_TOKEN_BYTES = 4096;
/** Instances' clocks may differ a little; a token minted by a neighbour must not look expired or unborn. */
export const CLOCK_TOLERANCE_S = 5;

export interface TokenCodec {
  /** A signed token carrying `claims` and fresh `iat`/`exp`. */
  sign(claims: Record<string, unknown>): string;
  /** The verified payload; throws `invalid_token` or `token_expired`. */
  verify(token: string): Record<string, unknown>;
}

export function secretKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export function createTokenCodec(config: TokenConfig): TokenCodec {
  const key = secretKey(config.secret);
  const signOptions: jwt.SignOptions = {
    algorithm: TOKEN_ALGORITHM,
    expiresIn: config.ttlS,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
  };
  const verifyOptions: jwt.VerifyOptions & { complete: true } = {
    algorithms: [TOKEN_ALGORITHM],
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    maxAge: config.maxAgeS,
    clockTolerance: CLOCK_TOLERANCE_S,
    complete: true,
  };

  return {
    sign: (claims) => jwt.sign(claims, key, signOptions),
    verify(token) {
      if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) {
        throw errors.invalidToken(`the cart token is larger than ${MAX_TOKEN_BYTES} bytes`);
      }
      let verified: jwt.Jwt;
      try {
        verified = jwt.verify(token, key, verifyOptions);
      } catch (err) {
        if (err instanceof jwt.TokenExpiredError) throw errors.tokenExpired(err);
        throw errors.invalidToken('the cart token is not valid; start a new cart', err);
      }
      if (verified.header.crit !== undefined) {
        throw errors.invalidToken('the cart token names critical header extensions; start a new cart');
      }
      const { payload } = verified;
      if (typeof payload !== 'object') throw errors.invalidToken('the cart token carries no claims');
      if (typeof payload.exp !== 'number') throw errors.invalidToken('the cart token has no expiry');
      // A token issued in the future was not issued by a neighbour whose clock is merely ahead.
      if (typeof payload.iat !== 'number' || payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_S) {
        throw errors.invalidToken('the cart token has an invalid issue time');
      }
      return payload;
    },
  };
}
