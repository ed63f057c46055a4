import { cartContract, type HostileTarget, hostileContract } from '@statelab/cart-core/testing';
import { startRedisServer } from '@statelab/processes';
import { SECRET, startApp } from './support/in-process-app.ts';

const inMemory = () => startApp();

async function withRedis(): Promise<HostileTarget> {
  const redis = await startRedisServer();
  try {
    const app = await startApp({
      env: { INSTANCE_ID: 'stateful-redis-1', VARIANT: 'stateful-redis', REDIS_URL: redis.url },
    });
    return {
      ...app,
      secret: SECRET,
      async close() {
        await app.close();
        await redis.close();
      },
    };
  } catch (err) {
    await redis.close();
    throw err;
  }
}

cartContract('stateful (sessions in memory)', inMemory);
cartContract('stateful-redis (sessions in a real redis-server)', withRedis);
hostileContract('stateful (sessions in memory)', 'stateful', async () => ({
  ...(await inMemory()),
  secret: SECRET,
}));
hostileContract('stateful-redis (sessions in a real redis-server)', 'stateful-redis', withRedis);
