/**
 * The system under test for one variant: a native lab the bench starts and stops itself, or a
 * running lab (`--target`) driven through its control API, or a compose lab driven through the
 * `docker compose` CLI. Each gives a base URL, a `Runtime` for
 * faults, the process ids whose CPU time the report reads, and where the instances count evictions.
 */
import { REDIS_ID, TOPOLOGY, type Variant } from '@statelab/cart-core';
import {
  connectLab,
  type DrainMode,
  type InstanceInfo,
  type LabHost,
  type Runtime,
  startLab,
} from '@statelab/lab';
import type { CpuGroups } from './cpu.ts';
import { type EvictionSource, evictionSource } from './evictions.ts';
import { connectRuntime } from './http-runtime.ts';

/** Where `docker compose up` publishes the load balancer. */
export const COMPOSE_URL = 'http://127.0.0.1:8080';

export interface LabTarget {
  readonly baseUrl: string;
  readonly runtime: Runtime;
  /** CPU groups for a variant: its app instances, nginx, and redis when the variant uses it. */
  cpuGroups(variant: Variant | 'baseline'): CpuGroups;
  /** The instances' `sessions_evicted_total`, read on their ports or sockets; empty where they cannot be reached. */
  evictions(variant: Variant | 'baseline'): EvictionSource;
  close(): Promise<void>;
}

const NONE: EvictionSource = async () => ({});

export interface NativeLabSpec {
  variant: Variant;
  instances: number;
  /** Bare express instances for the scaling ceiling (0 for none). */
  baseline: number;
  /** Added to every app's environment (a small SESSION_MEMORY_CAP, say). */
  appEnv?: Readonly<Record<string, string>>;
  /** The lab's `--drain`; its default (`unlink`) when not given. */
  drain?: DrainMode;
}

function groupsFor(runtime: Runtime, variant: Variant | 'baseline', nginxPids: () => number[]): CpuGroups {
  return async () => {
    const all = await runtime.list();
    const running = (which: (i: InstanceInfo) => boolean) =>
      all.filter((i) => which(i) && i.state === 'running' && i.pid !== undefined).map((i) => i.pid!);
    const groups: Record<string, number[]> = {
      app: running((i) => i.variant === variant),
      nginx: nginxPids(),
    };
    if (variant !== 'baseline' && TOPOLOGY[variant].needsRedis)
      groups.redis = running((i) => i.id === REDIS_ID);
    return groups;
  };
}

export async function openNativeLab(spec: NativeLabSpec, host: LabHost): Promise<LabTarget> {
  const lab = await startLab(
    {
      port: 0,
      instances: spec.instances,
      variants: [spec.variant],
      baseline: spec.baseline,
      // Request lines at info would cost the apps more than the requests themselves.
      logLevel: 'warn',
      ...(spec.appEnv ? { appEnv: spec.appEnv } : {}),
      ...(spec.drain ? { drain: spec.drain } : {}),
    },
    host,
  );
  const nginxPids = () => {
    const master = lab.nginxPid();
    return [...(master === undefined ? [] : [master]), ...lab.nginxWorkerPids()];
  };
  return {
    baseUrl: lab.baseUrl,
    runtime: lab.runtime,
    cpuGroups: (variant) => groupsFor(lab.runtime, variant, nginxPids),
    evictions: (variant) => evictionSource(lab.runtime, variant),
    close: () => lab.close(),
  };
}

/** A running lab; nginx's pids are not known through the control API, so its CPU is not reported. */
export async function openTargetLab(baseUrl: string): Promise<LabTarget> {
  const runtime = await connectRuntime(baseUrl);
  return {
    baseUrl: baseUrl.replace(/\/$/, ''),
    runtime,
    cpuGroups: (variant) => groupsFor(runtime, variant, () => []),
    // A compose lab's instances listen inside containers, not on this host.
    evictions: (variant) => (runtime.kind === 'native' ? evictionSource(runtime, variant) : NONE),
    close: async () => {},
  };
}

/**
 * A compose lab at `baseUrl` (its nginx), faults driven through the `docker compose` CLI on this
 * host: compose's nginx has no control API, and the containers' CPU is not in this host's /proc view.
 */
export async function openComposeLab(baseUrl: string): Promise<LabTarget> {
  const lab = await connectLab({ runtime: 'compose', target: baseUrl });
  return {
    baseUrl: lab.baseUrl,
    runtime: lab.runtime,
    cpuGroups: () => async () => ({}),
    evictions: () => NONE,
    close: () => lab.close(),
  };
}
