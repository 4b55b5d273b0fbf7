import { readFileSync, readdirSync } from 'node:fs';

// Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on.
const MS_PER_TICK = 10;

/** CPU time (user + system) a process has used so far, in ms; undefined without /proc or once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return cpuMsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** utime + stime from a /proc/<pid>/stat line (fields 14 and 15; the name in parentheses may hold spaces). */
export function cpuMsFromStat(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * MS_PER_TICK : undefined;
}

/** Processes whose command line matches, from /proc (empty where there is none). */
export function pidsMatching(pattern: RegExp): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (pattern.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '))) pids.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

/** A named set of processes whose CPU time is read together, before and after a step. */
export type ProcessGroup = Array<{ name: string; pids: number[] }>;

export function readCpu(group: ProcessGroup): Map<string, number> {
  const ms = new Map<string, number>();
  for (const { name, pids } of group) {
    const values = pids.map(processCpuMs).filter((v): v is number => v !== undefined);
    if (values.length > 0)
      ms.set(
        name,
        values.reduce((a, b) => a + b, 0),
      );
  }
  return ms;
}

/** CPU ms per request of each process between two readings. */
export function cpuPerRequest(
  before: Map<string, number>,
  after: Map<string, number>,
  requests: number,
): Map<string, number> {
  const per = new Map<string, number>();
  if (requests <= 0) return per;
  for (const [name, end] of after) {
    const start = before.get(name);
    if (start !== undefined) per.set(name, (end - start) / requests);
  }
  return per;
}
