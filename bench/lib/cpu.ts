/**
 * CPU time of processes from /proc, by kind (peers, orderers, ...), so a benchmark can say where
 * the time went: cores used over a phase and milliseconds of CPU per transaction. Reads
 * utime + stime of each process (all its threads), and the whole machine's busy time from
 * /proc/stat, so the CPU that other work on a shared machine took is visible too.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds a process has used so far (utime + stime); 0 once it has exited. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine so far (every state but idle and iowait). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - (n[3] ?? 0) - (n[4] ?? 0)) / TICKS_PER_SECOND;
}

/** Processes measured as one kind, e.g. `peers` → the five peer pids. */
export type ProcessKinds = Record<string, readonly number[]>;

export interface KindCpu {
  /** Average cores busy over the phase. */
  cores: number;
  /** CPU seconds over the phase. */
  cpuSeconds: number;
  /** Milliseconds of CPU per unit of work (transaction or credential); null without work. */
  msPerOp: number | null;
}

export interface CpuReport {
  seconds: number;
  byKind: Record<string, KindCpu>;
  /** The same, per single process named in `nodes` (e.g. each peer), inside the kinds' totals. */
  byNode: Record<string, KindCpu>;
  /** Busy CPU of the whole machine not used by any measured process (other work on the machine). */
  others: KindCpu;
  machineCores: number;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

function kindCpu(cpuSeconds: number, seconds: number, ops: number): KindCpu {
  return {
    cores: round(cpuSeconds / seconds),
    cpuSeconds: round(cpuSeconds),
    msPerOp: ops > 0 ? round((cpuSeconds * 1000) / ops) : null,
  };
}

/** CPU seconds so far of each group of processes. */
function sample(groups: ProcessKinds): Record<string, number> {
  return Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => [
      name,
      pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    ]),
  );
}

/**
 * Starts measuring now; `stop(ops)` gives each kind's CPU since then, and that of each process in
 * `nodes` (a breakdown of processes already counted in a kind, so never added to the totals).
 */
export function startCpuMeter(
  kinds: ProcessKinds,
  nodes: Record<string, number> = {},
): { stop: (ops: number) => CpuReport } {
  const nodeGroups = Object.fromEntries(Object.entries(nodes).map(([name, pid]) => [name, [pid]]));
  const before = sample(kinds);
  const nodesBefore = sample(nodeGroups);
  const machineBefore = machineBusySeconds();
  const started = performance.now();
  return {
    stop(ops: number): CpuReport {
      const after = sample(kinds);
      const nodesAfter = sample(nodeGroups);
      const seconds = (performance.now() - started) / 1000;
      const byKind: Record<string, KindCpu> = {};
      let ours = 0;
      for (const kind of Object.keys(kinds)) {
        const used = (after[kind] ?? 0) - (before[kind] ?? 0);
        ours += used;
        byKind[kind] = kindCpu(used, seconds, ops);
      }
      const machine = machineBusySeconds() - machineBefore;
      const byNode = Object.fromEntries(
        Object.keys(nodes).map((n) => [
          n,
          kindCpu((nodesAfter[n] ?? 0) - (nodesBefore[n] ?? 0), seconds, ops),
        ]),
      );
      return {
        seconds: round(seconds, 1),
        byKind,
        byNode,
        others: kindCpu(Math.max(0, machine - ours), seconds, ops),
        machineCores: round(machine / seconds),
      };
    },
  };
}
