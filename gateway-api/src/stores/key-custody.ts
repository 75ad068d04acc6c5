import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MasterKeyError } from '../master-key.js';
import { SYNC, type GatewayDb } from './gateway-db.js';
import { deriveKey, seal, unseal } from './sealed.js';
import { tokenRowsOpenWith } from './tokens.js';
import { parseSubjectRow, rewrappedRow, subjectWrapKey, useWrappingKey } from './vault.js';

/**
 * Key custody: which master key the gateway store is sealed with, and its rotation.
 *
 * - The store keeps a key-check value (an HMAC of a fixed label under the master key, never the
 *   key), so a wrong key stops the start instead of serving a vault nobody can read.
 * - The master key wraps each person's data key (vault.ts) and the store key: the key services
 *   derive row MACs, the person index, token MACs, issuer-key and note sealing from. The store key
 *   is the master key the store was first sealed with; a rotation re-wraps it, it never changes.
 * - A rotation is crash-safe: (1) a `rotation` record names the new key; re-wrapped data keys are
 *   written beside the old ones in batches; (2) one atomic batch makes the new key current; (3) the
 *   rows take their new wraps in batches. A start with the old key during (1) rolls back; a start
 *   with the new key after (2) finishes (3). At every instant one of the two keys opens the vault.
 */

const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;
const SealedSchema = z.object({ iv: z.string(), tag: z.string(), ct: z.string() });
const KeyRecord = z.object({
  keyId: z.string(),
  check: z.string().regex(/^[0-9a-f]{64}$/),
  /** The store key, sealed under this master key. */
  storeKey: SealedSchema,
});
type KeyRecord = z.infer<typeof KeyRecord>;
const Rewrap = z.object({ keyId: z.string(), wrap: SealedSchema });

const CURRENT = 'current';
const ROTATION = 'rotation';
const CHECK_LABEL = 'edu-ledger/key-check/v1';

const sublevels = (db: GatewayDb) => ({
  custody: db.db.sublevel<string, string>('key-custody', UTF8),
  rewraps: db.db.sublevel<string, string>('key-rewraps', UTF8),
});

/** The key-check value of a master key: proves which key sealed the store without revealing it. */
function checkValue(masterKey: Buffer): string {
  return createHmac('sha256', deriveKey(masterKey, 'key-check')).update(CHECK_LABEL).digest('hex');
}

/** A short public name of a master key (for messages and the re-wrap records). */
export const keyIdOf = (masterKey: Buffer): string => checkValue(masterKey).slice(0, 16);

function recordFor(masterKey: Buffer, storeKey: Buffer): KeyRecord {
  const check = checkValue(masterKey);
  return {
    keyId: check.slice(0, 16),
    check,
    storeKey: seal(deriveKey(masterKey, 'store-key-wrap'), storeKey, 'store-key'),
  };
}

function matches(record: KeyRecord, masterKey: Buffer): boolean {
  return timingSafeEqual(Buffer.from(record.check, 'hex'), Buffer.from(checkValue(masterKey), 'hex'));
}

async function readRecord(db: GatewayDb, key: string): Promise<KeyRecord | undefined> {
  const raw = await sublevels(db).custody.get(key);
  return raw === undefined ? undefined : KeyRecord.parse(JSON.parse(raw));
}

/** A synced write: the sublevel's own put cannot ask for a sync. */
async function putRecord(db: GatewayDb, key: string, record: KeyRecord): Promise<void> {
  await db.db.batch(
    [{ type: 'put', sublevel: sublevels(db).custody, key, value: JSON.stringify(record) }],
    SYNC,
  );
}

const mismatch = (): MasterKeyError =>
  new MasterKeyError(
    '主密钥与此数据库不匹配（密钥校验值不符），网关拒绝启动；请使用封存此数据时的主密钥',
    'the master key does not match this vault (key-check value differs); start with the key this data was sealed with',
  );

/**
 * Checks the master key against the store and settles any rotation a kill interrupted. Returns
 * the store key to build the services with; from here on Vaults on `db` wrap with `masterKey`.
 */
export async function openKeyCustody(db: GatewayDb, masterKey: Buffer): Promise<Buffer> {
  const current = await readRecord(db, CURRENT);
  const storeKey = current === undefined ? await adopt(db, masterKey) : await settle(db, current, masterKey);
  useWrappingKey(db, masterKey);
  return storeKey;
}

/** A store from before key-check values: accepted if the key opens what it holds, then recorded. */
async function adopt(db: GatewayDb, masterKey: Buffer): Promise<Buffer> {
  if (!(await firstSubjectOpensWith(db, masterKey)) || (await tokenRowsOpenWith(db, masterKey)) === false) {
    throw mismatch();
  }
  await putRecord(db, CURRENT, recordFor(masterKey, masterKey));
  return masterKey;
}

/** Whether the first person with a data key can be unwrapped with this key (true when there is none). */
async function firstSubjectOpensWith(db: GatewayDb, masterKey: Buffer): Promise<boolean> {
  for await (const [subjectId, raw] of db.subjects.iterator()) {
    const row = parseSubjectRow(raw);
    if (row?.wrappedKey == null) continue;
    try {
      unseal(subjectWrapKey(masterKey), row.wrappedKey, subjectId);
      return true;
    } catch {
      return false;
    }
  }
  return true;
}

async function settle(db: GatewayDb, current: KeyRecord, masterKey: Buffer): Promise<Buffer> {
  const rotation = await readRecord(db, ROTATION);
  if (!matches(current, masterKey)) {
    if (rotation && matches(rotation, masterKey)) {
      throw new MasterKeyError(
        '轮换到此主密钥的操作中断于切换之前：请用旧密钥重新运行 edu-admin rotate-master-key，或用旧密钥启动（将回滚）',
        'a rotation to this master key was interrupted before it switched: run edu-admin rotate-master-key again ' +
          'with the old key, or start with the old key (which rolls it back)',
      );
    }
    throw mismatch();
  }
  const storeKey = unseal(deriveKey(masterKey, 'store-key-wrap'), current.storeKey, 'store-key');
  if (rotation) await rollBack(db);
  else await applyRewraps(db, current.keyId, storeKey);
  return storeKey;
}

/** Drops an unfinished rotation's new wraps: the old key stays current. */
async function rollBack(db: GatewayDb): Promise<void> {
  const { custody, rewraps } = sublevels(db);
  await rewraps.clear();
  await db.db.batch([{ type: 'del', sublevel: custody, key: ROTATION }], SYNC);
}

/** Step 3: every row takes the wrap made for the current key, batch by batch (idempotent). */
async function applyRewraps(
  db: GatewayDb,
  keyId: string,
  storeKey: Buffer,
  afterBatch: (done: number) => Promise<void> = async () => undefined,
  batchSize = 64,
): Promise<number> {
  const { rewraps } = sublevels(db);
  let done = 0;
  for (;;) {
    const entries = await rewraps.iterator({ limit: batchSize }).all();
    if (entries.length === 0) return done;
    const ops = [];
    for (const [subjectId, raw] of entries) {
      const rewrap = Rewrap.parse(JSON.parse(raw));
      const rowRaw = await db.subjects.get(subjectId);
      const row = rowRaw === undefined ? undefined : parseSubjectRow(rowRaw);
      if (row && rewrap.keyId === keyId && row.wrappedKey !== null) {
        ops.push({
          type: 'put' as const,
          sublevel: db.subjects,
          key: subjectId,
          value: rewrappedRow(storeKey, subjectId, row, rewrap.wrap),
        });
      }
      ops.push({ type: 'del' as const, sublevel: rewraps, key: subjectId });
    }
    await db.db.batch(ops, SYNC);
    done += entries.length;
    await afterBatch(done);
  }
}

/** Where a rotation may be paused (tests kill the process there). */
export interface RotationHooks {
  /** After each batch of new wraps written beside the old ones (step 1), with the count so far. */
  afterRewrapBatch?: (done: number) => Promise<void>;
  /** After each batch of rows switched to their new wrap (step 3). */
  afterApplyBatch?: (done: number) => Promise<void>;
  batchSize?: number;
}

export interface RotationResult {
  /** Persons whose data key was re-wrapped (erased persons have none). */
  subjects: number;
  keyId: string;
  /** True when the store was already sealed with the new key (an earlier run switched it). */
  alreadyDone: boolean;
}

/** Re-wraps every person's data key and the store key from `oldKey` to `newKey` (gateway stopped). */
export async function rotateMasterKey(
  db: GatewayDb,
  oldKey: Buffer,
  newKey: Buffer,
  hooks: RotationHooks = {},
): Promise<RotationResult> {
  const batchSize = hooks.batchSize ?? 64;
  const current = await readRecord(db, CURRENT);
  if (current && matches(current, newKey)) {
    // A run killed after its switch: the start-up path finishes it.
    await openKeyCustody(db, newKey);
    return { subjects: 0, keyId: current.keyId, alreadyDone: true };
  }
  // Checks the old key, and rolls back any earlier attempt so this one starts clean.
  const storeKey = await openKeyCustody(db, oldKey);
  const target = recordFor(newKey, storeKey);
  const { custody } = sublevels(db);
  await putRecord(db, ROTATION, target);
  const subjects = await writeRewraps(db, oldKey, newKey, target.keyId, batchSize, hooks.afterRewrapBatch);
  // Step 2, the switch: one atomic batch, after every new wrap is on disk.
  await db.db.batch(
    [
      { type: 'put', sublevel: custody, key: CURRENT, value: JSON.stringify(target) },
      { type: 'del', sublevel: custody, key: ROTATION },
    ],
    SYNC,
  );
  await applyRewraps(db, target.keyId, storeKey, hooks.afterApplyBatch, batchSize);
  useWrappingKey(db, newKey);
  return { subjects, keyId: target.keyId, alreadyDone: false };
}

/** Step 1: a new wrap of each data key, written beside the row (the row itself is untouched). */
async function writeRewraps(
  db: GatewayDb,
  oldKey: Buffer,
  newKey: Buffer,
  keyId: string,
  batchSize: number,
  afterBatch: (done: number) => Promise<void> = async () => undefined,
): Promise<number> {
  const { rewraps } = sublevels(db);
  const [oldWrap, newWrap] = [subjectWrapKey(oldKey), subjectWrapKey(newKey)];
  let ops: { type: 'put'; sublevel: typeof rewraps; key: string; value: string }[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (ops.length === 0) return;
    await db.db.batch(ops, SYNC);
    done += ops.length;
    ops = [];
    await afterBatch(done);
  };
  for await (const [subjectId, raw] of db.subjects.iterator()) {
    const row = parseSubjectRow(raw);
    if (row?.wrappedKey == null) continue;
    const dataKey = unseal(oldWrap, row.wrappedKey, subjectId);
    const value = JSON.stringify({ keyId, wrap: seal(newWrap, dataKey, subjectId) });
    ops.push({ type: 'put', sublevel: rewraps, key: subjectId, value });
    if (ops.length >= batchSize) await flush();
  }
  await flush();
  return done;
}
