/**
 * `npm run bench [-- --quick] [-- --json]`: issuance and verification through the gateway's HTTP API
 * on the embedded ledger, each beside its anchor measured in the same run — the raw
 * @digitalbazaar/vc library doing the same signing or verifying in one process, with no HTTP,
 * ledger or vault around it. Writes bench/results/embedded.json; with --json the last line printed
 * is one JSON object with the headline figures.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import {
  createDocumentLoader,
  didKeyFromSeed,
  issueCredential,
  verifyCredentialProof,
  type Credential,
} from '@edu-ledger/credentials';
import { EmbeddedLedger, x509Identity } from '@edu-ledger/ledger';
import { createApp } from '../gateway-api/src/app.js';
import { createLogger } from '../gateway-api/src/logger.js';
import { createServices } from '../gateway-api/src/services/index.js';
import { WorkerPoolSigner } from '../gateway-api/src/services/signer.js';
import { GatewayDb } from '../gateway-api/src/stores/gateway-db.js';
import { seedDemo } from '../gateway-api/src/seed.js';

const quick = process.argv.includes('--quick');
const jsonOut = process.argv.includes('--json');
const N = quick ? 150 : 1000;
const CONCURRENCY = 8;

interface Stats {
  ops: number;
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  peakRssMb: number;
}

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `op` n times with the given concurrency; latency per op in ms. */
async function measure(n: number, concurrency: number, op: (i: number) => Promise<void>): Promise<Stats> {
  peakRss = process.memoryUsage().rss;
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    ops: n,
    opsPerSec: round(n / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    peakRssMb: round(peakRss / 2 ** 20),
  };
}

function achievement(holder: string, i: number): Credential {
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: 'placeholder',
    credentialSubject: {
      id: holder,
      type: ['AchievementSubject'],
      achievement: {
        id: 'urn:uuid:8a1f6a5e-1c3b-4c59-9f0a-2f4b0b8f1a11',
        type: ['Achievement'],
        name: `期末综合评价 Term report ${i}`,
        criteria: { narrative: '学校审核 Approved by the school' },
      },
    },
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edu-bench-'));
  const ledger = await EmbeddedLedger.open({ path: join(dataDir, 'ledger') });
  const db = await GatewayDb.open(join(dataDir, 'gateway'));
  // The gateway as `npm start` runs it: signing on a worker pool, one thread per core.
  const workers = Number(process.env['SIGNING_WORKERS'] ?? cpus().length);
  const signer = workers > 0 ? new WorkerPoolSigner(workers) : undefined;
  const services = createServices({
    ledger,
    db,
    signer,
    masterKey: randomBytes(32),
    readerIdentity: x509Identity('BureauMSP', 'gateway-reader'),
    publicUrl: 'http://127.0.0.1',
  });
  const tokens = await seedDemo(services, { dataDir, didHost: 'edu.example.cn', now: new Date() });
  const app = createApp({ services, logger: createLogger('silent'), publicUrl: 'http://127.0.0.1' });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const holder = (await didKeyFromSeed(new Uint8Array(32).fill(1))).did;
  const token = tokens['school-admin@school-gen'] ?? '';

  const rawKey = (await didKeyFromSeed(new Uint8Array(32).fill(2))).key;
  const loader = createDocumentLoader();
  const rawIssueOnce = (i: number): Promise<unknown> =>
    issueCredential({
      credential: { ...achievement(holder, i), issuer: rawKey.controller },
      key: rawKey,
      documentLoader: loader,
    });
  const httpIssueOnce = async (i: number): Promise<unknown> => {
    const { issuer: _drop, ...credential } = achievement(holder, i);
    const res = await fetch(`${url}/credentials/issue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credential }),
    });
    if (res.status !== 201) throw new Error(`issue failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { verifiableCredential: unknown }).verifiableCredential;
  };
  // Warm-up, not measured: JIT, context caches and worker threads reach a steady state first, for
  // the anchor and the system alike.
  for (let i = 0; i < 30; i++) {
    await rawIssueOnce(i);
    await httpIssueOnce(i);
  }

  // Anchor 1: raw library issue of the same credential, one process, no HTTP/ledger/vault.
  const rawIssue = await measure(N, CONCURRENCY, async (i) => {
    await rawIssueOnce(i);
  });

  const issued: unknown[] = [];
  const httpIssue = await measure(N, CONCURRENCY, async (i) => {
    issued.push(await httpIssueOnce(i));
  });

  // Anchor 2: raw verifyCredential of the same credentials (did:web resolved from the ledger, as the gateway does).
  const rawVerify = await measure(N, CONCURRENCY, async (i) => {
    const check = await verifyCredentialProof({
      credential: issued[i],
      documentLoader: services.documentLoader,
    });
    if (!check.verified) throw new Error('raw verify failed');
  });
  const httpVerify = await measure(N, CONCURRENCY, async (i) => {
    const res = await fetch(`${url}/credentials/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verifiableCredential: issued[i] }),
    });
    if (res.status !== 200) throw new Error(`verify failed: ${res.status}`);
    await res.arrayBuffer();
  });

  server.close();
  await signer?.close();
  await ledger.close();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
  clearInterval(rssTimer);

  const ratio = (a: Stats, b: Stats): number => Math.round((a.opsPerSec / b.opsPerSec) * 100) / 100;
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
    node: process.version,
    settings: { operations: N, concurrency: CONCURRENCY, quick, signingWorkers: workers },
    issuance: { http: httpIssue, rawLibrary: rawIssue, ratio: ratio(httpIssue, rawIssue) },
    verification: { http: httpVerify, rawLibrary: rawVerify, ratio: ratio(httpVerify, rawVerify) },
  };
  const here = dirname(fileURLToPath(import.meta.url));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'embedded.json'), `${JSON.stringify(result, null, 2)}\n`);

  const row = (name: string, s: Stats): string =>
    `${name.padEnd(34)} ${String(s.opsPerSec).padStart(8)} ${String(s.p50).padStart(8)} ${String(s.p95).padStart(8)} ${String(s.p99).padStart(8)} ${String(s.peakRssMb).padStart(9)}`;
  console.log(
    `${'benchmark'.padEnd(34)} ${'ops/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'RSS MB'.padStart(9)}`,
  );
  console.log(row('issuance, HTTP + ledger', httpIssue));
  console.log(row('issuance, raw vc.issue (anchor)', rawIssue));
  console.log(row('verification, HTTP + ledger', httpVerify));
  console.log(row('verification, raw verify (anchor)', rawVerify));
  console.log(`ratios: issuance ${result.issuance.ratio}x, verification ${result.verification.ratio}x`);
  if (jsonOut) {
    console.log(
      JSON.stringify({
        issuance: {
          opsPerSec: httpIssue.opsPerSec,
          anchorOpsPerSec: rawIssue.opsPerSec,
          ratio: result.issuance.ratio,
        },
        verification: {
          opsPerSec: httpVerify.opsPerSec,
          anchorOpsPerSec: rawVerify.opsPerSec,
          ratio: result.verification.ratio,
        },
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
