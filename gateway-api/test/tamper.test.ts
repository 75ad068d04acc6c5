import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { freePort, listening, startGatewayProcess } from './gateway-process.js';
import { achievementRequest } from './harness.js';

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

const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;

/** Opens the stopped gateway's ledger store, waiting until the process has let go of its lock. */
async function openStore(dataDir: string): Promise<ClassicLevel<string, string>> {
  for (let attempt = 0; ; attempt++) {
    const db = new ClassicLevel<string, string>(join(dataDir, 'ledger'), UTF8);
    try {
      await db.open();
      return db;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('gateway: a status record edited in the store behind the ledger', function () {
  this.timeout(300_000);
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'edu-tamper-status-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers verified:false, naming the failed integrity check, for a revocation set back to active', async () => {
    let port = await freePort();
    let run = await startGatewayProcess(dataDir, port);
    expect(run.code, run.stderr).to.equal(undefined);
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    let vc: any;
    try {
      const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
        string,
        string
      >;
      const registrar = tokens['school-admin@school-gen'];
      const holder = (await didKeyFromSeed(new Uint8Array(32).fill(11))).did;
      const issue = async (): Promise<any> => {
        const res = await call('POST', '/credentials/issue', achievementRequest(holder), registrar);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        return res.body.verifiableCredential;
      };
      const setStatus = async (credentialId: string, status: string): Promise<void> => {
        const body = {
          credentialId,
          credentialStatus: [{ type: 'BitstringStatusListCredential', status }],
          options: { reasonCode: 'issued-in-error' },
        };
        const res = await call('POST', '/credentials/status', body, registrar);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
      };
      vc = await issue();
      const other = await issue();
      await setStatus(vc.id, 'revoked');
      const revoked = await call('POST', '/credentials/verify', { verifiableCredential: vc });
      expect(revoked.body.checks.find((c: any) => c.check === 'status').reason).to.match(/^revoked since/);
      // Newer blocks, so many that the start-up check, which re-verifies the newest blocks and the
      // keys they wrote, no longer covers the revocation: only the check of each read is left.
      for (let i = 0; i < 34; i++) {
        await setStatus(other.id, 'suspended');
        await setStatus(other.id, 'active');
      }
    } finally {
      run.stop();
    }

    // Someone with the files puts back the status record's value from before the revocation,
    // keeping the revocation's version.
    const db = await openStore(dataDir);
    try {
      const state = db.sublevel<string, string>('s', UTF8);
      const history = db.sublevel<string, string>('h', UTF8);
      let statusKey: string | undefined;
      for await (const [key, raw] of state.iterator({
        gte: '\u0000cstatus\u0000',
        lt: '\u0000cstatus\u0001',
      })) {
        const record = JSON.parse(Buffer.from((JSON.parse(raw) as { v: string }).v, 'base64').toString());
        if (record.credentialId === vc.id) statusKey = key;
      }
      if (statusKey === undefined) throw new Error('no status record for the credential');
      const prefix = `${String(statusKey.length).padStart(8, '0')}${statusKey}`;
      const versions: string[] = [];
      for await (const raw of history.values({ gte: prefix, lt: `${prefix}~` }))
        versions.push((JSON.parse(raw) as { v: string }).v);
      const active = versions[0] ?? '';
      expect(JSON.parse(Buffer.from(active, 'base64').toString())).to.include({ status: 'active' });
      const row = JSON.parse((await state.get(statusKey)) ?? '{}') as { b: number; t: number; v: string };
      await state.put(statusKey, JSON.stringify({ ...row, v: active }));
    } finally {
      await db.close();
    }

    port = await freePort();
    run = await startGatewayProcess(dataDir, port);
    expect(run.code, run.stderr).to.equal(undefined);
    try {
      // Before reads were checked against their blocks, this answered 200 and verified:true.
      const res = await call('POST', '/credentials/verify', { verifiableCredential: vc });
      expect(res.status).to.equal(400);
      expect(res.body.verified).to.equal(false);
      const failed = res.body.checks.filter((c: any) => c.status !== 'valid');
      expect(failed.map((c: any) => c.check)).to.deep.equal(['status']);
      expect(failed[0].reason).to.match(/账本记录未通过完整性校验/);
      expect(failed[0].reason).to.match(/ledger record failed its integrity check/);
      expect(failed[0].details).to.include({ integrity: 'failed', namespace: 'cstatus' });
      expect(JSON.stringify(res.body)).not.to.match(/"status":"active"/);

      // Other routes that read the record answer 503, in both languages, with no internals.
      // The revocation list of the credential's status list: it reads every record of the list.
      const listUrl = new URL([vc.credentialStatus].flat()[0].statusListCredential);
      const list = await call(
        'GET',
        `${listUrl.pathname.replace(/-(revocation|suspension)$/, '')}-revocation`,
      );
      expect(list.status).to.equal(503);
      expect(list.body.error.code).to.equal('LEDGER_UNAVAILABLE');
      expect(list.body.error.message).to.match(/完整性校验.* \/ .*integrity check/);
      expect(list.body.error.message).not.to.match(/cstatus|\bat\b.*\.ts/);
    } finally {
      run.stop();
    }
  });
});
