import { cartContract } from '@statelab/cart-core/testing';
import { startRedisServer } from '@statelab/processes';
import { startApp } from './support/in-process-app.ts';

cartContract('stateful (sessions in memory)', () => startApp());

cartContract('stateful-redis (sessions in a real redis-server)', async () => {
  const redis = await startRedisServer();
  try {
    const app = await startApp({
      env: { INSTANCE_ID: 'stateful-redis-1', VARIANT: 'stateful-redis', REDIS_URL: redis.url },
    });
    return {
      ...app,
      async close() {
        await app.close();
        await redis.close();
      },
    };
  } catch (err) {
    await redis.close();
    throw err;
  }
});
