import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import {
  backupStream,
  checkStores,
  readBackupFile,
  reconcileStoresAtStart,
  writeBackupFile,
} from '../src/services/backup.service.js';
import { createServices } from '../src/services/index.js';
import { recoverPendingWrites } from '../src/services/recovery.js';
import { GatewayDb } from '../src/stores/gateway-db.js';
import { freePort, startGatewayProcess, type Run } from './gateway-process.js';
import { achievementRequest } from './harness.js';

/**
 * Backup and restore (issue 15): `edu-admin backup` runs as a child process against a real gateway
 * process under concurrent issuances and growth entries; the file is restored into an empty folder
 * and a gateway started on it must hold every write acknowledged before the backup began, with no
 * anchored credential missing its copy. A damaged file and a wrong passphrase are refused, and the
 * master key is nowhere in the file.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PASSPHRASE = 'correct horse battery staple 备份';
const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const LOAD_WORKERS = 4;
/** Issuances acknowledged during the load before the backup is started. */
const WARM_UP = 12;
/** Writes acknowledged after the backup finished, so the load surely overlapped it. */
const AFTER = 8;

interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs edu-admin as the operator would (`npm run admin -- ...`), as a child process. */
function eduAdmin(args: string[], env: Record<string, string> = {}): Promise<AdminRun> {
  return new Promise((settle) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway-api/src/cli/edu-admin.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => settle({ code, stdout, stderr }));
  });
}

async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

const issueBody = (id: string): Record<string, unknown> => {
  const request = achievementRequest(HOLDER) as { credential: Record<string, unknown> };
  return { credential: { ...request.credential, id } };
};

describe('backup and restore (edu-admin)', function () {
  this.timeout(240_000);
  const masterKey = randomBytes(32);
  const keyEnv = { EDU_MASTER_KEY: masterKey.toString('base64'), SIGNING_WORKERS: '0' };
  let work: string;
  let sourceDir: string;
  let restoredDir: string;
  let backupFile: string;
  let tokens: Record<string, string>;
  let subjectId: string;
  const runs: Run[] = [];
  /** Credential ids and growth entry ids (with their text) acknowledged before the backup began. */
  const ackedBefore = { credentials: [] as string[], entries: new Map<string, string>() };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'edu-backup-'));
    sourceDir = join(work, 'source');
    restoredDir = join(work, 'restored');
    backupFile = join(work, 'ledger.backup');
  });

  after(async () => {
    for (const run of runs) await run.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  async function start(dataDir: string): Promise<{ base: string; run: Run }> {
    const port = await freePort();
    const run = await startGatewayProcess(dataDir, port, { env: keyEnv });
    runs.push(run);
    expect(run.code, run.output()).to.equal(undefined);
    return { base: `http://127.0.0.1:${port}`, run };
  }

  it('backs up under concurrent writes, and the restore holds every write acknowledged before it began', async () => {
    const { base, run } = await start(sourceDir);
    tokens = JSON.parse(readFileSync(join(sourceDir, 'demo-tokens.json'), 'utf8')) as Record<string, string>;
    const school = tokens['school-admin@school-gen'] ?? '';
    const teacher = tokens['teacher@school-gen'] ?? '';
    const subject = await call(base, 'POST', '/subjects', school, {
      name: '李明',
      idNumber: '310101200902023456',
      studentNumber: 'G310101200902023456',
      birthDate: '2009-02-02',
      did: (await didKeyFromSeed(new Uint8Array(32).fill(21))).did,
    });
    expect(subject.status, JSON.stringify(subject.body)).to.equal(201);
    subjectId = subject.body.subjectId as string;
    expect(
      (await call(base, 'POST', '/archives', school, { subjectId, dimensionSetId: 'five-dimensions-a' }))
        .status,
    ).to.equal(201);

    // Load: each worker alternates issuances and growth entries, one request at a time.
    let backupBegan = false;
    let stop = false;
    let afterBackup = 0;
    let acked = 0;
    const worker = async (w: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        const id = `w${w}-${n}-${randomUUID().slice(0, 8)}`;
        const entry = n % 3 === 2;
        const text = `成长记录 ${id}`;
        const res = entry
          ? await call(base, 'POST', `/archives/${subjectId}/entries`, teacher, {
              entryId: id,
              term: '2026-S1',
              dimensionId: 'academic',
              content: { text },
            })
          : await call(base, 'POST', '/credentials/issue', school, issueBody(`urn:uuid:${randomUUID()}`));
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        acked++;
        if (backupBegan) afterBackup++;
        else if (entry) ackedBefore.entries.set(id, text);
        else ackedBefore.credentials.push(res.body.verifiableCredential.id as string);
      }
    };
    const load = Promise.all(Array.from({ length: LOAD_WORKERS }, (_, w) => worker(w)));
    while (acked < WARM_UP) await new Promise((r) => setTimeout(r, 20));

    // Everything acknowledged up to here was acknowledged before the backup began.
    backupBegan = true;
    const backup = await eduAdmin(['backup', '--out', backupFile], {
      EDU_GATEWAY_URL: base,
      EDU_ADMIN_TOKEN: tokens['bureau-admin@bureau'] ?? '',
      EDU_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    const ackedDuringBackup = afterBackup;
    const target = afterBackup + AFTER;
    while (afterBackup < target) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await load;
    expect(backup.code, backup.stderr).to.equal(0);
    expect(backup.stdout).to.match(/Backup written/);
    console.log(
      `      load: ${acked} writes acknowledged, ${ackedBefore.credentials.length + ackedBefore.entries.size} before the backup, ${ackedDuringBackup} while it ran`,
    );
    run.stop();
    await run.exited;

    const restored = await eduAdmin(['restore', backupFile, '--data-dir', restoredDir], {
      EDU_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.match(/chain check and cross-store check passed/);
    expect(
      readdirSync(work).filter((f) => f.includes('restoring')),
      'no temporary folder left',
    ).to.deep.equal([]);
    expect(existsSync(join(restoredDir, 'master.key')), 'the restore brings no master key').to.equal(false);

    const again = await start(restoredDir);
    for (const id of ackedBefore.credentials) {
      const copy = await call(again.base, 'GET', `/credentials/${encodeURIComponent(id)}`, school);
      expect(copy.status, `${id}: ${JSON.stringify(copy.body)}`).to.equal(200);
      expect(JSON.stringify(copy.body)).to.include(id);
    }
    const archive = await call(again.base, 'GET', `/archives/${subjectId}`, school);
    expect(archive.status, JSON.stringify(archive.body)).to.equal(200);
    const entries = new Map(
      (
        archive.body.entries as {
          entryId: string;
          content: { text: string } | null;
          contentMatchesLedger: boolean;
        }[]
      ).map((e) => [e.entryId, e]),
    );
    for (const [id, text] of ackedBefore.entries) {
      expect(entries.get(id)?.content?.text, id).to.equal(text);
      expect(entries.get(id)?.contentMatchesLedger, id).to.equal(true);
    }
    // The restored gateway issues again: its allocator lies past every slot the ledger used.
    const fresh = await call(
      again.base,
      'POST',
      '/credentials/issue',
      school,
      issueBody(`urn:uuid:${randomUUID()}`),
    );
    expect(fresh.status, JSON.stringify(fresh.body)).to.equal(201);
    again.run.stop();
    await again.run.exited;

    // Nothing half-written: every anchor in the restored ledger has its signed copy.
    const ledger = await EmbeddedLedger.open({ path: join(restoredDir, 'ledger') });
    const db = await GatewayDb.open(join(restoredDir, 'gateway'));
    try {
      const check = await checkStores(ledger, db);
      expect(check.anchors).to.be.greaterThan(ackedBefore.credentials.length);
      expect(check.anchorsWithoutCopy).to.deep.equal([]);
      expect(check.entriesWithoutContent).to.deep.equal([]);
      expect(check.allocatorsBehind).to.deep.equal([]);
    } finally {
      await db.close();
      await ledger.close();
    }
  });

  it('never holds the master key, and its content reads only with the passphrase', async () => {
    const bytes = readFileSync(backupFile);
    expect(bytes.includes(masterKey), 'raw key bytes').to.equal(false);
    expect(bytes.includes(Buffer.from(masterKey.toString('base64'))), 'base64 key').to.equal(false);
    // Decrypted, too: neither the key nor a file holding it is among the lines.
    const lines = readBackupFile(backupFile, PASSPHRASE);
    let count = 0;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      count++;
      expect(next.value.includes(masterKey.toString('base64'))).to.equal(false);
      expect(next.value.includes(masterKey.toString('hex'))).to.equal(false);
      expect(next.value).not.to.match(/master\.key/);
    }
    expect(count).to.be.greaterThan(100);
    // The personal data written in the test is sealed in the vault, so not readable in the file's plaintext either.
    expect(bytes.includes(Buffer.from('310101200902023456'))).to.equal(false);
  });

  it('refuses a file with one byte flipped, anywhere, and leaves the target as it was', async () => {
    const size = readFileSync(backupFile).length;
    // In the header, inside the data, and in the last chunk (the manifest).
    for (const at of [20, Math.floor(size / 2), size - 3]) {
      const damaged = join(work, `damaged-${at}.backup`);
      const bytes = readFileSync(backupFile);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      writeFileSync(damaged, bytes);
      const target = join(work, `target-${at}`);
      const res = await eduAdmin(['restore', damaged, '--data-dir', target], {
        EDU_BACKUP_PASSPHRASE: PASSPHRASE,
      });
      expect(res.code, `byte ${at}: ${res.stdout}${res.stderr}`).to.equal(4);
      expect(res.stderr).to.match(/损坏|damaged|not an edu-ledger backup/);
      expect(existsSync(target), `byte ${at}: nothing restored`).to.equal(false);
    }
    // A cut file (the manifest missing) is refused as well.
    const cut = join(work, 'cut.backup');
    writeFileSync(cut, readFileSync(backupFile).subarray(0, size - 100));
    const res = await eduAdmin(['restore', cut, '--data-dir', join(work, 'target-cut')], {
      EDU_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(res.code).to.equal(4);
    expect(res.stderr).to.match(/truncated|damaged/);
  });

  it('refuses a wrong passphrase, and a target folder that holds data', async () => {
    const target = join(work, 'target-wrong');
    mkdirSync(target);
    const wrong = await eduAdmin(['restore', backupFile, '--data-dir', target], {
      EDU_BACKUP_PASSPHRASE: 'not the passphrase at all',
    });
    expect(wrong.code).to.equal(4);
    expect(wrong.stderr).to.match(/备份口令错误 \/ Wrong backup passphrase/);
    expect(readdirSync(target), 'the empty target stays empty').to.deep.equal([]);

    writeFileSync(join(target, 'keep.txt'), 'operator file');
    const full = await eduAdmin(['restore', backupFile, '--data-dir', target], {
      EDU_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(full.code).to.equal(3);
    expect(full.stderr).to.match(/is not empty/);
    expect(readdirSync(target)).to.deep.equal(['keep.txt']);
  });

  it('refuses a backup without a bureau-admin token, and a short passphrase', async () => {
    const { base, run } = await start(restoredDir);
    const out = join(work, 'refused.backup');
    const teacherTry = await eduAdmin(['backup', '--out', out], {
      EDU_GATEWAY_URL: base,
      EDU_ADMIN_TOKEN: tokens['teacher@school-gen'] ?? '',
      EDU_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(teacherTry.code).to.equal(1);
    expect(teacherTry.stderr).to.match(/requires one of: bureau-admin/);
    const short = await eduAdmin(['backup', '--out', out], {
      EDU_GATEWAY_URL: base,
      EDU_ADMIN_TOKEN: tokens['bureau-admin@bureau'] ?? '',
      EDU_BACKUP_PASSPHRASE: 'short',
    });
    expect(short.code).to.equal(1);
    expect(short.stderr).to.match(/at least 12 characters/);
    expect(existsSync(out)).to.equal(false);
    expect(existsSync(`${out}.partial`)).to.equal(false);
    run.stop();
    await run.exited;
  });

  describe('a gateway store older than its ledger', () => {
    /** Opens the folder as main() does, runs the start-up reconciliation, and serves. */
    async function startInProcess(dataDir: string): Promise<{ base: string; close: () => Promise<void> }> {
      const ledger = await EmbeddedLedger.open({ path: join(dataDir, 'ledger') });
      const db = await GatewayDb.open(join(dataDir, 'gateway'));
      const closeStores = async (): Promise<void> => {
        await ledger.close();
        await db.close();
      };
      try {
        const services = createServices({
          ledger,
          db,
          masterKey,
          readerIdentity: await ledger.identity('BureauMSP', 'gateway-reader', 'client'),
          publicUrl: 'http://127.0.0.1',
        });
        await recoverPendingWrites(services);
        await reconcileStoresAtStart(ledger, db);
        const server = createApp({
          services,
          logger: createLogger('silent'),
          publicUrl: 'http://127.0.0.1',
        }).listen(0, '127.0.0.1');
        await new Promise<void>((r) => server.once('listening', () => r()));
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return {
          base,
          close: async () => {
            await new Promise<void>((r) => server.close(() => r()));
            await closeStores();
          },
        };
      } catch (error) {
        await closeStores();
        throw error;
      }
    }

    /** A copy of the restored folder whose gateway store is edited by `edit`. */
    async function olderCopy(name: string, edit: (db: GatewayDb) => Promise<void>): Promise<string> {
      const dir = join(work, name);
      cpSync(restoredDir, dir, { recursive: true });
      const db = await GatewayDb.open(join(dir, 'gateway'));
      await edit(db);
      await db.close();
      return dir;
    }

    it('moves an allocator that lies behind the ledger past every used slot, and issuance succeeds', async () => {
      // The store's allocator rows as a store copied before any issuance would have them: none.
      const dir = await olderCopy('older-allocator', async (db) => {
        for (const key of await db.counters.keys().all())
          if (key.startsWith('status:')) await db.del(db.counters, key);
      });
      const gw = await startInProcess(dir);
      try {
        const school = tokens['school-admin@school-gen'] ?? '';
        for (let i = 0; i < 3; i++) {
          const res = await call(
            gw.base,
            'POST',
            '/credentials/issue',
            school,
            issueBody(`urn:uuid:${randomUUID()}`),
          );
          expect(res.status, JSON.stringify(res.body)).to.equal(201);
        }
      } finally {
        await gw.close();
      }
    });

    it('refuses to start, saying why, when anchored credentials have no signed copy', async () => {
      let removed = 0;
      const dir = await olderCopy('older-copies', async (db) => {
        for (const key of (await db.credentials.keys().all()).slice(0, 3)) {
          await db.del(db.credentials, key);
          removed++;
        }
      });
      expect(removed).to.equal(3);
      let refusal: unknown;
      try {
        const gw = await startInProcess(dir);
        await gw.close();
      } catch (error) {
        refusal = error;
      }
      expect(refusal).to.be.instanceOf(Error);
      const message = (refusal as Error).message;
      expect(message).to.include('网关存储比账本旧');
      expect(message).to.include('The gateway store is older than its ledger');
      expect(message).to.include('3 anchored credential(s) without their signed copy');
      expect(message).to.include('edu-admin restore');

      // A backup of such a folder (taken in-process, as the route does) fails the restore's
      // cross-store check, and the target is left as it was.
      const file = join(work, 'inconsistent.backup');
      const ledger = await EmbeddedLedger.open({ path: join(dir, 'ledger') });
      const db = await GatewayDb.open(join(dir, 'gateway'));
      try {
        await writeBackupFile(backupStream(ledger, db), file, PASSPHRASE);
      } finally {
        await db.close();
        await ledger.close();
      }
      const target = join(work, 'target-inconsistent');
      const res = await eduAdmin(['restore', file, '--data-dir', target], {
        EDU_BACKUP_PASSPHRASE: PASSPHRASE,
      });
      expect(res.code, res.stdout + res.stderr).to.equal(4);
      expect(res.stderr).to.include('恢复后的检查未通过');
      expect(res.stderr).to.include('3 anchored credential(s) without their signed copy');
      expect(existsSync(target)).to.equal(false);
      expect(readdirSync(work).filter((f) => f.includes('restoring'))).to.deep.equal([]);
    });
  });
});
