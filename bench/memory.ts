/**
 * `npm run bench:memory [-- --minutes M]`: starts the real gateway process (`npm start`'s entry
 * point) on a fresh DATA_DIR, issues credentials through HTTP without pause for M minutes (default
 * 5) and samples the gateway's resident memory from /proc every second. Writes
 * bench/results/memory.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg >= 0 ? Number(process.argv[minutesArg + 1]) : 5;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edu-mem-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway-api/src/main.ts'], {
    cwd: resolve(here, '..'),
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready) =>
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('listening') && ready()),
  );
  const pid = child.pid ?? 0;
  const token = (
    JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<string, string>
  )['school-admin@school-gen'];
  const url = `http://127.0.0.1:${port}/credentials/issue`;
  const body = (i: number): string =>
    JSON.stringify({
      credential: {
        '@context': [
          'https://www.w3.org/ns/credentials/v2',
          'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        ],
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        credentialSubject: {
          id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
          type: ['AchievementSubject'],
          achievement: {
            id: 'urn:uuid:8a1f6a5e-1c3b-4c59-9f0a-2f4b0b8f1a11',
            type: ['Achievement'],
            name: `奖项 ${i}`,
            criteria: { narrative: '审核' },
          },
        },
      },
    });

  const samples: { s: number; rssMb: number; issued: number }[] = [];
  let issued = 0;
  let failed = 0;
  const started = Date.now();
  const deadline = started + MINUTES * 60_000;
  const sampler = setInterval(
    () => samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: rssMb(pid), issued }),
    1000,
  );
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < deadline) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body(issued),
        });
        await res.arrayBuffer();
        if (res.status === 201) issued++;
        else failed++;
      }
    }),
  );
  clearInterval(sampler);
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  const rss = samples.map((s) => s.rssMb);
  const result = {
    date: new Date().toISOString(),
    minutes: MINUTES,
    issued,
    failed,
    credentialsPerSec: Math.round((issued / (MINUTES * 60)) * 10) / 10,
    rssMb: {
      peak: Math.max(...rss),
      last: rss[rss.length - 1],
      firstMinuteMax: Math.max(...rss.slice(0, 60)),
    },
    samplesEvery10s: samples.filter((s) => s.s % 10 === 0),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'memory.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ ...result, samplesEvery10s: undefined }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
