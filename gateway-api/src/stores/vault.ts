import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DomainError, SubjectInput, canonicalJson, type SubjectRecordView } from '@edu-ledger/domain';
import { SYNC, type GatewayDb } from './gateway-db.js';
import { deriveKey, seal, unseal, type Sealed } from './sealed.js';

const SealedSchema = z.object({ iv: z.string(), tag: z.string(), ct: z.string() });
const StoredSubject = z.object({
  orgId: z.string(),
  createdAt: z.string(),
  /** The subject's data key, wrapped by the master key; null once destroyed (crypto-shredding). */
  wrappedKey: SealedSchema.nullable(),
  data: SealedSchema,
  indexKey: z.string(),
  shreddedAt: z.string().optional(),
  /** HMAC over the fields outside the encryption that decide who may act for this person. */
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});
type StoredSubject = z.infer<typeof StoredSubject>;

/**
 * The master key that wraps subject keys, per store, as key custody (key-custody.ts) recorded it
 * at start. The key services are built with is the store key, from which row MACs, the index and
 * the other stores' keys derive; before any rotation the two are the same, and stores opened
 * without key custody (tests) wrap with the store key.
 */
const wrappingKeys = new WeakMap<GatewayDb, Buffer>();

/** Makes every Vault on `db` wrap subject keys with `masterKey` (called by key custody). */
export function useWrappingKey(db: GatewayDb, masterKey: Buffer): void {
  wrappingKeys.set(db, masterKey);
}

/** The AES key that wraps subject data keys under a master key. */
export const subjectWrapKey = (masterKey: Buffer): Buffer => deriveKey(masterKey, 'vault-wrap');

/** A stored subject row, or undefined for one that does not parse (its MAC is not checked here). */
export function parseSubjectRow(raw: string): StoredSubject | undefined {
  const parsed = StoredSubject.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : undefined;
}

/** The row with its data key wrapped anew, MAC'ed again under the store key (for a rotation). */
export function rewrappedRow(
  storeKey: Buffer,
  subjectId: string,
  row: StoredSubject,
  wrappedKey: Sealed,
): string {
  const { mac: _previous, ...fields } = row;
  const next = { ...fields, wrappedKey };
  return JSON.stringify({ ...next, mac: rowMacUnder(deriveKey(storeKey, 'vault-rows'), subjectId, next) });
}

function rowMacUnder(rowKey: Buffer, subjectId: string, fields: Omit<StoredSubject, 'mac'>): string {
  return createHmac('sha256', rowKey)
    .update(canonicalJson({ subjectId, ...fields }))
    .digest('hex');
}

/**
 * The personal-data vault. Each person's fields are encrypted with their own data key; that key
 * is wrapped by the master key. Destroying the wrapped key makes the person's data unreadable for
 * good while every ledger anchor that mentions their pseudonymous id stays verifiable.
 */
export class Vault {
  private readonly wrapKey: Buffer;
  private readonly indexKey: Buffer;
  private readonly rowKey: Buffer;

  constructor(
    private readonly db: GatewayDb,
    masterKey: Buffer,
    private readonly now: () => Date,
  ) {
    this.wrapKey = subjectWrapKey(wrappingKeys.get(db) ?? masterKey);
    this.indexKey = deriveKey(masterKey, 'vault-index');
    this.rowKey = deriveKey(masterKey, 'vault-rows');
  }

  /** Registers a person; refuses a second record for the same national number. */
  async register(orgId: string, input: SubjectInput): Promise<{ subjectId: string }> {
    const indexKey = createHmac('sha256', this.indexKey)
      .update(`${input.kind}:${input.studentNumber}`)
      .digest('hex');
    if ((await this.db.subjectIndex.get(indexKey)) !== undefined) {
      throw new DomainError('ALREADY_EXISTS', 'a person with this national number is already registered');
    }
    const subjectId = `subj-${randomBytes(16).toString('hex')}`;
    const dataKey = randomBytes(32);
    const record = this.signed(subjectId, {
      orgId,
      createdAt: this.now().toISOString(),
      wrappedKey: seal(this.wrapKey, dataKey, subjectId),
      data: seal(dataKey, canonicalJson(input), subjectId),
      indexKey,
    });
    if (input.did !== undefined && (await this.db.subjectDids.get(input.did)) !== undefined) {
      throw new DomainError('ALREADY_EXISTS', 'this DID already belongs to a registered person');
    }
    await this.db.db.batch(
      [
        { type: 'put', sublevel: this.db.subjects, key: subjectId, value: JSON.stringify(record) },
        { type: 'put', sublevel: this.db.subjectIndex, key: indexKey, value: subjectId },
        // A holder's DID is public, not personal data: indexed in clear so a wallet can find its record.
        ...(input.did === undefined
          ? []
          : [{ type: 'put' as const, sublevel: this.db.subjectDids, key: input.did, value: subjectId }]),
      ],
      SYNC,
    );
    return { subjectId };
  }

  /**
   * Undoes a registration the ledger refused, so the national number can be registered again.
   * Only for a row the ledger never took: once the ledger knows the id, crypto-shredding is the
   * way to erase a person.
   */
  async unregister(subjectId: string): Promise<void> {
    const record = await this.load(subjectId);
    const did = record.wrappedKey === null ? undefined : (await this.read(subjectId)).data.did;
    await this.db.db.batch(
      [
        { type: 'del', sublevel: this.db.subjects, key: subjectId },
        { type: 'del', sublevel: this.db.subjectIndex, key: record.indexKey },
        ...(did === undefined ? [] : [{ type: 'del' as const, sublevel: this.db.subjectDids, key: did }]),
      ],
      SYNC,
    );
  }

  async read(subjectId: string): Promise<SubjectRecordView> {
    const record = await this.load(subjectId);
    const dataKey = this.dataKey(subjectId, record);
    const data = SubjectInput.parse(JSON.parse(unseal(dataKey, record.data, subjectId).toString('utf8')));
    return { subjectId, orgId: record.orgId, createdAt: record.createdAt, data };
  }

  /** The pseudonymous id of the person whose wallet holds this DID. */
  async subjectByDid(did: string): Promise<string> {
    const subjectId = await this.db.subjectDids.get(did);
    if (subjectId === undefined)
      throw new DomainError('SUBJECT_NOT_FOUND', 'no person is registered with this DID');
    return subjectId;
  }

  async owner(subjectId: string): Promise<string> {
    return (await this.load(subjectId)).orgId;
  }

  /** Crypto-shredding: the wrapped data key is overwritten, so the data can never be decrypted again. */
  async destroyKey(subjectId: string): Promise<{ shreddedAt: string }> {
    const record = await this.load(subjectId);
    if (record.wrappedKey === null)
      throw new DomainError('SUBJECT_KEY_DESTROYED', 'the data key is already destroyed');
    const shreddedAt = this.now().toISOString();
    const { mac: _previous, ...fields } = record;
    const shredded = this.signed(subjectId, { ...fields, wrappedKey: null, shreddedAt });
    const did = (await this.read(subjectId)).data.did;
    await this.db.db.batch(
      [
        { type: 'put', sublevel: this.db.subjects, key: subjectId, value: JSON.stringify(shredded) },
        { type: 'del', sublevel: this.db.subjectIndex, key: record.indexKey },
        ...(did === undefined ? [] : [{ type: 'del' as const, sublevel: this.db.subjectDids, key: did }]),
      ],
      SYNC,
    );
    // LevelDB keeps superseded values in older files until compaction; force it so the wrapped key
    // is gone from disk, not just from the current view.
    await this.db.db.compactRange('\x00', '\xff');
    return { shreddedAt };
  }

  /** Encrypts a document under the subject's data key (for credentials kept for a holder). */
  async sealForSubject(subjectId: string, document: unknown, aad: string): Promise<Sealed> {
    const record = await this.load(subjectId);
    return seal(this.dataKey(subjectId, record), canonicalJson(document), aad);
  }

  async unsealForSubject(subjectId: string, sealed: Sealed, aad: string): Promise<unknown> {
    const record = await this.load(subjectId);
    return JSON.parse(unseal(this.dataKey(subjectId, record), sealed, aad).toString('utf8')) as unknown;
  }

  private dataKey(subjectId: string, record: StoredSubject): Buffer {
    if (record.wrappedKey === null)
      throw new DomainError('SUBJECT_KEY_DESTROYED', "this person's data was erased");
    return unseal(this.wrapKey, record.wrappedKey, subjectId);
  }

  /**
   * The MAC binds the owning organisation (and the rest of the row) to the subject id: which school
   * may read or act for a person is decided from `orgId`, which sits outside the encryption, so a
   * row edited without the master key (a person handed to another school) must not be believed.
   */
  private rowMac(subjectId: string, fields: Omit<StoredSubject, 'mac'>): string {
    return rowMacUnder(this.rowKey, subjectId, fields);
  }

  private signed(subjectId: string, fields: Omit<StoredSubject, 'mac'>): StoredSubject {
    return { ...fields, mac: this.rowMac(subjectId, fields) };
  }

  private async load(subjectId: string): Promise<StoredSubject> {
    const raw = await this.db.subjects.get(subjectId);
    if (raw === undefined) throw new DomainError('SUBJECT_NOT_FOUND', `no subject ${subjectId}`);
    const parsed = StoredSubject.safeParse(JSON.parse(raw));
    if (parsed.success) {
      const { mac, ...fields } = parsed.data;
      const expected = Buffer.from(this.rowMac(subjectId, fields), 'hex');
      if (timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return parsed.data;
    }
    // Answered as absent rather than as our fault: the row is not one this gateway wrote.
    throw new DomainError('SUBJECT_NOT_FOUND', `no valid record for subject ${subjectId}`);
  }
}
