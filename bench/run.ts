/**
 * `npm run bench [-- --quick] [-- --json]`: issuance and verification through the gateway's HTTP API
 * on the embedded ledger, each beside its anchor measured in the same run.
 *
 * - System: the real gateway process (`npm start`'s entry point, signing workers = cores) on a
 *   fresh DATA_DIR, driven over HTTP on 127.0.0.1 by 16 concurrent clients (`--clients N`) in this
 *   process, through a lean keep-alive HTTP client (bench/lib/http-client.ts).
 * - Anchors (bench/anchor.ts, a process of their own): raw `@digitalbazaar/vc` `issue` of the same
 *   credentials, and raw `verifyCredential` of the credentials the gateway issued, stock jsonld.js,
 *   no HTTP, ledger or vault.
 *
 * Writes bench/results/embedded.json; with --json the last line printed is one JSON object with the
 * headline figures. Set BENCH_GATEWAY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") to
 * profile the gateway.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnchorJob } from './anchor.js';
import { startGatewayProcess } from './lib/gateway-process.js';
import { closeConnections, send } from './lib/http-client.js';
import { measure, type Stats } from './lib/stats.js';
import { achievement } from './lib/workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const jsonOut = process.argv.includes('--json');
const N = quick ? 700 : 2000;
const clientsArg = process.argv.indexOf('--clients');
/** Requests in flight at once: a registrar's system sending a cohort's reports in parallel. */
const CONCURRENCY = clientsArg >= 0 ? Number(process.argv[clientsArg + 1]) : 16;
/**
 * Warm-up, not measured. The gateway is a long-running server measured in its steady state (its
 * first few hundred requests run measurably slower: JIT, caches, LevelDB's first tables); each
 * anchor process warms up the same way before its measured operations.
 */
const GATEWAY_WARM_UP = 1000;
const ANCHOR_WARM_UP = 500;
const ROUNDS = 3;

interface Round {
  rawIssue: Stats;
  libraryIssue: Stats;
  httpIssue: HttpRun;
  rawVerify: Stats;
  httpVerify: HttpRun;
}

/** CPU seconds (user + system) used so far by a process (all threads) or, with `tid`, one thread. */
function cpuSeconds(pid: number, tid?: number): number {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** Runs an anchor job (or, with `script`, the same job on our library) in its own process. */
function runAnchor(job: AnchorJob, script = 'anchor.ts'): Promise<Stats> {
  const dir = mkdtempSync(join(tmpdir(), 'edu-anchor-'));
  const file = join(dir, 'job.json');
  writeFileSync(file, JSON.stringify(job));
  return new Promise<Stats>((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(here, script), file],
      { cwd: resolve(here, '..'), maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        if (error) fail(new Error(`anchor failed: ${stderr || error.message}`));
        else done(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Stats);
      },
    );
  });
}

interface HttpRun {
  stats: Stats;
  /** Cores' worth of CPU the gateway process used while the run lasted (2.0 = both cores). */
  gatewayCores: number;
  gatewayCpuMsPerOp: number;
  /** Of that, the main thread (HTTP, ledger, stores); the rest is signing workers, LevelDB and V8. */
  mainThreadCpuMsPerOp: number;
}

async function main(): Promise<void> {
  const nodeArgs = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const gateway = await startGatewayProcess({ nodeArgs });
  const token = gateway.tokens['school-admin@school-gen'] ?? '';

  const httpIssueOnce = async (i: number): Promise<unknown> => {
    const res = await send(
      'POST',
      `${gateway.url}/credentials/issue`,
      JSON.stringify({ credential: achievement(i) }),
      {
        authorization: `Bearer ${token}`,
      },
    );
    if (res.status !== 201) throw new Error(`issue failed: ${res.status} ${res.body}`);
    return (JSON.parse(res.body) as { verifiableCredential: unknown }).verifiableCredential;
  };
  const httpVerifyOnce = async (credential: unknown): Promise<void> => {
    const res = await send(
      'POST',
      `${gateway.url}/credentials/verify`,
      JSON.stringify({ verifiableCredential: credential }),
    );
    const body = JSON.parse(res.body) as { verified?: boolean };
    if (res.status !== 200 || body.verified !== true) throw new Error(`verify failed: ${res.status}`);
  };
  const httpRun = async (op: (i: number) => Promise<void>): Promise<HttpRun> => {
    const cpuBefore = cpuSeconds(gateway.pid);
    const mainBefore = cpuSeconds(gateway.pid, gateway.pid);
    const t = performance.now();
    const stats = await measure(N, CONCURRENCY, op, gateway.rss);
    const cpu = cpuSeconds(gateway.pid) - cpuBefore;
    const main = cpuSeconds(gateway.pid, gateway.pid) - mainBefore;
    const wall = (performance.now() - t) / 1000;
    const r = (x: number): number => Math.round(x * 100) / 100;
    return {
      stats,
      gatewayCores: r(cpu / wall),
      gatewayCpuMsPerOp: r((cpu * 1000) / N),
      mainThreadCpuMsPerOp: r((main * 1000) / N),
    };
  };

  // Warm-up (see GATEWAY_WARM_UP): JIT, caches and worker threads reach a steady state first (the anchor
  // warms up the same way in its own process).
  const warm: unknown[] = [];
  await measure(GATEWAY_WARM_UP, CONCURRENCY, async (i) => {
    warm[i] = await httpIssueOnce(i);
  });
  await measure(GATEWAY_WARM_UP, CONCURRENCY, (i) => httpVerifyOnce(warm[i]));

  const templates = Array.from({ length: N }, (_, i) => achievement(i));
  const didDocument = JSON.parse(
    (await send('GET', `${gateway.url}/orgs/school-gen/did.json`)).body,
  ) as Record<string, unknown>;

  // This machine's speed drifts from minute to minute, so each side is measured in every round,
  // back to back, and the round with the median system rate is reported (all rounds are in the
  // result file).
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const issueJob: AnchorJob = {
      kind: 'issue',
      n: N,
      warmUp: ANCHOR_WARM_UP,
      concurrency: CONCURRENCY,
      seed: Array.from({ length: 32 }, () => 2),
      credentials: templates,
    };
    const rawIssue = await runAnchor(issueJob);
    const libraryIssue = await runAnchor(issueJob, 'library.ts');
    const issued: unknown[] = [];
    const httpIssue = await httpRun(async (i) => {
      issued[i] = await httpIssueOnce(round * N + i);
    });
    const issuer = (issued[0] as { issuer: string | { id: string } }).issuer;
    const issuerDid = typeof issuer === 'string' ? issuer : issuer.id;
    if (didDocument.id !== issuerDid)
      throw new Error(`did.json is for ${String(didDocument.id)}, not ${issuerDid}`);
    const rawVerify = await runAnchor({
      kind: 'verify',
      n: N,
      warmUp: ANCHOR_WARM_UP,
      concurrency: CONCURRENCY,
      didDocument,
      credentials: issued as object[],
    });
    const httpVerify = await httpRun((i) => httpVerifyOnce(issued[i]));
    rounds.push({ rawIssue, libraryIssue, httpIssue, rawVerify, httpVerify });
    {
      console.error(
        `round ${round + 1}/${ROUNDS}: issuance ${httpIssue.stats.opsPerSec} vs ${rawIssue.opsPerSec} ops/s, ` +
          `verification ${httpVerify.stats.opsPerSec} vs ${rawVerify.opsPerSec} ops/s`,
      );
    }
  }
  closeConnections();
  await gateway.stop();

  const median = (pick: (r: Round) => number): Round => {
    const sorted = [...rounds].sort((a, b) => pick(a) - pick(b));
    const middle = sorted[Math.floor(sorted.length / 2)];
    if (!middle) throw new Error('no rounds measured');
    return middle;
  };
  const issuanceRound = median((r) => r.httpIssue.stats.opsPerSec);
  const verificationRound = median((r) => r.httpVerify.stats.opsPerSec);
  const medianOf = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const httpIssue = issuanceRound.httpIssue;
  const httpVerify = verificationRound.httpVerify;
  // The anchor's own median over the rounds (not the anchor of the system's median round).
  const rawIssue = {
    ...issuanceRound.rawIssue,
    opsPerSec: medianOf(rounds.map((r) => r.rawIssue.opsPerSec)),
  };
  const libraryIssue = {
    ...issuanceRound.libraryIssue,
    opsPerSec: medianOf(rounds.map((r) => r.libraryIssue.opsPerSec)),
  };
  const rawVerify = {
    ...verificationRound.rawVerify,
    opsPerSec: medianOf(rounds.map((r) => r.rawVerify.opsPerSec)),
  };

  const ratio = (a: Stats, b: Stats): number => Math.round((a.opsPerSec / b.opsPerSec) * 100) / 100;
  const signingWorkers = Number(process.env['SIGNING_WORKERS'] ?? cpus().length);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
    node: process.version,
    settings: { operations: N, rounds: ROUNDS, concurrency: CONCURRENCY, quick, signingWorkers },
    issuance: {
      http: httpIssue.stats,
      gateway: {
        cores: httpIssue.gatewayCores,
        cpuMsPerOp: httpIssue.gatewayCpuMsPerOp,
        mainThreadCpuMsPerOp: httpIssue.mainThreadCpuMsPerOp,
      },
      rawLibrary: rawIssue,
      ourLibraryOneProcess: libraryIssue,
      ratio: ratio(httpIssue.stats, rawIssue),
    },
    verification: {
      http: httpVerify.stats,
      gateway: {
        cores: httpVerify.gatewayCores,
        cpuMsPerOp: httpVerify.gatewayCpuMsPerOp,
        mainThreadCpuMsPerOp: httpVerify.mainThreadCpuMsPerOp,
      },
      rawLibrary: rawVerify,
      ratio: ratio(httpVerify.stats, rawVerify),
    },
    rounds: rounds.map((r) => ({
      issuance: {
        http: r.httpIssue.stats.opsPerSec,
        rawLibrary: r.rawIssue.opsPerSec,
        ourLibrary: r.libraryIssue.opsPerSec,
      },
      verification: { http: r.httpVerify.stats.opsPerSec, rawLibrary: r.rawVerify.opsPerSec },
    })),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'embedded.json'), `${JSON.stringify(result, null, 2)}\n`);

  const cells = (values: (string | number)[]): string =>
    values.map((v, i) => (i === 0 ? String(v).padEnd(36) : String(v).padStart(9))).join(' ');
  console.log(cells(['benchmark', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'RSS MB']));
  const row = (name: string, s: Stats): void =>
    console.log(cells([name, s.opsPerSec, s.p50, s.p95, s.p99, s.peakRssMb]));
  row('issuance, HTTP + ledger (gateway)', httpIssue.stats);
  row('issuance, raw vc.issue (anchor)', rawIssue);
  row('issuance, our library, one process', libraryIssue);
  row('verification, HTTP + ledger (gateway)', httpVerify.stats);
  row('verification, raw verify (anchor)', rawVerify);
  console.log(
    `ratios: issuance ${result.issuance.ratio}x, verification ${result.verification.ratio}x; gateway CPU: ` +
      `issuance ${httpIssue.gatewayCores} cores (${httpIssue.gatewayCpuMsPerOp} ms/op, main thread ` +
      `${httpIssue.mainThreadCpuMsPerOp}), verification ${httpVerify.gatewayCores} cores ` +
      `(${httpVerify.gatewayCpuMsPerOp} ms/op, main thread ${httpVerify.mainThreadCpuMsPerOp})`,
  );
  if (jsonOut) {
    const headline = (a: Stats, b: Stats): Record<string, number> => ({
      opsPerSec: a.opsPerSec,
      anchorOpsPerSec: b.opsPerSec,
      ratio: ratio(a, b),
    });
    console.log(
      JSON.stringify({
        issuance: headline(httpIssue.stats, rawIssue),
        verification: headline(httpVerify.stats, rawVerify),
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
