/**
 * `npm run bench:fabric [-- --quick] [-- --sweep] [-- --keep]`: in one run on the Fabric test
 * network, the network's own ceiling (the anchor) and our figures as ratios to it.
 *
 * For each block-cutting setting (one: FABRIC_BATCH_TIMEOUT / FABRIC_BATCH_MAX_MESSAGES or the
 * network's defaults; with --sweep two, the network brought up afresh for each):
 * 1. anchor: heartbeat:Beat (one key written, nothing read) through @hyperledger/fabric-gateway
 *    directly, at 1, 4, 16, 64, 128, 256 in flight until committed tx/s gains < 5 %;
 * 2. our single submits: growth entries through the real gateway process (`npm start`'s command
 *    line, LEDGER=fabric), at the anchor's best concurrency and the step below it;
 * 3. our batched issuance: POST /credentials/issue at 128 and 512 in flight, with the anchor batch
 *    sizes from /metrics;
 * with the CPU of peers, orderers, chaincode server, gateway and this client over every step.
 *
 * The network is the one FABRIC_STATE_DIR / FABRIC_PORT_BASE name (default test-network/.state,
 * 7050): the bench stops and restarts it, and stops it at the end unless --keep.
 * Prints a table and, last, one JSON line; writes bench/results/fabric.json (fabric-quick.json
 * with --quick).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchSettings } from '../test-network/src/crypto.js';
import { down, statePaths, up } from '../test-network/src/network.js';
import {
  LADDER,
  measureAnchor,
  measureIssuance,
  measureSingleSubmits,
  type AnchorResult,
  type Durations,
  type Processes,
} from './lib/fabric-phases.js';
import { startGatewayProcess } from './lib/gateway-process.js';
import { closeConnections } from './lib/http-client.js';
import { bestSingle, printReport, type BatchSetting, type SettingResult } from './lib/fabric-report.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const sweep = process.argv.includes('--sweep');
const keep = process.argv.includes('--keep');

const DURATIONS: Durations = quick
  ? { warmUpMs: 3_000, anchorStepMs: 5_000, singleStepMs: 8_000, issueStepMs: 10_000 }
  : { warmUpMs: 8_000, anchorStepMs: 15_000, singleStepMs: 20_000, issueStepMs: 20_000 };
/**
 * Issuance requests in flight. A closed loop of N clients caps a batch at about N / 2 (the other
 * half wait for the batch on its way), so the larger level lets the anchorer fill its batches.
 */
const ISSUE_LEVELS = [128, 512];

/** FABRIC_BATCH_TIMEOUT / FABRIC_BATCH_MAX_MESSAGES, or the network's defaults, checked as `up` checks them. */
const fromEnv = (): BatchSetting => {
  const { BATCH_TIMEOUT, BATCH_MAX_MESSAGES } = batchSettings();
  return { batchTimeout: BATCH_TIMEOUT, maxMessages: Number(BATCH_MAX_MESSAGES) };
};
/** --sweep: the default next to a longer timer with bigger blocks (fewer blocks per transaction). */
const SWEEP: BatchSetting[] = [
  { batchTimeout: '100ms', maxMessages: 200 },
  { batchTimeout: '500ms', maxMessages: 500 },
];

/** The network's processes by kind, and each peer and orderer by name, from its pid files. */
function networkProcesses(): Processes {
  const dir = statePaths().pids;
  const nodes = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => [f.slice(0, -'.pid'.length), Number(readFileSync(join(dir, f), 'utf8').trim())]),
  );
  const of = (prefix: string): number[] =>
    Object.entries(nodes)
      .filter(([name]) => name.startsWith(prefix))
      .map(([, pid]) => pid);
  return {
    kinds: { peers: of('peer'), orderers: of('orderer'), chaincode: of('chaincode') },
    nodes: Object.fromEntries(Object.entries(nodes).filter(([name]) => name !== 'chaincode')),
  };
}

/** What configtxgen was given: read back from the rendered file, so the report shows the truth. */
function renderedSettings(): SettingResult['rendered'] {
  const text = readFileSync(join(statePaths().config, 'configtx.yaml'), 'utf8');
  return {
    batchTimeout: /^\s*BatchTimeout:\s*(\S+)/m.exec(text)?.[1] ?? '?',
    maxMessages: Number(/^\s*MaxMessageCount:\s*(\d+)/m.exec(text)?.[1] ?? NaN),
  };
}

/** The anchor's best concurrency and the ladder step below it: our single submits' two levels. */
function singleLevels(anchor: AnchorResult): number[] {
  const at = LADDER.indexOf(anchor.best.concurrency);
  return at > 0 ? [LADDER[at - 1] ?? 1, anchor.best.concurrency] : [anchor.best.concurrency];
}

async function measureSetting(setting: BatchSetting): Promise<SettingResult> {
  process.env.FABRIC_BATCH_TIMEOUT = setting.batchTimeout;
  process.env.FABRIC_BATCH_MAX_MESSAGES = String(setting.maxMessages);
  // A fresh network, so the setting is the one the channel was created with.
  await down();
  const network = await up();
  const net = networkProcesses();
  const client = { client: [process.pid] };
  const anchor = await measureAnchor(
    network.connectionProfile,
    { ...net, kinds: { ...net.kinds, ...client } },
    DURATIONS,
  );
  const started = performance.now();
  // BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the gateway, as in bench/run.ts.
  const nodeArgs = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const gw = await startGatewayProcess({
    env: { LEDGER: 'fabric', FABRIC_CONNECTION: network.connectionProfile, EDU_MODE: 'demo' },
    nodeArgs,
  });
  const gatewayStartSeconds = Math.round((performance.now() - started) / 100) / 10;
  try {
    const withGateway = { ...net, kinds: { ...net.kinds, gateway: [gw.pid], ...client } };
    const single = await measureSingleSubmits(gw, withGateway, singleLevels(anchor), DURATIONS);
    const issuanceSteps = [];
    for (const level of ISSUE_LEVELS)
      issuanceSteps.push(await measureIssuance(gw, withGateway, level, DURATIONS));
    const issuance = issuanceSteps.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    return {
      setting,
      rendered: renderedSettings(),
      upSeconds: network.upSeconds,
      anchor,
      gatewayStartSeconds,
      single,
      issuanceSteps,
      issuance,
    };
  } finally {
    await gw.stop();
  }
}

/**
 * Single submits and issuance against the issue's absolute targets (200 tx/s, 400 credentials/s):
 * higher is better. Absolute, not relative to each setting's own anchor, so a setting cannot score
 * better by slowing the anchor down.
 */
function score(r: SettingResult): number {
  return bestSingle(r).perSecond / 200 + r.issuance.perSecond / 400;
}

/** A lone transaction's latency (the anchor at 1 in flight): what sequential callers wait. */
const loneP50 = (r: SettingResult): number => r.anchor.steps[0]?.p50 ?? NaN;

/**
 * The setting kept: the first (the network's default) unless another scores more than 10 % higher
 * on both targets together (single submits / 200 + issuance / 400); smaller differences
 * are within this machine's drift, and the default keeps a lone transaction fastest.
 */
function choose(results: SettingResult[]): { chosen: SettingResult; why: string } {
  const first = results[0] as SettingResult;
  if (results.length === 1) return { chosen: first, why: 'only setting tried (run with --sweep to compare)' };
  const best = results.reduce((a, b) => (score(b) > score(a) ? b : a));
  const figures = results
    .map(
      (r) =>
        `${r.setting.batchTimeout}/${r.setting.maxMessages}: score ${score(r).toFixed(3)}, ` +
        `single ${bestSingle(r).perSecond} tx/s, issuance ${r.issuance.perSecond}/s, lone tx p50 ${loneP50(r)} ms`,
    )
    .join('; ');
  const chosen = best !== first && score(best) > 1.1 * score(first) ? best : first;
  const reason = chosen === first && best !== first ? 'no other setting was > 10 % better' : 'best score';
  return { chosen, why: `${reason} (${figures})` };
}

function summary(results: SettingResult[]) {
  const { chosen, why } = choose(results);
  const anchor = chosen.anchor.best.perSecond;
  const single = bestSingle(chosen);
  const singleTarget = Math.min(200, 0.8 * anchor);
  return {
    bench: 'fabric',
    at: new Date().toISOString(),
    quick,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? '?',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    chosen: { ...chosen.setting, why },
    anchorTxPerSec: anchor,
    anchorConcurrency: chosen.anchor.best.concurrency,
    singleTxPerSec: single.perSecond,
    singleConcurrency: single.concurrency,
    singleP95Ms: single.p95,
    singleRatio: Math.round((single.perSecond / anchor) * 1000) / 1000,
    issuancePerSec: chosen.issuance.perSecond,
    issuanceP95Ms: chosen.issuance.p95,
    issuanceMeanBatch: chosen.issuance.batches.mean,
    targets: {
      issuance: { target: 400, met: chosen.issuance.perSecond >= 400 },
      single: { target: Math.round(singleTarget * 10) / 10, met: single.perSecond >= singleTarget },
    },
  };
}

async function main(): Promise<void> {
  const settings = sweep ? SWEEP : [fromEnv()];
  const results: SettingResult[] = [];
  try {
    for (const setting of settings) results.push(await measureSetting(setting));
  } finally {
    closeConnections();
    if (!keep) await down();
  }
  const headline = summary(results);
  printReport(results, headline);
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', quick ? 'fabric-quick.json' : 'fabric.json');
  writeFileSync(
    file,
    `${JSON.stringify({ ...headline, durations: DURATIONS, settings: results }, null, 2)}\n`,
  );
  console.log(`result file: ${file}`);
  console.log(JSON.stringify(headline));
}

export type Headline = ReturnType<typeof summary>;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `[bench:fabric] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
