/**
 * `npm run bench:memory [-- --minutes M]`: starts the real gateway process (`npm start`'s entry
 * point) on a fresh DATA_DIR, issues credentials through HTTP without pause for M minutes (default
 * 5) and samples the gateway's resident memory from /proc every second. Writes
 * bench/results/memory.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess } from './lib/gateway-process.js';
import { closeConnections, send } from './lib/http-client.js';
import { achievement } from './lib/workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg >= 0 ? Number(process.argv[minutesArg + 1]) : 5;
const CLIENTS = 16;

async function main(): Promise<void> {
  const gateway = await startGatewayProcess();
  const token = gateway.tokens['school-admin@school-gen'] ?? '';
  const url = `${gateway.url}/credentials/issue`;
  const rssMb = (): number => Math.round((gateway.rss() / 2 ** 20) * 10) / 10;
  const body = (i: number): string => JSON.stringify({ credential: achievement(i) });

  const samples: { s: number; rssMb: number; issued: number }[] = [];
  let issued = 0;
  let failed = 0;
  const started = Date.now();
  const deadline = started + MINUTES * 60_000;
  const sampler = setInterval(
    () => samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: rssMb(), issued }),
    1000,
  );
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const res = await send('POST', url, body(issued), { authorization: `Bearer ${token}` });
        if (res.status === 201) issued++;
        else failed++;
      }
    }),
  );
  clearInterval(sampler);
  closeConnections();
  await gateway.stop();
  const rss = samples.map((s) => s.rssMb);
  const result = {
    date: new Date().toISOString(),
    minutes: MINUTES,
    clients: CLIENTS,
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
