import { z } from 'zod';
import { DomainError } from '@edu-ledger/domain';
import type { GatewayDb } from '../stores/gateway-db.js';
import { deriveKey, seal, unseal } from '../stores/sealed.js';
import type { Vault } from '../stores/vault.js';

const SealedSchema = z.object({ iv: z.string(), tag: z.string(), ct: z.string() });

/** A signed copy kept before its anchor: everything of the issued record but the ledger's receipt. */
export const PendingRecord = z.object({
  credentialId: z.string(),
  issuerOrgId: z.string(),
  subjectId: z.string().optional(),
  digest: z.string(),
  statusListId: z.string(),
  statusIndex: z.number().int(),
  issuedAt: z.string(),
  sealed: SealedSchema,
});
export type PendingRecord = z.infer<typeof PendingRecord>;

export const IssuedRecord = PendingRecord.extend({
  txId: z.string(),
  batchRoot: z.string(),
  /**
   * Absent when recovery completed the record from the ledger's anchor: the block may not be
   * located, and the Merkle proof needs the batch's other digests, which died with the process.
   * Verification reads both from the ledger in any case.
   */
  blockNumber: z.number().int().optional(),
  proof: z.array(z.object({ hash: z.string(), side: z.enum(['left', 'right']) })).optional(),
});
export type IssuedRecord = z.infer<typeof IssuedRecord>;

/** The ledger's receipt for an anchored credential, as issuance or recovery learns it. */
export type LedgerReceipt = Pick<IssuedRecord, 'txId' | 'batchRoot' | 'blockNumber' | 'proof'>;

/** What the ledger holds for a credential id: its anchored digest and where, or undefined if none. */
export type AnchorLookup = (
  credentialId: string,
) => Promise<(LedgerReceipt & { digest: string }) | undefined>;

/** How {@link CredentialStore.resolve} left a credential id. */
export type Resolution = 'none' | 'in-flight' | 'completed' | 'discarded';

/**
 * Issued credentials the gateway keeps for holders, encrypted: under the holder's own data key
 * when the holder is a vault subject (so erasing the person erases their copies too), otherwise
 * under a key derived from the master key.
 *
 * The signed copy is written twice around the ledger's anchor, so that a process killed at any
 * point leaves no anchored credential without its copy: first as a pending record (before the
 * anchor), then as the complete record (after it). A pending record that outlives its request is
 * resolved by asking the ledger: anchored with the same digest, it is completed; otherwise it is
 * discarded, because the caller never had an answer and the id may be issued again.
 */
export class CredentialStore {
  private readonly storeKey: Buffer;
  /** Ids whose issue request runs in this process: their pending records are not recovery's. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly db: GatewayDb,
    private readonly vault: Vault,
    masterKey: Buffer,
    private readonly anchorOf: AnchorLookup,
  ) {
    this.storeKey = deriveKey(masterKey, 'credential-store');
  }

  /**
   * Seals the signed copy and keeps it as pending (a synced write) before its anchor is sent. The
   * id stays claimed by this process until {@link complete}, {@link discard} or {@link release}.
   *
   * @throws DomainError `ALREADY_EXISTS` when the id is kept already or is being issued now.
   */
  async savePending(record: Omit<PendingRecord, 'sealed'>, credential: unknown): Promise<PendingRecord> {
    const id = record.credentialId;
    if (this.inFlight.has(id)) throw new DomainError('ALREADY_EXISTS', `credential ${id} is being issued`);
    this.inFlight.add(id);
    try {
      // A pending copy left by an earlier process is settled first, so it is never overwritten.
      await this.resolveUnclaimed(id);
      if ((await this.db.credentials.get(id)) !== undefined)
        throw new DomainError('ALREADY_EXISTS', `credential ${id} already issued`);
      const sealed = record.subjectId
        ? await this.vault.sealForSubject(record.subjectId, credential, id)
        : seal(this.storeKey, JSON.stringify(credential), id);
      const pending: PendingRecord = { ...record, sealed };
      await this.db.put(this.db.pendingCredentials, id, JSON.stringify(pending));
      return pending;
    } catch (error) {
      this.inFlight.delete(id);
      throw error;
    }
  }

  /**
   * The one synced write that makes an anchored credential issued. The pending record stays until
   * {@link clearPending}: a kill in between leaves both, which recovery settles as completed.
   */
  async complete(pending: PendingRecord, receipt: LedgerReceipt): Promise<void> {
    const record: IssuedRecord = { ...pending, ...receipt };
    try {
      await this.db.put(this.db.credentials, pending.credentialId, JSON.stringify(record));
    } finally {
      this.inFlight.delete(pending.credentialId);
    }
  }

  /** Removes the pending copy of a completed credential. */
  clearPending(credentialId: string): Promise<void> {
    return this.db.del(this.db.pendingCredentials, credentialId);
  }

  /** The ledger refused the anchor: the pending copy goes and the id may be issued again. */
  async discard(credentialId: string): Promise<void> {
    try {
      await this.db.del(this.db.pendingCredentials, credentialId);
    } finally {
      this.inFlight.delete(credentialId);
    }
  }

  /** The anchor's outcome is unknown: the pending copy stays for the ledger to decide later. */
  release(credentialId: string): void {
    this.inFlight.delete(credentialId);
  }

  /** Ids with a pending copy, in key order. */
  async pendingIds(): Promise<string[]> {
    return this.db.pendingCredentials.keys().all();
  }

  /**
   * Settles a pending copy that no request in this process is writing, by the ledger's answer.
   *
   * @throws whatever the ledger lookup throws (unreachable ledger): the pending copy then stays.
   */
  async resolve(credentialId: string): Promise<Resolution> {
    if (this.inFlight.has(credentialId)) return 'in-flight';
    this.inFlight.add(credentialId);
    try {
      return await this.resolveUnclaimed(credentialId);
    } finally {
      this.inFlight.delete(credentialId);
    }
  }

  /** The issued record, completing it first if only a pending copy of an anchored credential is here. */
  async record(credentialId: string): Promise<IssuedRecord | undefined> {
    const raw = await this.db.credentials.get(credentialId);
    if (raw !== undefined) return IssuedRecord.parse(JSON.parse(raw));
    if ((await this.db.pendingCredentials.get(credentialId)) === undefined) return undefined;
    if ((await this.resolve(credentialId)) !== 'completed') return undefined;
    const completed = await this.db.credentials.get(credentialId);
    return completed === undefined ? undefined : IssuedRecord.parse(JSON.parse(completed));
  }

  async credential(credentialId: string): Promise<unknown> {
    const record = await this.record(credentialId);
    if (!record) throw new DomainError('CREDENTIAL_NOT_FOUND', `${credentialId} is not kept here`);
    if (record.subjectId) return this.vault.unsealForSubject(record.subjectId, record.sealed, credentialId);
    return JSON.parse(unseal(this.storeKey, record.sealed, credentialId).toString('utf8')) as unknown;
  }

  /** {@link resolve} for a caller that holds the id's claim. */
  private async resolveUnclaimed(credentialId: string): Promise<Resolution> {
    const raw = await this.db.pendingCredentials.get(credentialId);
    if (raw === undefined) return 'none';
    if ((await this.db.credentials.get(credentialId)) !== undefined) {
      await this.clearPending(credentialId);
      return 'completed';
    }
    const pending = PendingRecord.parse(JSON.parse(raw));
    const anchor = await this.anchorOf(credentialId);
    // An anchor of another digest is another request's credential under the same id: this copy is
    // not what the ledger vouches for, so it must not be served as issued.
    if (anchor?.digest !== pending.digest) {
      await this.db.del(this.db.pendingCredentials, credentialId);
      return 'discarded';
    }
    const { digest: _digest, ...receipt } = anchor;
    await this.db.put(this.db.credentials, credentialId, JSON.stringify({ ...pending, ...receipt }));
    await this.clearPending(credentialId);
    return 'completed';
  }
}
