/**
 * CPU time of processes (utime + stime, from the process toolkit), so the report can say what a
 * request costs in CPU beside req/s: on a 2-core machine that is the number that answers honestly.
 */
import { processCpuMs } from '@statelab/processes';

/** CPU ms per process id, per group (apps, nginx, redis). */
export type CpuSample = Record<string, Record<number, number>>;
export type CpuGroups = () => Promise<Record<string, readonly number[]>>;

export async function sampleCpu(groups: CpuGroups): Promise<CpuSample> {
  const sample: CpuSample = {};
  for (const [group, pids] of Object.entries(await groups())) {
    sample[group] = {};
    for (const pid of pids) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) sample[group][pid] = ms;
    }
  }
  const own = process.cpuUsage();
  sample.bench = { [process.pid]: (own.user + own.system) / 1000 };
  return sample;
}

/** CPU ms spent per group between two samples; a process that appeared counts from its start. */
export function cpuDelta(before: CpuSample, after: CpuSample): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [group, pids] of Object.entries(after)) {
    let ms = 0;
    for (const [pid, now] of Object.entries(pids))
      ms += Math.max(0, now - (before[group]?.[Number(pid)] ?? 0));
    delta[group] = Math.round(ms);
  }
  return delta;
}
