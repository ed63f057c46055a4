/** The shared cart contract and hostile-input suites (cart-core/testing) against the stateless app. */
import { cartContract, hostileContract } from '@statelab/cart-core/testing';
import { startServer, TEST_SECRET } from './helpers.ts';

async function start() {
  const app = await startServer({ INSTANCE_ID: 'stateless-1' });
  return {
    baseUrl: app.url,
    variant: 'stateless' as const,
    instance: app.config.instance,
    secret: TEST_SECRET,
    close: app.close,
  };
}

cartContract('stateless (cart in a signed JWT)', start);
hostileContract('stateless (cart in a signed JWT)', 'stateless', start);
