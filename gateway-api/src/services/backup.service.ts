import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scryptSync,
  timingSafeEqual,
  type Hash,
} from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { z } from 'zod';
import { STATUS_LIST_SIZE } from '@edu-ledger/domain';
import { EmbeddedLedger, type RawSnapshot } from '@edu-ledger/ledger-embedded';
import { GatewayDb } from '../stores/gateway-db.js';

/**
 * Backup and restore of the embedded ledger and the gateway store together.
 *
 * Consistency: the gateway writes everything a ledger record depends on BEFORE the record's
 * transaction is submitted (the pending signed copy before its anchor, the sealed growth content
 * before its entry, the allocator's high-water mark before a slot is used), and removes nothing the
 * ledger still needs. So a snapshot of the ledger taken at instant t1 and one of the gateway store at
 * t2 >= t1 always agree. Both LevelDB snapshots are taken synchronously, ledger first, in the same
 * tick: no write of this process runs between them, and none is held up.
 *
 * Two formats:
 * - the stream from the gateway to edu-admin: NDJSON lines ({@link StreamLine}), the manifest last;
 * - the file: a header line, then AES-256-GCM chunks under a key derived with scrypt from the
 *   operator's passphrase (never the master key, which no backup contains). Each chunk's additional
 *   data binds the header, its index and whether it is the last, so a flipped byte, a reordered or a
 *   missing chunk is refused; the last chunk holds the manifest.
 */

export const BACKUP_FORMAT = 1;
const MAGIC = 'EDU-LEDGER-BACKUP';
/** Plaintext bytes per encrypted chunk. */
const CHUNK_BYTES = 1 << 20;
/** scrypt cost: about 0.1 s and 32 MB per derivation, once per backup or restore. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;
/** Shorter passphrases are refused: the file may be copied anywhere, so the key must resist guessing. */
export const MIN_PASSPHRASE_LENGTH = 12;

export type StoreName = 'ledger' | 'gateway';

const StoreSummary = z.object({
  count: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const Manifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string(),
  ledger: StoreSummary.extend({ height: z.number().int().min(0), tipHash: z.string() }),
  gateway: StoreSummary,
  /** Files copied beside the databases (the ledger's node key), each with its SHA-256. */
  files: z.array(z.object({ path: z.string(), sha256: z.string() })),
});
export type Manifest = z.infer<typeof Manifest>;

/** One line of the backup stream: a key/value of a store, a file, or the manifest (last). */
export const StreamLine = z.discriminatedUnion('t', [
  z.object({ t: z.literal('kv'), s: z.enum(['ledger', 'gateway']), k: z.string(), v: z.string() }),
  z.object({ t: z.literal('file'), path: z.enum(['ledger/node-key.pem']), data: z.string() }),
  z.object({ t: z.literal('manifest'), manifest: Manifest }),
]);
export type StreamLine = z.infer<typeof StreamLine>;

/** Count and SHA-256 of a store's entries, each length-prefixed so no two listings hash alike. */
export class StoreDigest {
  count = 0;
  private readonly hash: Hash = createHash('sha256');

  add(key: Buffer, value: Buffer): void {
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32BE(key.length, 0);
    lengths.writeUInt32BE(value.length, 4);
    this.hash.update(lengths).update(key).update(value);
    this.count++;
  }

  summary(): { count: number; sha256: string } {
    return { count: this.count, sha256: this.hash.copy().digest('hex') };
  }
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The ledger's tip as its meta sublevel (`m`) records it: read from the snapshot, not the live ledger. */
const TIP_KEY = '!m!tip';

/**
 * The backup stream of both stores as of one instant: both snapshots are taken before this
 * generator first yields, so the caller's later writes are not in it.
 */
export function backupStream(
  ledger: EmbeddedLedger,
  db: GatewayDb,
  now = new Date(),
): AsyncGenerator<string> {
  // Ledger first, gateway second, in the same tick (see the file comment for why this order).
  const snapshots = { ledger: ledger.snapshot(), gateway: db.snapshot() };
  return streamSnapshots(snapshots, ledger.nodeKeyFile, now);
}

async function* streamSnapshots(
  snapshots: Record<StoreName, RawSnapshot>,
  nodeKeyFile: string,
  now: Date,
): AsyncGenerator<string> {
  try {
    const files: Manifest['files'] = [];
    const nodeKey = await readFile(nodeKeyFile);
    files.push({ path: 'ledger/node-key.pem', sha256: sha256(nodeKey) });
    yield line({ t: 'file', path: 'ledger/node-key.pem', data: nodeKey.toString('base64') });
    const digests = { ledger: new StoreDigest(), gateway: new StoreDigest() };
    let tip = { height: 0, lastHash: '' };
    for (const s of ['ledger', 'gateway'] as const) {
      for await (const [key, value] of snapshots[s].entries()) {
        digests[s].add(key, value);
        if (s === 'ledger' && key.toString('utf8') === TIP_KEY) tip = parseTip(value);
        yield line({ t: 'kv', s, k: key.toString('base64'), v: value.toString('base64') });
      }
    }
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      createdAt: now.toISOString(),
      ledger: { ...digests.ledger.summary(), height: tip.height, tipHash: tip.lastHash },
      gateway: digests.gateway.summary(),
      files,
    };
    yield line({ t: 'manifest', manifest });
  } finally {
    await Promise.all([snapshots.ledger.close(), snapshots.gateway.close()]);
  }
}

function parseTip(value: Buffer): { height: number; lastHash: string } {
  return z
    .object({ height: z.number().int(), lastHash: z.string() })
    .parse(JSON.parse(value.toString('utf8')));
}

const line = (l: StreamLine): string => `${JSON.stringify(l)}\n`;

async function readFile(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Checks a received stream as edu-admin reads it: every line well-formed, the manifest last, and
 * its counts and hashes those of the lines before it.
 */
export class StreamChecker {
  private readonly digests = { ledger: new StoreDigest(), gateway: new StoreDigest() };
  private readonly files = new Map<string, string>();
  manifest: Manifest | undefined;

  /** @returns the parsed line. @throws BackupError when it is malformed or follows the manifest. */
  accept(text: string): StreamLine {
    if (this.manifest) throw new BackupError('lines after the manifest');
    let parsed: StreamLine;
    try {
      parsed = StreamLine.parse(JSON.parse(text));
    } catch {
      throw new BackupError('a malformed line');
    }
    if (parsed.t === 'kv') this.digests[parsed.s].add(b64(parsed.k), b64(parsed.v));
    else if (parsed.t === 'file') this.files.set(parsed.path, sha256(b64(parsed.data)));
    else this.manifest = parsed.manifest;
    return parsed;
  }

  /** @throws BackupError naming every store whose count or hash differs from the manifest. */
  finish(): Manifest {
    const manifest = this.manifest;
    if (!manifest) throw new BackupError('no manifest: the backup stream was cut short');
    const problems: string[] = [];
    for (const s of ['ledger', 'gateway'] as const) {
      const got = this.digests[s].summary();
      if (got.count !== manifest[s].count || got.sha256 !== manifest[s].sha256)
        problems.push(
          `${s}: ${got.count} entries (sha256 ${got.sha256}), manifest says ${manifest[s].count} (${manifest[s].sha256})`,
        );
    }
    for (const f of manifest.files)
      if (this.files.get(f.path) !== f.sha256) problems.push(`file ${f.path} does not match the manifest`);
    if (problems.length > 0)
      throw new BackupError(`the content does not match its manifest: ${problems.join('; ')}`);
    return manifest;
  }
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

/** A backup file or stream that cannot be used; the message (English) names why. */
export class BackupError extends Error {
  constructor(
    message: string,
    /** Whether the passphrase is what is wrong (the key check failed), not the file. */
    readonly wrongPassphrase = false,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

// ---------------------------------------------------------------------------------------------
// The encrypted file.

const Header = z.object({
  magic: z.literal(MAGIC),
  format: z.literal(BACKUP_FORMAT),
  cipher: z.literal('aes-256-gcm'),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int(),
    p: z.number().int(),
    salt: z.string(),
  }),
  /** HMAC of a fixed text under the derived key: tells a wrong passphrase from a damaged file. */
  keyCheck: z.string(),
});
type Header = z.infer<typeof Header>;

function deriveFileKey(passphrase: string, kdf: Header['kdf']): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r,
  });
}

const keyCheckOf = (key: Buffer): string =>
  createHmac('sha256', key).update('edu-ledger-backup key check').digest('base64');

/** Additional data of chunk `index`: the header's hash, the index and whether it is the last. */
function chunkAad(headerHash: Buffer, index: number, last: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail.writeUInt8(last ? 1 : 0, 8);
  return Buffer.concat([headerHash, tail]);
}

/** Writes an encrypted backup file: lines are gathered into chunks, the manifest is the last chunk. */
export class BackupFileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly key: Buffer,
    private readonly headerHash: Buffer,
  ) {}

  static async create(path: string, passphrase: string): Promise<BackupFileWriter> {
    const kdf = { name: 'scrypt' as const, ...SCRYPT, salt: randomBytes(16).toString('base64') };
    const key = deriveFileKey(passphrase, kdf);
    const header: Header = {
      magic: MAGIC,
      format: BACKUP_FORMAT,
      cipher: 'aes-256-gcm',
      kdf,
      keyCheck: keyCheckOf(key),
    };
    const headerLine = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
    // 'wx' with mode 0600: a new file, readable by the operator only.
    const handle = await open(path, 'wx', 0o600);
    await handle.write(headerLine);
    return new BackupFileWriter(handle, key, createHash('sha256').update(headerLine).digest());
  }

  async addLine(text: string): Promise<void> {
    const bytes = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= CHUNK_BYTES) await this.flush(false);
  }

  /** Writes the remaining lines, then the manifest as the authenticated last chunk, and syncs. */
  async finish(manifest: Manifest): Promise<void> {
    if (this.pendingBytes > 0) await this.flush(false);
    this.pending = [Buffer.from(JSON.stringify(manifest), 'utf8')];
    await this.flush(true);
    await this.handle.sync();
    await this.handle.close();
  }

  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private async flush(last: boolean): Promise<void> {
    const plain = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(chunkAad(this.headerHash, this.index++, last));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const frame = Buffer.alloc(5);
    frame.writeUInt8(last ? 1 : 0, 0);
    frame.writeUInt32BE(body.length, 1);
    await this.handle.write(Buffer.concat([frame, iv, body, cipher.getAuthTag()]));
  }
}

/**
 * Writes a backup stream to an encrypted file, checking every line against the manifest. The file
 * is written as `out.partial` and renamed only once complete, so a cut backup never looks like a
 * good one.
 *
 * @throws BackupError when the stream is malformed, cut short or does not match its manifest.
 */
export async function writeBackupFile(
  lines: AsyncIterable<string>,
  out: string,
  passphrase: string,
): Promise<Manifest> {
  const partial = `${out}.partial`;
  await rm(partial, { force: true });
  const writer = await BackupFileWriter.create(partial, passphrase);
  try {
    const checker = new StreamChecker();
    for await (const text of lines) {
      if (checker.accept(text).t !== 'manifest') await writer.addLine(text);
    }
    const manifest = checker.finish();
    await writer.finish(manifest);
    await rename(partial, out);
    return manifest;
  } catch (error) {
    await writer.abandon();
    await rm(partial, { force: true });
    throw error;
  }
}

/** The most header bytes read before its end of line: a real header is about 250 bytes. */
const MAX_HEADER = 4096;

/**
 * Reads an encrypted backup file: yields its lines (every chunk authenticated before any of its
 * lines is given out) and returns the manifest from the last chunk.
 *
 * @throws BackupError on a wrong passphrase, a damaged or truncated file.
 */
export async function* readBackupFile(path: string, passphrase: string): AsyncGenerator<string, Manifest> {
  const handle = await open(path, 'r');
  try {
    const { header, headerHash, offset: start } = await readHeader(handle);
    const key = deriveFileKey(passphrase, header.kdf);
    const expected = Buffer.from(header.keyCheck, 'base64');
    const actual = Buffer.from(keyCheckOf(key), 'base64');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
      throw new BackupError('wrong passphrase', true);
    let offset = start;
    for (let index = 0; ; index++) {
      const frame = await readExactly(handle, offset, 5 + 12);
      if (frame === undefined) throw new BackupError('the file ends before its manifest (truncated)');
      const last = frame.readUInt8(0) === 1;
      const length = frame.readUInt32BE(1);
      if (length > 2 * CHUNK_BYTES) throw new BackupError(`chunk ${index} is damaged`);
      const body = await readExactly(handle, offset + 17, length + 16);
      if (body === undefined) throw new BackupError('the file ends inside a chunk (truncated)');
      offset += 17 + length + 16;
      const decipher = createDecipheriv('aes-256-gcm', key, frame.subarray(5));
      decipher.setAAD(chunkAad(headerHash, index, last));
      decipher.setAuthTag(body.subarray(length));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(body.subarray(0, length)), decipher.final()]);
      } catch {
        throw new BackupError(`chunk ${index} fails its authentication: the file is damaged or altered`);
      }
      if (last) {
        if ((await readExactly(handle, offset, 1)) !== undefined)
          throw new BackupError('data after the manifest');
        return parseManifest(plain);
      }
      for (const text of plain.toString('utf8').split('\n')) if (text !== '') yield text;
    }
  } finally {
    await handle.close();
  }
}

function parseManifest(plain: Buffer): Manifest {
  try {
    return Manifest.parse(JSON.parse(plain.toString('utf8')));
  } catch {
    throw new BackupError('the manifest is malformed');
  }
}

async function readHeader(
  handle: FileHandle,
): Promise<{ header: Header; headerHash: Buffer; offset: number }> {
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(MAX_HEADER), 0, MAX_HEADER, 0);
  const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
  if (end < 0) throw new BackupError('not an edu-ledger backup file');
  const headerLine = buffer.subarray(0, end + 1);
  let header: Header;
  try {
    header = Header.parse(JSON.parse(headerLine.toString('utf8')));
  } catch {
    throw new BackupError('not an edu-ledger backup file, or its header is damaged');
  }
  return { header, headerHash: createHash('sha256').update(headerLine).digest(), offset: end + 1 };
}

/** `length` bytes at `position`, or undefined when the file ends first. */
async function readExactly(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Buffer | undefined> {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await handle.read(buffer, read, length - read, position + read);
    if (bytesRead === 0) return undefined;
    read += bytesRead;
  }
  return buffer;
}

// ---------------------------------------------------------------------------------------------
// The cross-store check, after a restore and at a gateway's start.

/** A status list's highest used slot, per issuer, as the ledger's anchors show it. */
interface UsedSlot {
  list: number;
  index: number;
}

export interface StoresCheck {
  anchors: number;
  growthEntries: number;
  /** Anchored credentials whose signed copy (complete or pending) the gateway store lacks. */
  anchorsWithoutCopy: string[];
  /** Growth entries (`subjectId/entryId`) whose sealed content the gateway store lacks. */
  entriesWithoutContent: string[];
  /** Issuers whose status allocator would hand out a slot the ledger already used. */
  allocatorsBehind: { orgId: string; next: { list: number; next: number } }[];
}

const AnchorSlot = z.object({
  credentialId: z.string(),
  issuerOrgId: z.string(),
  statusListId: z.string(),
  statusIndex: z.number().int(),
});
const EntryKey = z.object({ subjectId: z.string(), entryId: z.string() });
const Counter = z.object({ list: z.number().int(), next: z.number().int() });

/**
 * Compares the ledger with the gateway store: every anchor has its signed copy, every growth entry
 * its sealed content, and every issuer's allocator lies past the slots the ledger used.
 */
export async function checkStores(ledger: EmbeddedLedger, db: GatewayDb): Promise<StoresCheck> {
  const result: StoresCheck = {
    anchors: 0,
    growthEntries: 0,
    anchorsWithoutCopy: [],
    entriesWithoutContent: [],
    allocatorsBehind: [],
  };
  const highest = new Map<string, UsedSlot>();
  for await (const { value } of ledger.stateOfType('anchor')) {
    const anchor = AnchorSlot.parse(JSON.parse(value));
    result.anchors++;
    const id = anchor.credentialId;
    if ((await db.credentials.get(id)) === undefined && (await db.pendingCredentials.get(id)) === undefined)
      result.anchorsWithoutCopy.push(id);
    const list = Number(anchor.statusListId.slice(anchor.statusListId.lastIndexOf('.') + 1));
    const seen = highest.get(anchor.issuerOrgId);
    if (!seen || list > seen.list || (list === seen.list && anchor.statusIndex > seen.index))
      highest.set(anchor.issuerOrgId, { list, index: anchor.statusIndex });
  }
  for await (const { value } of ledger.stateOfType('gentry')) {
    const entry = EntryKey.parse(JSON.parse(value));
    result.growthEntries++;
    const storeKey = `${entry.subjectId}/${entry.entryId}`;
    if ((await db.growthContent.get(storeKey)) === undefined) result.entriesWithoutContent.push(storeKey);
  }
  for (const [orgId, used] of highest) {
    const raw = await db.counters.get(`status:${orgId}`);
    const counter = raw === undefined ? { list: 1, next: 0 } : Counter.parse(JSON.parse(raw));
    const past = counter.list > used.list || (counter.list === used.list && counter.next > used.index);
    if (!past) result.allocatorsBehind.push({ orgId, next: nextSlotAfter(used) });
  }
  return result;
}

/** The allocator position just past a used slot (the allocator itself moves on to the next list when full). */
function nextSlotAfter(used: UsedSlot): { list: number; next: number } {
  return used.index + 1 >= STATUS_LIST_SIZE
    ? { list: used.list + 1, next: 0 }
    : { list: used.list, next: used.index + 1 };
}

/** Problems of a check that a restore must refuse, in English, one per kind. */
export function storeProblems(check: StoresCheck, includeAllocator: boolean): string[] {
  const problems: string[] = [];
  const some = (ids: string[]): string => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', ...' : '');
  if (check.anchorsWithoutCopy.length > 0)
    problems.push(
      `${check.anchorsWithoutCopy.length} anchored credential(s) without their signed copy (${some(check.anchorsWithoutCopy)})`,
    );
  if (check.entriesWithoutContent.length > 0)
    problems.push(`${check.entriesWithoutContent.length} growth entr(ies) without their sealed content`);
  if (includeAllocator && check.allocatorsBehind.length > 0)
    problems.push(
      `the status allocator of ${check.allocatorsBehind.map((a) => a.orgId).join(', ')} is behind the ledger's used slots`,
    );
  return problems;
}

/**
 * Moves every allocator that lies behind the ledger past its issuer's used slots (a synced write
 * each). A restarted allocator loads its position from the store, so this must run before the
 * first issuance.
 */
export async function repairAllocators(db: GatewayDb, check: StoresCheck): Promise<void> {
  for (const { orgId, next } of check.allocatorsBehind)
    await db.put(db.counters, `status:${orgId}`, JSON.stringify(next));
}

/** A gateway store that does not hold what its ledger needs; the message is `中文 / English`. */
export class StoresDisagreeError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `网关存储比账本旧，网关拒绝启动 / The gateway store is older than its ledger; the gateway will not start:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\n请用 edu-admin restore 从同一份备份同时恢复账本与网关存储 / Restore the ledger and the gateway store ' +
        'together from one backup with `edu-admin restore`.',
    );
    this.name = 'StoresDisagreeError';
  }
}

/**
 * The start-up check of a gateway over the embedded ledger (main.ts calls it once recovery has
 * settled pending copies): an allocator behind the ledger is moved past every used slot (repaired,
 * returned); anchors without copies or entries without content cannot be rebuilt from the ledger,
 * so the start is refused with a message saying which and what to do.
 *
 * @throws StoresDisagreeError when the gateway store lacks records the ledger refers to.
 */
export async function reconcileStoresAtStart(ledger: EmbeddedLedger, db: GatewayDb): Promise<StoresCheck> {
  const check = await checkStores(ledger, db);
  const problems = storeProblems(check, false);
  if (problems.length > 0) throw new StoresDisagreeError(problems);
  await repairAllocators(db, check);
  return check;
}

// ---------------------------------------------------------------------------------------------
// Restore.

export interface RestoreReport {
  manifest: Manifest;
  chain: { ok: boolean; height: number; problems: string[] };
  stores: StoresCheck;
}

/** A restore that was refused; nothing in the target folder was changed. */
export class RestoreRefused extends Error {
  constructor(
    readonly problems: string[],
    readonly report?: Partial<RestoreReport>,
  ) {
    super(problems.join('; '));
    this.name = 'RestoreRefused';
  }
}

/**
 * Restores a backup file into `dataDir` (absent or empty): everything is written into a temporary
 * folder beside it and checked there — manifest, chain check, cross-store check — and only a restore
 * that passes is renamed into place, so a refused one leaves `dataDir` as it was.
 *
 * @throws BackupError for a wrong passphrase or a damaged file; RestoreRefused when a check fails.
 */
export async function restoreBackup(
  file: string,
  passphrase: string,
  dataDir: string,
): Promise<RestoreReport> {
  if ((await targetState(dataDir)) === 'in-use') throw new TargetNotEmpty(dataDir);
  const temp = join(dirname(dataDir), `.${basename(dataDir)}.restoring-${randomBytes(4).toString('hex')}`);
  await mkdir(temp, { mode: 0o700 });
  try {
    const manifest = await writeStores(file, passphrase, temp);
    const report = await checkRestored(temp, manifest);
    // The empty target folder goes first (rmdir refuses a non-empty one): rename needs the name free.
    if ((await targetState(dataDir)) === 'empty') await rmdir(dataDir);
    await rename(temp, dataDir);
    return report;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** A restore never writes over data: the target must be absent or an empty folder. */
export class TargetNotEmpty extends Error {
  constructor(readonly dataDir: string) {
    super(`${dataDir} is not empty`);
    this.name = 'TargetNotEmpty';
  }
}

async function targetState(dataDir: string): Promise<'absent' | 'empty' | 'in-use'> {
  try {
    return (await readdir(dataDir)).length === 0 ? 'empty' : 'in-use';
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return 'absent';
    // A file of that name, or a folder we may not read: not a place to restore into.
    return 'in-use';
  }
}

/** Decrypts the file into new databases under `folder`; returns the manifest once every line matched it. */
async function writeStores(file: string, passphrase: string, folder: string): Promise<Manifest> {
  const dbs = {
    ledger: new ClassicLevel<Buffer, Buffer>(join(folder, 'ledger'), RAW),
    gateway: new ClassicLevel<Buffer, Buffer>(join(folder, 'gateway'), RAW),
  };
  await Promise.all([dbs.ledger.open(), dbs.gateway.open()]);
  const checker = new StreamChecker();
  const batches: Record<StoreName, { type: 'put'; key: Buffer; value: Buffer }[]> = {
    ledger: [],
    gateway: [],
  };
  const flush = async (s: StoreName): Promise<void> => {
    if (batches[s].length === 0) return;
    await dbs[s].batch(batches[s].splice(0));
  };
  try {
    const lines = readBackupFile(file, passphrase);
    let next = await lines.next();
    while (!next.done) {
      const parsed = checker.accept(next.value);
      if (parsed.t === 'manifest') throw new BackupError('a manifest inside the data');
      if (parsed.t === 'file') {
        await writeFile(join(folder, parsed.path), b64(parsed.data), { mode: 0o600, flag: 'wx' });
      } else {
        batches[parsed.s].push({ type: 'put', key: b64(parsed.k), value: b64(parsed.v) });
        if (batches[parsed.s].length >= 1000) await flush(parsed.s);
      }
      next = await lines.next();
    }
    await Promise.all([flush('ledger'), flush('gateway')]);
    checker.accept(JSON.stringify({ t: 'manifest', manifest: next.value }));
    return checker.finish();
  } finally {
    await Promise.all([dbs.ledger.close(), dbs.gateway.close()]);
  }
}

const RAW = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const;

/** The chain check and the cross-store check of a restored folder; refuses on any problem. */
async function checkRestored(folder: string, manifest: Manifest): Promise<RestoreReport> {
  const ledger = await EmbeddedLedger.open({ path: join(folder, 'ledger'), integrityCheckBlocks: 0 });
  let db: GatewayDb | undefined;
  try {
    db = await GatewayDb.open(join(folder, 'gateway'));
    const chain = await ledger.verifyChain();
    const stores = await checkStores(ledger, db);
    const report: RestoreReport = {
      manifest,
      chain: { ok: chain.ok, height: chain.height, problems: chain.problems },
      stores,
    };
    const problems = [
      ...(chain.ok ? [] : [`chain check failed: ${chain.problems.slice(0, 5).join('; ')}`]),
      ...(chain.height === manifest.ledger.height && ledger.signedHead().lastHash === manifest.ledger.tipHash
        ? []
        : [`the ledger's tip is not the manifest's (height ${manifest.ledger.height})`]),
      ...storeProblems(stores, true),
    ];
    if (problems.length > 0) throw new RestoreRefused(problems, report);
    return report;
  } finally {
    await db?.close();
    await ledger.close();
  }
}
