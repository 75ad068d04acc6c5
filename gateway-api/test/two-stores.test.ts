import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { DomainError, type ClientIdentity } from '@edu-ledger/domain';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { CommitOutcomeUnknownError, type LedgerPort } from '@edu-ledger/ledger-port';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { seedDemo } from '../src/seed.js';
import type { FaultPoint, FaultPoints } from '../src/services/fault-points.js';
import { createServices, type Services } from '../src/services/index.js';
import { recoverPendingWrites } from '../src/services/recovery.js';
import { GatewayDb } from '../src/stores/gateway-db.js';
import { achievementRequest } from './harness.js';

/**
 * Kills between the gateway store's writes and the ledger's, one step at a time. A request is
 * stopped at a fault point by a hook that never returns (so, as after SIGKILL, none of its later
 * code runs, not even its error handling); the gateway is then torn down and started again on the
 * same DATA_DIR, with the same master key, as a restarted process would be.
 */

interface Running {
  url: string;
  services: Services;
  reader: ClientIdentity;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Stops the first request that reaches `point`, for good; `reached` settles when one has. */
class Killer implements FaultPoints {
  private point: FaultPoint | undefined;
  private signal: (() => void) | undefined;
  reached: Promise<void> = Promise.resolve();

  arm(point: FaultPoint): void {
    this.point = point;
    this.reached = new Promise<void>((resolve) => (this.signal = resolve));
  }

  reach(point: FaultPoint): Promise<void> {
    if (point !== this.point) return Promise.resolve();
    this.point = undefined;
    this.signal?.();
    return new Promise<void>(() => undefined);
  }
}

describe('gateway: two stores, a kill between their writes', function () {
  this.timeout(120_000);
  const masterKey = randomBytes(32);
  const killer = new Killer();
  let dataDir: string;
  let gw: Running;
  let tokens: Record<string, string>;
  let wrapLedger: (ledger: LedgerPort) => LedgerPort = (ledger) => ledger;

  async function boot(opts: { recover: boolean }): Promise<Running> {
    const opened = await EmbeddedLedger.open({ path: join(dataDir, 'ledger') });
    const ledger = wrapLedger(opened);
    const db = await GatewayDb.open(join(dataDir, 'gateway'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const reader = await opened.identity('BureauMSP', 'gateway-reader', 'client');
    const services = createServices({
      ledger,
      db,
      masterKey,
      readerIdentity: reader,
      publicUrl: url,
      faults: killer,
    });
    if (opts.recover) await recoverPendingWrites(services);
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const app = createApp({ services, logger: createLogger('warn', sink), publicUrl: url, staticMounts: [] });
    const server: Server = app.listen(port, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return {
      url,
      services,
      reader,
      stop: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await opened.close();
        await db.close();
      },
    };
  }

  async function call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Sends a request, waits until it reaches `point`, then kills and restarts the gateway. */
  async function killAt(
    point: FaultPoint,
    method: string,
    path: string,
    token: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<void> {
    killer.arm(point);
    const cut = call(method, path, token, body, idempotencyKey).then(
      () => 'answered',
      () => 'cut',
    );
    await killer.reached;
    await gw.stop();
    expect(await cut, 'the killed request got no answer').to.equal('cut');
    gw = await boot({ recover: true });
    expect(await gw.services.store.pendingIds(), 'recovery settled every pending copy').to.deep.equal([]);
  }

  async function anchored(credentialId: string): Promise<boolean> {
    try {
      await gw.services.chaincode.evaluateText(gw.reader, 'credentials:GetCredentialAnchor', {
        credentialId,
      });
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CREDENTIAL_NOT_FOUND') return false;
      throw error;
    }
  }

  const admin = (): string => tokens['school-admin@school-gen'] ?? '';
  const teacher = (): string => tokens['teacher@school-gen'] ?? '';
  const holder = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

  function issueRequest(id: string): Record<string, unknown> {
    const request = achievementRequest(holder) as { credential: Record<string, unknown> };
    return { ...request, credential: { ...request.credential, id } };
  }

  /** A completed credential: anchored, its signed copy kept, and that copy verifies. */
  async function expectCompleted(id: string): Promise<void> {
    expect(await anchored(id), 'anchored').to.equal(true);
    const copy = await call('GET', `/credentials/${id}`, admin());
    expect(copy.status, JSON.stringify(copy.body)).to.equal(200);
    const verified = await call('POST', '/credentials/verify', undefined, {
      verifiableCredential: copy.body.verifiableCredential,
    });
    expect(verified.body.checks.filter((c: { status: string }) => c.status !== 'valid')).to.deep.equal([]);
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'edu-two-stores-'));
    gw = await boot({ recover: true });
    tokens = await seedDemo(gw.services, { dataDir, didHost: 'edu.example.cn', now: new Date() });
  });
  after(async () => {
    await gw.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('issuance', () => {
    for (const point of ['issuance:slot-allocated', 'issuance:pending-saved'] as const) {
      it(`killed at ${point}: nothing anchored, and the id can be issued again`, async () => {
        const id = `urn:uuid:${randomUUID()}`;
        await killAt(point, 'POST', '/credentials/issue', admin(), issueRequest(id));
        expect(await anchored(id)).to.equal(false);
        expect((await call('GET', `/credentials/${id}`, admin())).status).to.equal(404);
        const again = await call('POST', '/credentials/issue', admin(), issueRequest(id));
        expect(again.status, JSON.stringify(again.body)).to.equal(201);
        await expectCompleted(id);
      });
    }

    for (const point of ['issuance:anchored', 'issuance:completed'] as const) {
      it(`killed at ${point}: anchored, and the signed copy is kept`, async () => {
        const id = `urn:uuid:${randomUUID()}`;
        await killAt(point, 'POST', '/credentials/issue', admin(), issueRequest(id));
        await expectCompleted(id);
        const again = await call('POST', '/credentials/issue', admin(), issueRequest(id));
        expect(again.status).to.equal(409);
        expect(again.body.error.code).to.equal('ALREADY_EXISTS');
        await expectCompleted(id);
      });
    }

    it('without recovery at start, a read completes a credential left anchored but pending', async () => {
      const id = `urn:uuid:${randomUUID()}`;
      killer.arm('issuance:anchored');
      const cut = call('POST', '/credentials/issue', admin(), issueRequest(id)).catch(() => undefined);
      await killer.reached;
      await gw.stop();
      await cut;
      gw = await boot({ recover: false });
      await expectCompleted(id);
    });

    it('an anchor whose commit outcome is unknown keeps its pending copy until the ledger answers', async () => {
      const id = `urn:uuid:${randomUUID()}`;
      // The anchor commits, but the gateway is told its outcome is unknown (a Fabric commit timeout).
      wrapLedger = (ledger) =>
        new Proxy(ledger, {
          get(target, prop) {
            if (prop !== 'submit') {
              const value: unknown = Reflect.get(target, prop, target);
              return typeof value === 'function' ? value.bind(target) : value;
            }
            const submit: LedgerPort['submit'] = async (identity, fn, args) => {
              const result = await target.submit(identity, fn, args);
              if (fn === 'credentials:AnchorCredentials')
                throw new CommitOutcomeUnknownError('commit status not observed in time', result.txId);
              return result;
            };
            return submit;
          },
        });
      await gw.stop();
      gw = await boot({ recover: true });
      const res = await call('POST', '/credentials/issue', admin(), issueRequest(id));
      expect(res.status).to.be.at.least(500);
      expect(await gw.services.store.pendingIds()).to.deep.equal([id]);
      wrapLedger = (ledger) => ledger;
      await gw.stop();
      gw = await boot({ recover: false });
      await expectCompleted(id);
    });
  });

  describe('growth entries', () => {
    let subjectId: string;

    before(async () => {
      const reg = await call('POST', '/subjects', admin(), {
        name: '王芳',
        idNumber: '310101200901012345',
        studentNumber: 'G310101200901012345',
        birthDate: '2009-01-01',
        did: (await didKeyFromSeed(new Uint8Array(32).fill(12))).did,
      });
      subjectId = reg.body.subjectId;
      const archive = await call('POST', '/archives', admin(), {
        subjectId,
        dimensionSetId: 'five-dimensions-a',
      });
      expect(archive.status, JSON.stringify(archive.body)).to.equal(201);
    });

    const entry = (entryId: string, text: string): Record<string, unknown> => ({
      entryId,
      term: '2026-S1',
      dimensionId: 'academic',
      content: { text },
    });

    async function readBack(
      entryId: string,
    ): Promise<{ content: { text: string }; contentMatchesLedger: boolean }> {
      const read = await call('GET', `/archives/${subjectId}`, teacher());
      expect(read.status, JSON.stringify(read.body)).to.equal(200);
      const found = read.body.entries.find((e: { entryId: string }) => e.entryId === entryId);
      expect(found, `entry ${entryId}`).not.to.equal(undefined);
      return found;
    }

    it('killed at growth:content-saved: a retry of the entry id succeeds and matches the ledger', async () => {
      await killAt(
        'growth:content-saved',
        'POST',
        `/archives/${subjectId}/entries`,
        teacher(),
        entry('cut-1', '初稿'),
      );
      const retry = await call('POST', `/archives/${subjectId}/entries`, teacher(), entry('cut-1', '定稿'));
      expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
      const read = await readBack('cut-1');
      expect(read.content.text).to.equal('定稿');
      expect(read.contentMatchesLedger).to.equal(true);
    });

    it('killed at growth:recorded: the entry stands, and a second write of its id is ALREADY_EXISTS', async () => {
      await killAt(
        'growth:recorded',
        'POST',
        `/archives/${subjectId}/entries`,
        teacher(),
        entry('cut-2', '记录'),
      );
      const retry = await call('POST', `/archives/${subjectId}/entries`, teacher(), entry('cut-2', '改写'));
      expect(retry.status).to.equal(409);
      expect(retry.body.error.code).to.equal('ALREADY_EXISTS');
      const read = await readBack('cut-2');
      expect(read.content.text).to.equal('记录');
      expect(read.contentMatchesLedger).to.equal(true);
    });
  });

  describe('retries with an Idempotency-Key after a kill', () => {
    const points = ['issuance:pending-saved', 'issuance:anchored', 'issuance:completed'] as const;
    for (const point of points) {
      it(`issuance killed at ${point}: the retry answers one credential, anchored once`, async () => {
        const key = randomUUID();
        // No id in the request: the gateway chooses it, the same on the retry as on the first attempt.
        const body = achievementRequest(holder);
        await killAt(point, 'POST', '/credentials/issue', admin(), body, key);
        const heightBefore = await gw.services.ledger.height();
        const retry = await call('POST', '/credentials/issue', admin(), body, key);
        expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
        const id = retry.body.verifiableCredential.id as string;
        await expectCompleted(id);
        const anchor = JSON.parse(
          await gw.services.chaincode.evaluateText(gw.reader, 'credentials:GetCredentialAnchor', {
            credentialId: id,
          }),
        ) as { txId: string };
        const where = await gw.services.ledger.locateTransaction(anchor.txId);
        if (point === 'issuance:pending-saved') {
          expect(where?.blockNumber, 'anchored by the retry').to.be.at.least(heightBefore);
        } else {
          expect(where?.blockNumber, 'anchored by the first attempt, not again').to.be.below(heightBefore);
          expect(await gw.services.ledger.height()).to.equal(heightBefore);
        }
        const copy = await call('GET', `/credentials/${encodeURIComponent(id)}`, admin());
        expect(copy.body.verifiableCredential).to.deep.equal(retry.body.verifiableCredential);
      });
    }

    it('growth entry killed at growth:recorded: the retry answers the commit, content still matches', async () => {
      const registered = await call('POST', '/subjects', admin(), {
        name: '陈晨',
        idNumber: '310101200903033456',
        studentNumber: 'G310101200903033456',
        birthDate: '2009-03-03',
        did: (await didKeyFromSeed(new Uint8Array(32).fill(13))).did,
      });
      const subjectId = registered.body.subjectId as string;
      await call('POST', '/archives', admin(), { subjectId, dimensionSetId: 'five-dimensions-a' });
      const key = randomUUID();
      const body = {
        entryId: 'kept-1',
        term: '2026-S1',
        dimensionId: 'academic',
        content: { text: '记录一次' },
      };
      const path = `/archives/${subjectId}/entries`;
      await killAt('growth:recorded', 'POST', path, teacher(), body, key);
      const height = await gw.services.ledger.height();
      const retry = await call('POST', path, teacher(), body, key);
      expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
      expect(await gw.services.ledger.height(), 'the retry ordered nothing').to.equal(height);
      const read = await call('GET', `/archives/${subjectId}`, teacher());
      const entries = read.body.entries.filter((e: { entryId: string }) => e.entryId === 'kept-1');
      expect(entries).to.have.length(1);
      expect(entries[0].content.text).to.equal('记录一次');
      expect(entries[0].contentMatchesLedger, 'the retry rewrote the same salt').to.equal(true);
    });
  });
});
