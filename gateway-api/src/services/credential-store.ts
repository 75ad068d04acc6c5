import { z } from 'zod';
import { DomainError } from '@edu-ledger/domain';
import type { GatewayDb } from '../stores/gateway-db.js';
import { deriveKey, seal, unseal } from '../stores/sealed.js';
import type { Vault } from '../stores/vault.js';

const SealedSchema = z.object({ iv: z.string(), tag: z.string(), ct: z.string() });
export const IssuedRecord = z.object({
  credentialId: z.string(),
  issuerOrgId: z.string(),
  subjectId: z.string().optional(),
  digest: z.string(),
  txId: z.string(),
  blockNumber: z.number().int(),
  batchRoot: z.string(),
  proof: z.array(z.object({ hash: z.string(), side: z.enum(['left', 'right']) })),
  statusListId: z.string(),
  statusIndex: z.number().int(),
  issuedAt: z.string(),
  sealed: SealedSchema,
});
export type IssuedRecord = z.infer<typeof IssuedRecord>;

/**
 * Issued credentials the gateway keeps for holders, encrypted: under the holder's own data key
 * when the holder is a vault subject (so erasing the person erases their copies too), otherwise
 * under a key derived from the master key.
 */
export class CredentialStore {
  private readonly storeKey: Buffer;

  constructor(
    private readonly db: GatewayDb,
    private readonly vault: Vault,
    masterKey: Buffer,
  ) {
    this.storeKey = deriveKey(masterKey, 'credential-store');
  }

  async save(record: Omit<IssuedRecord, 'sealed'>, credential: unknown): Promise<void> {
    const aad = record.credentialId;
    const sealed = record.subjectId
      ? await this.vault.sealForSubject(record.subjectId, credential, aad)
      : seal(this.storeKey, JSON.stringify(credential), aad);
    await this.db.put(this.db.credentials, record.credentialId, JSON.stringify({ ...record, sealed }));
  }

  async record(credentialId: string): Promise<IssuedRecord | undefined> {
    const raw = await this.db.credentials.get(credentialId);
    return raw === undefined ? undefined : IssuedRecord.parse(JSON.parse(raw));
  }

  async credential(credentialId: string): Promise<unknown> {
    const record = await this.record(credentialId);
    if (!record) throw new DomainError('CREDENTIAL_NOT_FOUND', `${credentialId} is not kept here`);
    if (record.subjectId) return this.vault.unsealForSubject(record.subjectId, record.sealed, credentialId);
    return JSON.parse(unseal(this.storeKey, record.sealed, credentialId).toString('utf8')) as unknown;
  }
}
