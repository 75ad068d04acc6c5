import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { achievementRequest } from './harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

/** Starts the real gateway process (`npm start`'s entry point) and waits until it listens. */
async function startProcess(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway-api/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', EDU_MODE: 'demo' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`gateway did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Gateway listening')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => fail(new Error(`gateway exited with ${String(code)}:\n${output}`)));
  });
  return child;
}

describe('gateway: SIGKILL during a stream of issue requests', function () {
  this.timeout(180_000);
  let dataDir: string;
  let child: ChildProcess | undefined;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'edu-crash-'));
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves a ledger that verifies, with every acknowledged credential on it', async () => {
    const port = await freePort();
    child = await startProcess(dataDir, port);
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    const url = `http://127.0.0.1:${port}`;
    const acknowledged: unknown[] = [];
    let stop = false;
    let failedAfterKill = 0;

    const worker = async (n: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await fetch(`${url}/credentials/issue`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${tokens['school-admin@school-gen']}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify(
              achievementRequest(
                'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
                `奖项 ${n}-${i}`,
              ),
            ),
          });
          if (res.status === 201)
            acknowledged.push(((await res.json()) as { verifiableCredential: unknown }).verifiableCredential);
        } catch {
          failedAfterKill++;
          return;
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    while (acknowledged.length < 24) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    const acked = [...acknowledged];
    expect(acked.length).to.be.at.least(24);

    child = await startProcess(dataDir, port);
    const check = await fetch(`${url}/ledger/verify`, {
      headers: { authorization: `Bearer ${tokens['inspector@bureau']}` },
    });
    const chain = (await check.json()) as { ok: boolean; problems: string[]; height: number };
    expect(chain.problems).to.deep.equal([]);
    expect(chain.ok).to.equal(true);

    for (const vc of acked) {
      const res = await fetch(`${url}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: vc }),
      });
      const body = (await res.json()) as { verified: boolean; checks: { check: string; status: string }[] };
      expect(
        body.checks.filter((c) => c.status !== 'valid'),
        JSON.stringify(body),
      ).to.deep.equal([]);
    }
    // Issuing still works after the restart (no stale lock, no reused status slot).
    const after = await fetch(`${url}/credentials/issue`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens['school-admin@school-gen']}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(achievementRequest('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')),
    });
    expect(after.status).to.equal(201);
    expect(failedAfterKill).to.be.at.least(1);
    child.kill('SIGTERM');
  });
});
