/** bench:fabric's result types and its readable report (tables on stdout). */
import type { AnchorResult, IssuanceResult, Step } from './fabric-phases.js';
import type { Headline } from '../fabric.js';

export interface BatchSetting {
  batchTimeout: string;
  maxMessages: number;
}

export interface SettingResult {
  setting: BatchSetting;
  /** BatchTimeout / MaxMessageCount as rendered into the network's configtx.yaml. */
  rendered: { batchTimeout: string; maxMessages: number };
  upSeconds: number;
  anchor: AnchorResult;
  gatewayStartSeconds: number;
  single: Step[];
  /** Every issuance level measured; `issuance` is the best of them. */
  issuanceSteps: IssuanceResult[];
  issuance: IssuanceResult;
}

/** Our best single-submit step (the headline figure of a setting). */
export function bestSingle(r: SettingResult): Step {
  return r.single.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
}

const KINDS = ['peers', 'orderers', 'chaincode', 'gateway', 'client'] as const;

/** Right-aligned columns after a left-aligned first one, markdown-style. */
function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(Math.max(w - 1, 1))}:`)).join(' | ')} |`;
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join('\n');
}

const fixed = (x: number | null | undefined, digits = 2): string => (x == null ? '—' : x.toFixed(digits));

/** One row per step: rate, latency, failures, then cores used and CPU ms per op of each kind. */
function stepRow(phase: string, s: Step): (string | number)[] {
  const kinds = KINDS.map((k) => {
    const c = s.cpu.byKind[k];
    return c ? `${fixed(c.cores)} / ${fixed(c.msPerOp, 1)}` : '—';
  });
  const ours = KINDS.reduce((sum, k) => sum + (s.cpu.byKind[k]?.cpuSeconds ?? 0), 0);
  const msPerOp = s.ok > 0 ? (ours * 1000) / s.ok : null;
  return [
    `${phase} @${s.concurrency}`,
    fixed(s.perSecond, 1),
    fixed(s.p50, 0),
    fixed(s.p95, 0),
    fixed(s.p99, 0),
    s.failed,
    ...kinds,
    fixed(msPerOp, 1),
    fixed(s.cpu.others.cores),
  ];
}

function settingTable(r: SettingResult): string {
  const rows = [
    ...r.anchor.steps.map((s) => stepRow('anchor heartbeat:Beat', s)),
    ...r.single.map((s) => stepRow('single growth entry', s)),
    ...r.issuanceSteps.map((s) => stepRow('batched issuance', s)),
  ];
  const header = ['phase @in flight', 'ok/s', 'p50 ms', 'p95 ms', 'p99 ms', 'failed'];
  const cpuHeader = KINDS.map((k) => `${k} cores / ms per op`);
  return table([...header, ...cpuHeader, 'ours ms/op', 'other work cores'], rows);
}

function describeBatches(i: IssuanceResult): string {
  const b = i.batches;
  const buckets = Object.entries(b.byBucket)
    .map(([bucket, n]) => `${bucket}: ${n}`)
    .join(', ');
  return (
    `${b.anchorTransactions} anchor transactions, mean ${fixed(b.mean, 1)} credentials each (${buckets}),` +
    ` mean commit ${fixed(b.meanCommitMs, 0)} ms`
  );
}

/** Cores used by each peer and orderer over a step: shows which node is the hot spot. */
function describeNodes(s: Step): string {
  return Object.entries(s.cpu.byNode)
    .map(([node, c]) => `${node} ${fixed(c.cores)}`)
    .join(', ');
}

/** Prints every setting's table, then the ratios and the targets of the chosen setting. */
export function printReport(results: readonly SettingResult[], h: Headline): void {
  for (const r of results) {
    console.log(
      `\nBatchTimeout ${r.rendered.batchTimeout}, MaxMessageCount ${r.rendered.maxMessages}` +
        ` (network up in ${r.upSeconds} s, gateway started and seeded in ${r.gatewayStartSeconds} s)`,
    );
    console.log(settingTable(r));
    console.log(`anchor ladder stopped: ${r.anchor.stoppedBecause}`);
    for (const i of r.issuanceSteps) console.log(`issuance batches @${i.concurrency}: ${describeBatches(i)}`);
    console.log(`cores by node, best single-submit step: ${describeNodes(bestSingle(r))}`);
    console.log(`cores by node, batched issuance: ${describeNodes(r.issuance)}`);
  }
  const mark = (met: boolean): string => (met ? 'met' : 'MISSED');
  console.log(
    `\nchosen: BatchTimeout ${h.chosen.batchTimeout}, MaxMessageCount ${h.chosen.maxMessages}: ${h.chosen.why}`,
  );
  console.log(
    table(
      ['figure (chosen setting)', 'value', 'target', 'result'],
      [
        ['anchor: network ceiling, tx/s', `${fixed(h.anchorTxPerSec, 1)} @${h.anchorConcurrency}`, '—', '—'],
        [
          'single submits, tx/s (ratio to anchor)',
          `${fixed(h.singleTxPerSec, 1)} @${h.singleConcurrency} (${fixed(h.singleRatio, 3)}×)`,
          `≥ ${h.targets.single.target}`,
          mark(h.targets.single.met),
        ],
        [
          'batched issuance, credentials/s (p95 ms)',
          `${fixed(h.issuancePerSec, 1)} (${fixed(h.issuanceP95Ms, 0)})`,
          '≥ 400',
          mark(h.targets.issuance.met),
        ],
      ],
    ),
  );
}
