/**
 * The measured phases of bench:fabric, each a timed closed-loop load with the CPU of every process
 * kind read over the same window: the anchor ladder (heartbeat:Beat through fabric-gateway
 * directly), our single submits (growth entries through the gateway) and our batched issuance.
 */
import { randomBytes } from 'node:crypto';
import { startCpuMeter, type CpuReport, type ProcessKinds } from './cpu.js';
import { openDirectClient } from './fabric-direct.js';
import type { GatewayProcess } from './gateway-process.js';
import { send } from './http-client.js';
import { runFor, type TimedResult } from './timed-load.js';
import { achievement } from './workload.js';

export interface Durations {
  warmUpMs: number;
  anchorStepMs: number;
  singleStepMs: number;
  issueStepMs: number;
}

export interface Step extends TimedResult {
  cpu: CpuReport;
}

export interface AnchorResult {
  steps: Step[];
  best: Step;
  /** Why the ladder stopped. */
  stoppedBecause: string;
}

/** The processes whose CPU a phase reports: totals by kind, and single nodes (each peer) apart. */
export interface Processes {
  kinds: ProcessKinds;
  nodes: Record<string, number>;
}

/** Runs `load` with the CPU of the processes measured over exactly its window. */
async function withCpu(procs: Processes, load: () => Promise<TimedResult>): Promise<Step> {
  const meter = startCpuMeter(procs.kinds, procs.nodes);
  const result = await load();
  return { ...result, cpu: meter.stop(result.ok) };
}

function log(line: string): void {
  process.stderr.write(`[bench:fabric] ${line}\n`);
}

function describe(step: TimedResult): string {
  const errors = step.failed > 0 ? `, ${step.failed} failed (${step.errors[0] ?? ''})` : '';
  return `${step.concurrency} in flight: ${step.perSecond}/s, p95 ${step.p95} ms${errors}`;
}

/** The concurrency ladder of the anchor; stops once a step gains less than `minGain` over the one before. */
export const LADDER = [1, 4, 16, 64, 128, 256];

/**
 * The network's ceiling: heartbeat:Beat (one key written) submitted with fabric-gateway directly,
 * at rising concurrency until committed tx/s stops rising by 5 %.
 */
export async function measureAnchor(
  connection: string,
  procs: Processes,
  d: Durations,
  minGain = 0.05,
): Promise<AnchorResult> {
  const client = openDirectClient(connection, 'SchoolGenMSP', 'teacher@school-gen');
  // A fresh prefix per run: the slots (keys) of one run never repeat another's.
  const run = randomBytes(4).toString('hex');
  const beat = (i: number): Promise<void> => client.beat(`${run}-${i}`);
  let index = 0;
  const steps: Step[] = [];
  let stoppedBecause = `reached the top of the ladder (${LADDER.at(-1)} in flight)`;
  try {
    index += (await runFor(d.warmUpMs, 16, beat, index)).ok + 1000;
    for (const concurrency of LADDER) {
      const step = await withCpu(procs, () => runFor(d.anchorStepMs, concurrency, beat, index));
      index += step.ok + step.failed + concurrency;
      steps.push(step);
      log(`anchor ${describe(step)}`);
      const previous = steps.at(-2);
      if (previous && step.perSecond < previous.perSecond * (1 + minGain)) {
        stoppedBecause = `${concurrency} in flight gained ${gainPercent(previous, step)} % over ${previous.concurrency} (< ${minGain * 100} %)`;
        break;
      }
    }
  } finally {
    client.close();
  }
  const best = steps.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  return { steps, best, stoppedBecause };
}

function gainPercent(before: TimedResult, after: TimedResult): number {
  return Math.round((after.perSecond / before.perSecond - 1) * 1000) / 10;
}

/** Posts JSON and resolves only on `expected` status (an op of the timed load). */
async function post(url: string, token: string, body: unknown, expected = 201): Promise<string> {
  const res = await send('POST', url, JSON.stringify(body), { authorization: `Bearer ${token}` });
  if (res.status !== expected) throw new Error(`${res.status} ${res.body.slice(0, 200)}`);
  return res.body;
}

/**
 * One student with an open archive, to which the single-submit phase adds entries. The person is
 * synthetic (the test suites' fixture numbers); names and numbers go to the gateway's vault only.
 */
async function openBenchArchive(gw: GatewayProcess): Promise<string> {
  const admin = gw.tokens['school-admin@school-gen'] ?? '';
  const registered = JSON.parse(
    await post(`${gw.url}/subjects`, admin, {
      name: '基准测试学生',
      idNumber: '310101200901012345',
      studentNumber: 'G310101200901012345',
      birthDate: '2009-01-01',
      did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    }),
  ) as { subjectId: string };
  await post(`${gw.url}/archives`, admin, {
    subjectId: registered.subjectId,
    dimensionSetId: 'five-dimensions-a',
  });
  return registered.subjectId;
}

/**
 * Our single submits: `POST /archives/{id}/entries`, one growth entry per ledger transaction (the
 * entry's digest; its text goes to the vault), answered 201 once committed. Measured at each
 * concurrency given, after a warm-up at the first.
 */
export async function measureSingleSubmits(
  gw: GatewayProcess,
  procs: Processes,
  concurrencies: readonly number[],
  d: Durations,
): Promise<Step[]> {
  const teacher = gw.tokens['teacher@school-gen'] ?? '';
  const subjectId = await openBenchArchive(gw);
  const url = `${gw.url}/archives/${subjectId}/entries`;
  const entry = async (i: number): Promise<void> => {
    await post(url, teacher, {
      entryId: `b-${i}`,
      term: '2026-S1',
      dimensionId: 'academic',
      indicatorId: 'science',
      content: { text: `课堂表现记录 ${i} / Classroom note ${i}` },
    });
  };
  let index = (await runFor(d.warmUpMs, concurrencies[0] ?? 16, entry)).ok + 1000;
  const steps: Step[] = [];
  for (const concurrency of concurrencies) {
    const step = await withCpu(procs, () => runFor(d.singleStepMs, concurrency, entry, index));
    index += step.ok + step.failed + concurrency;
    steps.push(step);
    log(`single submits ${describe(step)}`);
  }
  return steps;
}

export interface IssuanceResult extends Step {
  /** Credentials per anchor transaction over the window, from the gateway's /metrics. */
  batches: BatchSizes;
}

export interface BatchSizes {
  anchorTransactions: number;
  mean: number | null;
  /** Anchor transactions per histogram bucket (`≤1`, `≤2`, ... `>200`), over the window. */
  byBucket: Record<string, number>;
  /** Mean time from submitting an anchor transaction to its commit, ms (gateway's /metrics). */
  meanCommitMs: number | null;
}

/** Our batched issuance: `POST /credentials/issue`, digests anchored in Merkle batches. */
export async function measureIssuance(
  gw: GatewayProcess,
  procs: Processes,
  concurrency: number,
  d: Durations,
): Promise<IssuanceResult> {
  const token = gw.tokens['school-admin@school-gen'] ?? '';
  const issue = async (i: number): Promise<void> => {
    await post(`${gw.url}/credentials/issue`, token, { credential: achievement(i) });
  };
  let index = (await runFor(d.warmUpMs, concurrency, issue)).ok + 1000;
  const before = await batchHistogram(gw.url);
  const step = await withCpu(procs, () => runFor(d.issueStepMs, concurrency, issue, index));
  index += step.ok;
  const batches = batchDelta(before, await batchHistogram(gw.url));
  log(`issuance ${describe(step)}, ${batches.anchorTransactions} anchor tx, mean batch ${batches.mean}`);
  return { ...step, batches };
}

interface Histogram {
  count: number;
  sum: number;
  /** Cumulative counts by upper bound (`+Inf` included). */
  buckets: Map<string, number>;
  /** edu_ledger_commit_duration_seconds of committed anchor transactions: sum (s) and count. */
  commitSum: number;
  commitCount: number;
}

/** The gateway's `edu_anchor_batch_size` histogram (Prometheus text; /metrics answers loopback). */
async function batchHistogram(url: string): Promise<Histogram> {
  const text = (await send('GET', `${url}/metrics`)).body;
  const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
  const buckets = new Map<string, number>();
  for (const m of text.matchAll(/^edu_anchor_batch_size_bucket\{le="([^"]+)"\} (\d+)/gm)) {
    buckets.set(m[1] ?? '', Number(m[2]));
  }
  return {
    count: value(/^edu_anchor_batch_size_count (\d+)/m),
    sum: value(/^edu_anchor_batch_size_sum ([\d.]+)/m),
    buckets,
    commitSum: value(/^edu_ledger_commit_duration_seconds_sum\{outcome="committed"\} ([\d.e+-]+)/m),
    commitCount: value(/^edu_ledger_commit_duration_seconds_count\{outcome="committed"\} (\d+)/m),
  };
}

function batchDelta(before: Histogram, after: Histogram): BatchSizes {
  const count = after.count - before.count;
  const byBucket: Record<string, number> = {};
  let below = 0;
  let previousBound = '0';
  for (const [bound, cumulative] of after.buckets) {
    const inWindow = cumulative - (before.buckets.get(bound) ?? 0);
    const label = bound === '+Inf' ? `>${previousBound}` : `≤${bound}`;
    if (inWindow - below > 0) byBucket[label] = inWindow - below;
    below = inWindow;
    previousBound = bound;
  }
  return {
    anchorTransactions: count,
    mean: count > 0 ? Math.round(((after.sum - before.sum) / count) * 10) / 10 : null,
    byBucket,
    meanCommitMs:
      after.commitCount > before.commitCount
        ? Math.round(((after.commitSum - before.commitSum) / (after.commitCount - before.commitCount)) * 1000)
        : null,
  };
}
