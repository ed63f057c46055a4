/** The shared cart contract suite (cart-core/testing) against the stateless app. */
import { cartContract } from '@statelab/cart-core/testing';
import { startServer } from './helpers.ts';

cartContract('stateless (cart in a signed JWT)', async () => {
  const app = await startServer({ INSTANCE_ID: 'stateless-1' });
  return { baseUrl: app.url, variant: 'stateless', instance: app.config.instance, close: app.close };
});
