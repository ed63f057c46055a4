import { TOPOLOGY } from '../src/index.ts';
import { cartContract } from '../src/testing/index.ts';
import { startCoreApp } from './support-core-app.ts';
import { memoryHolder } from './support-memory-holder.ts';

cartContract('core routes over an in-memory holder', async () => {
  const running = await startCoreApp(memoryHolder(TOPOLOGY.stateful.cookieName));
  return { baseUrl: running.url, variant: 'stateful', instance: 'stateful-1', close: running.close };
});
