/**
 * The ceiling for `direct-vs-bare.ts`: bare express 5 answering a small constant cart-shaped JSON,
 * with no logging, metrics, session or validation. Prints one `listening` line with its URL.
 */
import express from 'express';

const CART = {
  cartId: 'c_baseline00000000000',
  rev: 3,
  items: [],
  itemCount: 0,
  totalCents: 0,
  servedBy: { instance: 'bare-1', variant: 'bare' },
};
const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.get('/api/cart', (_req, res) => {
  res.json(CART);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    process.stdout.write(
      `${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${address.port}` })}\n`,
    );
});
server.keepAliveTimeout = 10_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
