/**
 * Micro-measure quoted by the README: HS256 sign+verify per second with the secret as a KeyObject
 * (what the app does) versus as a string (jsonwebtoken then tries to parse it as a PEM key each call).
 * Usage: node --import tsx stateless-app/scripts/jwt-secret-cost.ts [seconds per variant, default 2]
 */
import { type KeyObject, randomBytes } from 'node:crypto';
import { EXIT, newCart } from '@statelab/cart-core';
import jwt from 'jsonwebtoken';
import { toClaim } from '../src/cart-claim.ts';
import { secretKey, TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/token.ts';

/** Sign+verify round trips per second over `seconds`, after a short warm-up. */
function rate(secret: string | KeyObject, seconds: number): number {
  const claims = { cart: toClaim({ ...newCart(), lines: [{ productId: 'mug-ink', quantity: 2 }] }) };
  const options = { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE };
  const once = () => {
    const token = jwt.sign(claims, secret, { algorithm: TOKEN_ALGORITHM, expiresIn: 600, ...options });
    jwt.verify(token, secret, { algorithms: [TOKEN_ALGORITHM], ...options });
  };
  for (let i = 0; i < 200; i++) once();
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 50; i++) once();
    count += 50;
  }
  return count / ((performance.now() - started) / 1000);
}

function report(keyObject: number, string: number): string {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
  return [
    `KeyObject secret: ${fmt(keyObject)} sign+verify/s`,
    `string secret:    ${fmt(string)} sign+verify/s`,
    `KeyObject is ${(keyObject / string).toFixed(1)}x faster`,
  ].join('\n');
}

const seconds = Number(process.argv[2] ?? 2);
if (!(seconds > 0 && seconds <= 30)) {
  process.stderr.write('usage: jwt-secret-cost.ts [seconds per variant, 0-30]\n');
  process.exit(EXIT.usage);
}
const secret = randomBytes(32).toString('hex');
const keyObjectRate = rate(secretKey(secret), seconds);
const stringRate = rate(secret, seconds);
process.stdout.write(`${report(keyObjectRate, stringRate)}\n`);
