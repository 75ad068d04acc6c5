import { z } from 'zod';
import { DomainError, type Organization } from '@edu-ledger/domain';
import { generateEd25519Key, generateP256Key, type ExportedKey } from '@edu-ledger/credentials';
import type { ChaincodeClient } from './chaincode.js';
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
  private readonly sdCreating = new Map<string, Promise<ExportedKey>>();

  constructor(
    private readonly db: GatewayDb,
    private readonly chaincode: ChaincodeClient,
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
    const key = this.unsealKey(stored);
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
    await this.registerAndStore(org, org.orgId, ring, key, ring.keys.length > 0);
    this.cache.set(org.orgId, key);
    return key;
  }

  /**
   * The organisation's P-256 key for `ecdsa-sd-2023` (selective disclosure), created and registered
   * on the ledger on first use as `<did>#sd-key-<n>`. It is registered without rotation, so the
   * organisation's Ed25519 key stays valid beside it; rotating the Ed25519 key leaves it valid too
   * (the chaincode rotates keys of the same kind only).
   */
  async currentSd(org: Organization): Promise<ExportedKey> {
    const ringId = sdRingId(org.orgId);
    const cached = this.cache.get(ringId);
    if (cached) return cached;
    const ring = await this.load(ringId);
    const stored = ring?.keys.find((k) => k.id === ring.current);
    if (stored) {
      const key = this.unsealKey(stored);
      this.cache.set(ringId, key);
      return key;
    }
    // Two first issuances at once must not both register `#sd-key-1`.
    let creating = this.sdCreating.get(org.orgId);
    if (!creating) {
      creating = this.createSdKey(org).finally(() => this.sdCreating.delete(org.orgId));
      this.sdCreating.set(org.orgId, creating);
    }
    return creating;
  }

  /** Creates a P-256 key, registers it on the ledger (no rotation) and makes it the current SD key. */
  async createSdKey(org: Organization): Promise<ExportedKey> {
    const ringId = sdRingId(org.orgId);
    const ring = (await this.load(ringId)) ?? { current: '', keys: [] };
    const id = `${org.did}#sd-key-${ring.keys.length + 1}`;
    const key = await generateP256Key({ controller: org.did, id });
    await this.registerAndStore(org, ringId, ring, key, false);
    this.cache.set(ringId, key);
    return key;
  }

  /**
   * Registers the public key on the ledger first and only then stores the sealed secret as the
   * ring's current key, so the gateway never signs with a key the ledger does not know.
   */
  private async registerAndStore(
    org: Organization,
    ringId: string,
    ring: StoredKeyring,
    key: ExportedKey,
    rotate: boolean,
  ): Promise<void> {
    await this.chaincode.submit(
      await identityForRole(this.chaincode.ledger, org, ADMIN_ROLE_BY_KIND[org.kind]),
      'keys:RegisterKey',
      { id: key.id, publicKeyMultibase: key.publicKeyMultibase, rotate },
    );
    const next: StoredKeyring = {
      current: key.id,
      keys: [
        ...ring.keys,
        {
          id: key.id,
          controller: org.did,
          publicKeyMultibase: key.publicKeyMultibase,
          secret: seal(this.sealKey, key.secretKeyMultibase, key.id),
        },
      ],
    };
    await this.db.put(this.db.orgKeys, ringId, JSON.stringify(next));
  }

  private unsealKey(stored: z.infer<typeof StoredKey>): ExportedKey {
    return {
      id: stored.id,
      controller: stored.controller,
      type: 'Multikey',
      publicKeyMultibase: stored.publicKeyMultibase,
      secretKeyMultibase: unseal(this.sealKey, stored.secret, stored.id).toString('utf8'),
    };
  }

  private async load(orgId: string): Promise<StoredKeyring | undefined> {
    const raw = await this.db.orgKeys.get(orgId);
    return raw === undefined ? undefined : StoredKeyring.parse(JSON.parse(raw));
  }
}

/** Where an organisation's selective-disclosure keyring is kept (org ids are slugs, so never clash). */
function sdRingId(orgId: string): string {
  return `${orgId}/sd`;
}
