import { z } from 'zod';
import { DomainError, type Organization } from '@edu-ledger/domain';
import { generateEd25519Key, type ExportedKey } from '@edu-ledger/credentials';
import type { LedgerPort } from '@edu-ledger/ledger';
import type { GatewayDb } from '../stores/gateway-db.js';
import { deriveKey, seal, unseal } from '../stores/sealed.js';
import { identityForRole } from './directory.js';
import { ADMIN_ROLE_BY_KIND } from '@edu-ledger/domain';

const StoredKey = z.object({
  id: z.string(),
  controller: z.string(),
  publicKeyMultibase: z.string(),
  secret: z.object({ iv: z.string(), tag: z.string(), ct: z.string() }),
});
const StoredKeyring = z.object({ current: z.string(), keys: z.array(StoredKey) });
type StoredKeyring = z.infer<typeof StoredKeyring>;

/**
 * Each organisation's signing keys. Secrets are encrypted with a key derived from the master key;
 * public halves are registered on the ledger, which decides whether a key was valid when it signed.
 */
export class IssuerKeys {
  private readonly sealKey: Buffer;
  private readonly cache = new Map<string, ExportedKey>();

  constructor(
    private readonly db: GatewayDb,
    private readonly ledger: LedgerPort,
    masterKey: Buffer,
  ) {
    this.sealKey = deriveKey(masterKey, 'issuer-keys');
  }

  /** The key the organisation signs with now. */
  async current(orgId: string): Promise<ExportedKey> {
    const cached = this.cache.get(orgId);
    if (cached) return cached;
    const ring = await this.load(orgId);
    if (!ring) throw new DomainError('KEY_NOT_FOUND', `organisation ${orgId} has no signing key`);
    const stored = ring.keys.find((k) => k.id === ring.current);
    if (!stored) throw new DomainError('INTERNAL', 'keyring has no current key');
    const key: ExportedKey = {
      id: stored.id,
      controller: stored.controller,
      type: 'Multikey',
      publicKeyMultibase: stored.publicKeyMultibase,
      secretKeyMultibase: unseal(this.sealKey, stored.secret, stored.id).toString('utf8'),
    };
    this.cache.set(orgId, key);
    return key;
  }

  /**
   * Creates a new key, registers it on the ledger (closing the previous key's window when
   * rotating) and only then makes it current, so the gateway never signs with an unregistered key.
   */
  async createKey(org: Organization): Promise<ExportedKey> {
    const ring = (await this.load(org.orgId)) ?? { current: '', keys: [] };
    const id = `${org.did}#key-${ring.keys.length + 1}`;
    const key = await generateEd25519Key({ controller: org.did, id });
    await this.ledger.submit(identityForRole(org, ADMIN_ROLE_BY_KIND[org.kind]), 'keys:RegisterKey', [
      JSON.stringify({ id, publicKeyMultibase: key.publicKeyMultibase, rotate: ring.keys.length > 0 }),
    ]);
    const next: StoredKeyring = {
      current: id,
      keys: [
        ...ring.keys,
        {
          id,
          controller: org.did,
          publicKeyMultibase: key.publicKeyMultibase,
          secret: seal(this.sealKey, key.secretKeyMultibase, id),
        },
      ],
    };
    await this.db.put(this.db.orgKeys, org.orgId, JSON.stringify(next));
    this.cache.set(org.orgId, key);
    return key;
  }

  private async load(orgId: string): Promise<StoredKeyring | undefined> {
    const raw = await this.db.orgKeys.get(orgId);
    return raw === undefined ? undefined : StoredKeyring.parse(JSON.parse(raw));
  }
}
