/**
 * CPU time of processes from /proc/<pid>/stat (utime + stime), so the report can say what a request
 * costs in CPU beside req/s: on a 2-core machine that is the number that answers honestly.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU ms per process id, per group (apps, nginx, redis). */
export type CpuSample = Record<string, Record<number, number>>;
export type CpuGroups = () => Promise<Record<string, readonly number[]>>;

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process in ms; undefined when it is gone or /proc is not there. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / clockTicks();
}

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
