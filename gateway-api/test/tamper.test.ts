import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { freePort, listening, startGatewayProcess } from './gateway-process.js';

describe('gateway: refuses a tampered ledger at start', function () {
  this.timeout(180_000);
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'edu-tamper-'));
    // A first start creates the demo organisations on the ledger: a chain with real blocks.
    const first = await startGatewayProcess(dataDir, await freePort());
    expect(first.code, first.stderr).to.equal(undefined);
    first.stop();
    await new Promise((r) => setTimeout(r, 1_500));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves GET /ledger/head on a clean ledger, signed so that node:crypto verifies it', async () => {
    const port = await freePort();
    const run = await startGatewayProcess(dataDir, port);
    expect(run.code, run.stderr).to.equal(undefined);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/ledger/head`);
      expect(res.status).to.equal(200);
      const head = (await res.json()) as Record<string, unknown>;
      const { height, lastHash, signature, publicKey, signedAt } = head;
      expect(height).to.be.a('number').above(0);
      if (typeof signature !== 'string' || typeof publicKey !== 'string') throw new Error('no signature');
      const message = Buffer.from(
        `edu-ledger/head/v1\n${String(height)}\n${String(lastHash)}\n${String(signedAt)}`,
      );
      expect(verify(null, message, createPublicKey(publicKey), Buffer.from(signature, 'base64'))).to.equal(
        true,
      );
    } finally {
      run.stop();
      await new Promise((r) => setTimeout(r, 1_500));
    }
  });

  it('exits non-zero with a clear message, without listening, when the last block was lost', async () => {
    const db = new ClassicLevel<string, string>(join(dataDir, 'ledger'), {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
    });
    const blocks = db.sublevel<string, string>('b', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    for await (const key of blocks.keys({ reverse: true, limit: 1 })) await blocks.del(key);
    await db.close();

    const port = await freePort();
    const started = Date.now();
    const run = await startGatewayProcess(dataDir, port);
    expect(run.code, run.stderr).to.equal(1);
    expect(Date.now() - started).to.be.below(30_000);
    expect(run.stderr).to.match(/The ledger failed its integrity check; the gateway will not serve it/);
    expect(run.stderr).to.match(/blocks were lost or the tip was edited/);
    expect(await listening(port)).to.equal(false);
  });
});
