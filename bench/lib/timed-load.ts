import { percentile, round } from './stats.js';

/**
 * Closed-loop load for a fixed time: `concurrency` loops each start the next operation as soon
 * as their previous one ends. Counts operations that succeeded (committed) and failed, with
 * latency percentiles of the successful ones. Used by bench:fabric, whose steps are timed rather
 * than counted so that each concurrency level gets the same, stable window.
 */
export interface TimedResult {
  concurrency: number;
  seconds: number;
  ok: number;
  failed: number;
  /** Successful operations per second over the window. */
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** The first few distinct failure messages, for the report. */
  errors: string[];
}

/**
 * Runs `op(i)` from `concurrency` loops for `ms` milliseconds (operations in flight at the end are
 * awaited, and counted if they finish: the window is measured up to the last completion).
 * `op` resolves on success and rejects on failure; `i` is unique per call.
 */
export async function runFor(
  ms: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
  firstIndex = 0,
): Promise<TimedResult> {
  const latencies: number[] = [];
  const errors = new Set<string>();
  let failed = 0;
  let next = firstIndex;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await op(next++);
          latencies.push(performance.now() - t);
        } catch (error) {
          failed += 1;
          if (errors.size < 5)
            errors.add(error instanceof Error ? error.message.slice(0, 300) : String(error));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    seconds: round(seconds),
    ok: latencies.length,
    failed,
    perSecond: round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    errors: [...errors],
  };
}
