/**
 * `npm run bench:scale [-- --records N] [-- --verify-chain]`: the embedded ledger at scale.
 * Anchors N credential records (default 1,000,000) for one school in transactions of 500, then
 * measures the write rate near the start and near the end, an inspector's audit query (the first
 * page, and 60 distinct deep pages; p50/p95), a restart (open, key-filter fill from disk, a cold
 * first page), optionally the full chain check, and disk bytes per record. Writes
 * bench/results/scale.json.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { createServices } from '../gateway-api/src/services/index.js';
import { identityForRole } from '../gateway-api/src/services/directory.js';
import { GatewayDb } from '../gateway-api/src/stores/gateway-db.js';
import { seedDemo } from '../gateway-api/src/seed.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RECORDS = Number(arg('--records') ?? (process.argv.includes('--quick') ? 50_000 : 1_000_000));
const PER_TX = 500;
const IN_FLIGHT = 4;
const WINDOW = 10_000;

function percentile(sorted: number[], p: number): number {
  return (
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 100) / 100
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'edu-scale-'));
  const ledger = await EmbeddedLedger.open({ path: join(dir, 'ledger') });
  const db = await GatewayDb.open(join(dir, 'gateway'));
  const services = createServices({
    ledger,
    db,
    masterKey: randomBytes(32),
    readerIdentity: await ledger.identity('BureauMSP', 'gateway-reader', 'client'),
    publicUrl: 'http://127.0.0.1',
  });
  await seedDemo(services, { dataDir: dir, didHost: 'edu.example.cn', now: new Date() });
  const issuer = await identityForRole(
    ledger,
    { orgId: 'school-gen', mspId: 'SchoolGenMSP', kind: 'school' },
    'school-admin',
  );
  const inspector = await identityForRole(
    ledger,
    { orgId: 'bureau', mspId: 'BureauMSP', kind: 'bureau' },
    'inspector',
  );

  const ids: string[] = [];
  const windows: { at: number; recordsPerSec: number }[] = [];
  let written = 0;
  let windowStart = performance.now();
  let windowCount = 0;
  const started = performance.now();

  const submitBatch = async (first: number): Promise<void> => {
    const items = Array.from({ length: Math.min(PER_TX, RECORDS - first) }, (_, i) => {
      const n = first + i;
      const credentialId = `urn:uuid:${randomUUID()}`;
      ids.push(credentialId);
      return {
        credentialId,
        digest: randomBytes(32).toString('hex'),
        credentialTypes: ['VerifiableCredential', 'OpenBadgeCredential'],
        statusListId: `school-gen.${Math.floor(n / 131072) + 1}`,
        statusIndex: n % 131072,
      };
    });
    await ledger.submit(issuer, 'credentials:AnchorCredentials', [JSON.stringify({ items })]);
    written += items.length;
    windowCount += items.length;
    if (windowCount >= WINDOW) {
      const now = performance.now();
      windows.push({ at: written, recordsPerSec: Math.round(windowCount / ((now - windowStart) / 1000)) });
      windowStart = now;
      windowCount = 0;
      if (windows.length % 10 === 0)
        console.error(`  ${written} records, ${windows[windows.length - 1]?.recordsPerSec}/s`);
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < RECORDS) {
        const first = next;
        next += PER_TX;
        await submitBatch(first);
      }
    }),
  );
  const totalSeconds = (performance.now() - started) / 1000;

  // Audit queries as an inspector. The first page is asked 60 times (the first answer comes from
  // disk, later ones may use the ledger's caches); deep pages are 60 different pages between 50 %
  // and 100 % depth, so none of them was read before.
  ids.sort();
  const bookmarkAt = (fraction: number): string =>
    `\u0000issued\u0000school-gen\u0000${ids[Math.floor(ids.length * fraction)] ?? ''}\u0000`;
  const query = async (bookmark: string): Promise<number> => {
    const t = performance.now();
    const raw = await ledger.evaluate(inspector, 'audit:SchoolRecords', [
      JSON.stringify({ orgId: 'school-gen', kind: 'credential', pageSize: 20, bookmark }),
    ]);
    const ms = performance.now() - t;
    if ((JSON.parse(raw) as { records: unknown[] }).records.length !== 20) throw new Error('short page');
    return ms;
  };
  const first: number[] = [];
  for (let i = 0; i < 60; i++) first.push(await query(''));
  const firstCold = first[0] ?? 0;
  first.sort((a, b) => a - b);
  const deep: number[] = [];
  for (let i = 0; i < 60; i++) deep.push(await query(bookmarkAt(0.5 + (0.49 * i) / 59)));
  deep.sort((a, b) => a - b);

  // A restart: how long until the state key filter is filled from disk (reads go to LevelDB until
  // then), and the first page asked of a ledger with cold caches.
  await ledger.close();
  const reopenStarted = performance.now();
  const reopened = await EmbeddedLedger.open({ path: join(dir, 'ledger') });
  const openMs = performance.now() - reopenStarted;
  const filterReady = await reopened.keyFilterReady();
  const keyFilterFillMs = performance.now() - reopenStarted;
  const coldStarted = performance.now();
  await reopened.evaluate(inspector, 'audit:SchoolRecords', [
    JSON.stringify({ orgId: 'school-gen', kind: 'credential', pageSize: 20, bookmark: '' }),
  ]);
  const coldFirstPageMs = performance.now() - coldStarted;
  // With --verify-chain: the inspectors' full chain check (GET /ledger/verify), which replays every
  // block in bounded memory; at 1,000,000 records that is many passes, so it is not on by default.
  let verifyChain: { ms: number; checkedKeys: number } | undefined;
  if (process.argv.includes('--verify-chain')) {
    const verifyStarted = performance.now();
    const chain = await reopened.verifyChain();
    if (!chain.ok) throw new Error(`chain check failed: ${chain.problems.join('; ')}`);
    verifyChain = { ms: Math.round(performance.now() - verifyStarted), checkedKeys: chain.checkedKeys };
  }
  await reopened.close();
  await db.close();
  const bytes = Number(execFileSync('du', ['-sb', join(dir, 'ledger')], { encoding: 'utf8' }).split('\t')[0]);
  rmSync(dir, { recursive: true, force: true });

  const early = windows.slice(0, 1);
  const late = windows.slice(-1);
  const result = {
    date: new Date().toISOString(),
    records: RECORDS,
    recordsPerTransaction: PER_TX,
    transactionsInFlight: IN_FLIGHT,
    totalSeconds: Math.round(totalSeconds),
    averageRecordsPerSec: Math.round(RECORDS / totalSeconds),
    writeRate: { first10k: early[0]?.recordsPerSec, last10k: late[0]?.recordsPerSec },
    auditFirstPageMs: {
      firstCall: Math.round(firstCold * 100) / 100,
      p50: percentile(first, 50),
      p95: percentile(first, 95),
    },
    auditDistinctDeepPagesMs: { p50: percentile(deep, 50), p95: percentile(deep, 95) },
    restart: {
      openMs: Math.round(openMs),
      keyFilterReady: filterReady,
      keyFilterFillMs: Math.round(keyFilterFillMs),
      coldFirstPageMs: Math.round(coldFirstPageMs * 100) / 100,
    },
    ...(verifyChain === undefined ? {} : { verifyChain }),
    diskBytesPerRecord: Math.round(bytes / RECORDS),
    ledgerDiskMb: Math.round(bytes / 2 ** 20),
  };
  const here = dirname(fileURLToPath(import.meta.url));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'scale.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
