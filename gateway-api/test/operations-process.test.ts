import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { generate } from 'selfsigned';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { freePort, startGatewayProcess, type Exit, type Run } from './gateway-process.js';
import { achievementRequest } from './harness.js';

/** How long a stopped gateway may take to exit before the test calls it hung (a bound, not a timing assert). */
const EXIT_DEADLINE_MS = 60_000;

function withDeadline(exited: Promise<Exit>, run: Run): Promise<Exit> {
  return Promise.race([
    exited,
    new Promise<Exit>((_resolve, reject) =>
      setTimeout(
        () => reject(new Error(`no exit within ${EXIT_DEADLINE_MS} ms:\n${run.output()}`)),
        EXIT_DEADLINE_MS,
      ).unref(),
    ),
  ]);
}

/** GET over HTTPS trusting only this certificate; resolves with the status. */
function httpsGet(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, checkServerIdentity: () => undefined }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('operations: the real process', function () {
  this.timeout(240_000);
  const dirs: string[] = [];
  const runs: Run[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'edu-ops-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string, port: number, env?: Record<string, string>): Promise<Run> => {
    const run = await startGatewayProcess(dataDir, port, env ? { env } : {});
    runs.push(run);
    expect(run.code, run.output()).to.equal(undefined);
    return run;
  };
  after(async () => {
    for (const run of runs) if (!run.done) await run.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS given a certificate and key, and plain HTTP to that port fails', async () => {
    const dir = tempDir();
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 });
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, pems.cert);
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    const port = await freePort();
    const run = await start(join(dir, 'data'), port, { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    expect(run.output()).to.include(`Gateway listening on https://127.0.0.1:${port}`);
    expect(await httpsGet(`https://127.0.0.1:${port}/ready`, pems.cert)).to.equal(200);
    let plain: unknown;
    try {
      plain = (await fetch(`http://127.0.0.1:${port}/health`)).status;
    } catch (error) {
      plain = error;
    }
    expect(plain, 'plain HTTP must not be answered').to.be.instanceOf(Error);
    run.stop();
    expect(await withDeadline(run.exited, run)).to.deep.equal({ code: 0, signal: null });
  });

  it('refuses a certificate without its key', async () => {
    const dir = tempDir();
    const certFile = join(dir, 'cert.pem');
    writeFileSync(certFile, 'not used');
    const run = await startGatewayProcess(join(dir, 'data'), await freePort(), {
      env: { TLS_CERT_FILE: certFile },
    });
    runs.push(run);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together');
  });

  it('on SIGTERM under load drains and exits 0; every acknowledged credential verifies after a restart', async () => {
    const dataDir = join(tempDir(), 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const run = await start(dataDir, port);
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    const token = tokens['school-admin@school-gen'] ?? '';
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(5))).did;

    // Sixty issuances at once; SIGTERM as soon as the first is answered, while the rest are in the
    // gateway (signing, storing, anchoring). A drain answers every one of them; an abrupt stop cuts them.
    const issueOne = async (): Promise<{ status: number; credential?: unknown } | { cut: string }> => {
      try {
        const res = await fetch(`${url}/credentials/issue`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(achievementRequest(holder)),
        });
        const body = (await res.json()) as { verifiableCredential?: unknown };
        return { status: res.status, credential: body.verifiableCredential };
      } catch (error) {
        return { cut: error instanceof Error ? `${error.message} ${String(error.cause)}` : String(error) };
      }
    };
    const burst = Array.from({ length: 60 }, issueOne);
    await Promise.race(burst);
    // /metrics answers during the load, and has seen the first issuance.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).to.match(
      /edu_http_requests_total\{method="POST",route="\/credentials\/issue",status="201"\} \d+/,
    );
    run.stop();
    const outcomes = await Promise.all(burst);
    const exit = await withDeadline(run.exited, run);
    expect(exit, run.output()).to.deep.equal({ code: 0, signal: null });
    expect(run.output()).to.not.include('grace period over');
    expect(
      outcomes.filter((o) => 'cut' in o),
      'requests in flight at SIGTERM are answered',
    ).to.deep.equal([]);
    const acknowledged = outcomes.flatMap((o) => ('status' in o && o.status === 201 ? [o.credential] : []));
    expect(acknowledged).to.have.length(60);

    const again = await start(dataDir, port);
    for (const credential of acknowledged) {
      const res = await fetch(`${url}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: credential }),
      });
      const body = (await res.json()) as { verified: boolean; checks: { check: string; status: string }[] };
      expect(res.status, JSON.stringify(body)).to.equal(200);
      expect(body.verified).to.equal(true);
      expect(body.checks.find((c) => c.check === 'anchored')?.status).to.equal('valid');
    }
    again.stop();
    expect(await withDeadline(again.exited, again)).to.deep.equal({ code: 0, signal: null });
  });
});
