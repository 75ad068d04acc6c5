/** Throughput and latency of one benchmark run. */
export interface Stats {
  ops: number;
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  /** Peak resident memory of the process that did the work, MB. */
  peakRssMb: number;
}

export const round = (x: number): number => Math.round(x * 100) / 100;

/** The p-th percentile of ascending values (nearest rank; 0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Runs `op(i)` for i in [0, n) from `concurrency` loops and reports ops/s and latency (ms).
 * `rss` is sampled every 50 ms while it runs (default: this process).
 */
export async function measure(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
  rss: () => number = () => process.memoryUsage().rss,
): Promise<Stats> {
  let peakRss = rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 50);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < n; i = next++) {
          const t = performance.now();
          await op(i);
          latencies.push(performance.now() - t);
        }
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ops: n,
    opsPerSec: round(n / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    peakRssMb: round(Math.max(peakRss, rss()) / 2 ** 20),
  };
}
