/**
 * The native runtime: every instance a local process on a loopback port or a Unix socket. Calls on one id run one
 * after another (a kill arriving during a start waits for it); calls on different ids run in parallel.
 */

import { REDIS_ID } from '@statelab/cart-core';
import { freePort } from '@statelab/processes';
import { type InstanceInfo, type Runtime, RuntimeClosedError, UnknownInstanceError } from '../runtime.ts';
import { Instance, type InstanceSpec } from './instance.ts';

export interface NativeRuntime extends Runtime {
  readonly kind: 'native';
  /** The live instance (its endpoint is what nginx is configured with). */
  instance(id: string): Instance;
  /** Starts redis first (apps connect to it), then every other instance in parallel. */
  startAll(): Promise<void>;
  /** Stops apps gracefully in parallel, then redis; starts nothing afterwards. */
  close(): Promise<void>;
  /** SIGKILL to every live child, synchronously: the last resort when the lab process is exiting. */
  killAllNow(): void;
}

export async function createNativeRuntime(
  specs: readonly InstanceSpec[],
  onCrash: (message: string) => void,
): Promise<NativeRuntime> {
  const instances = new Map<string, Instance>();
  for (const spec of specs) {
    const endpoint = spec.socket === undefined ? { port: await freePort() } : { socket: spec.socket };
    instances.set(spec.id, new Instance(spec, endpoint, onCrash));
  }
  const queues = new Map<string, Promise<unknown>>();
  let closed = false;

  function find(id: string): Instance {
    const found = instances.get(id);
    if (!found) throw new UnknownInstanceError(id);
    return found;
  }

  function serialized<T>(id: string, work: (instance: Instance) => Promise<T>): Promise<T> {
    const instance = find(id);
    const previous = queues.get(id) ?? Promise.resolve();
    const next = previous.then(() => work(instance));
    queues.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  }

  async function startOne(instance: Instance, mayMovePort: boolean): Promise<InstanceInfo> {
    if (closed) throw new RuntimeClosedError();
    await instance.start({ mayMovePort });
    return instance.info();
  }

  async function settleAll(ids: string[], work: (instance: Instance) => Promise<unknown>): Promise<void> {
    const results = await Promise.allSettled(ids.map((id) => serialized(id, work)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length > 0) throw new Error(failures.join('\n'));
  }

  const ids = [...instances.keys()];
  const withoutRedis = ids.filter((id) => id !== REDIS_ID);
  const redis = ids.filter((id) => id === REDIS_ID);

  return {
    kind: 'native',
    instance: find,
    list: async () => [...instances.values()].map((i) => i.info()),
    kill: (id) =>
      serialized(id, async (instance) => {
        await instance.kill();
        return instance.info();
      }),
    stop: (id) =>
      serialized(id, async (instance) => {
        await instance.stop();
        return instance.info();
      }),
    start: (id) => serialized(id, (instance) => startOne(instance, false)),
    restart: (id) =>
      serialized(id, async (instance) => {
        await instance.stop();
        return startOne(instance, false);
      }),
    async startAll() {
      await settleAll(redis, (instance) => startOne(instance, true));
      await settleAll(withoutRedis, (instance) => startOne(instance, true));
    },
    killAllNow() {
      for (const instance of instances.values()) instance.killNow();
    },
    async close() {
      closed = true;
      await settleAll(withoutRedis, (instance) => instance.stop());
      await settleAll(redis, (instance) => instance.stop());
    },
  };
}
