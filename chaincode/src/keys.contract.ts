import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import {
  ADMIN_ROLE_BY_KIND,
  DidRequest,
  DomainError,
  EVENTS,
  IssuerKey,
  KeyValidityQuery,
  OrgIdRequest,
  RegisterKeyRequest,
  RevokeKeyRequest,
  canonicalJson,
  parseJsonArg,
  type KeyValidity,
  type Organization,
} from '@edu-ledger/domain';
import { OrgRef, requireOrg, resolveCaller } from './caller.js';
import type { LedgerContext } from './ledger-context.js';
import { K } from './keys.js';
import { emit, key, listRecords, readRecord, txTime, writeRecord } from './store.js';

/**
 * Issuer keys: each organisation's verification methods with validity windows. Rotation never
 * deletes a key; it closes its window, so "was this key valid for this org when it signed?" stays
 * answerable for every credential ever issued.
 */
@Info({ title: 'IssuerKeys', description: 'Verification methods of issuing organisations' })
export class KeysContract extends LedgerContract {
  constructor() {
    super('keys');
  }

  @Transaction()
  async RegisterKey(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RegisterKeyRequest, requestJson, 'RegisterKey');
    const org = await this.requireKeyAdmin(ctx);
    const controller = request.id.split('#')[0] ?? '';
    if (controller !== org.did) {
      throw new DomainError(
        'FORBIDDEN_ORG',
        `key ${request.id} is not under the organisation's DID ${org.did}`,
      );
    }
    const keyKey = key(ctx, K.key, org.orgId, request.id);
    if (await readRecord(ctx, keyKey, IssuerKey))
      throw new DomainError('ALREADY_EXISTS', `key ${request.id} exists`);
    const now = txTime(ctx);
    if (request.rotate) {
      // A rotation replaces keys of the same kind only (the multikey header, e.g. z6Mk for Ed25519,
      // zDn for P-256), so rotating the signing key leaves the selective-disclosure key in force.
      const kind = request.publicKeyMultibase.slice(0, 4);
      for (const old of await listRecords(ctx, IssuerKey, K.key, org.orgId)) {
        if (
          old.validUntil === undefined &&
          old.revokedAt === undefined &&
          old.publicKeyMultibase.startsWith(kind)
        ) {
          await writeRecord(ctx, key(ctx, K.key, org.orgId, old.id), IssuerKey, { ...old, validUntil: now });
        }
      }
    }
    const issuerKey: IssuerKey = {
      orgId: org.orgId,
      id: request.id,
      type: 'Multikey',
      controller,
      publicKeyMultibase: request.publicKeyMultibase,
      validFrom: now,
    };
    await writeRecord(ctx, keyKey, IssuerKey, issuerKey);
    emit(ctx, EVENTS.keyRegistered, { orgId: org.orgId, id: issuerKey.id, rotate: request.rotate });
    return canonicalJson(issuerKey);
  }

  /** Ends a key's window now. `compromised` also makes every later check of it fail. */
  @Transaction()
  async RevokeKey(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RevokeKeyRequest, requestJson, 'RevokeKey');
    const org = await this.requireKeyAdmin(ctx);
    const keyKey = key(ctx, K.key, org.orgId, request.id);
    const existing = await readRecord(ctx, keyKey, IssuerKey);
    if (!existing) throw new DomainError('KEY_NOT_FOUND', `key ${request.id} not found for ${org.orgId}`);
    if (existing.revokedAt !== undefined) throw new DomainError('INVALID_STATE', 'key already revoked');
    const now = txTime(ctx);
    const updated: IssuerKey = {
      ...existing,
      validUntil: existing.validUntil ?? now,
      revokedAt: now,
      revocationReason: request.reason,
    };
    await writeRecord(ctx, keyKey, IssuerKey, updated);
    emit(ctx, EVENTS.keyRevoked, { orgId: org.orgId, id: request.id, reason: request.reason });
    return canonicalJson(updated);
  }

  @Transaction(false)
  async ListKeys(ctx: Context, requestJson: string): Promise<string> {
    const { orgId } = parseJsonArg(OrgIdRequest, requestJson, 'ListKeys');
    return canonicalJson(await listRecords(ctx, IssuerKey, K.key, orgId));
  }

  /**
   * The DID document of an organisation's did:web identifier, as kept on the ledger. Every key
   * except compromised ones stays listed, so old signatures still resolve; whether a key was valid
   * at signing time is a separate question (CheckKeyValidity).
   */
  @Transaction(false)
  async GetDidDocument(ctx: Context, requestJson: string): Promise<string> {
    const { did } = parseJsonArg(DidRequest, requestJson, 'GetDidDocument');
    const ref = await readRecord(ctx, key(ctx, K.orgByDid, did), OrgRef);
    if (!ref) throw new DomainError('NOT_FOUND', `no organisation has DID ${did}`);
    const keys = (await listRecords(ctx, IssuerKey, K.key, ref.orgId)).filter(
      (k) => k.revocationReason !== 'compromised',
    );
    const methods = keys.map((k) => ({
      id: k.id,
      type: k.type,
      controller: k.controller,
      publicKeyMultibase: k.publicKeyMultibase,
    }));
    return canonicalJson({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did,
      verificationMethod: methods,
      assertionMethod: methods.map((m) => m.id),
      authentication: methods.map((m) => m.id),
    });
  }

  @Transaction(false)
  async CheckKeyValidity(ctx: Context, requestJson: string): Promise<string> {
    const query = parseJsonArg(KeyValidityQuery, requestJson, 'CheckKeyValidity');
    return canonicalJson(await checkKeyValidity(ctx, query.id, query.at));
  }

  private async requireKeyAdmin(ctx: LedgerContext): Promise<Organization> {
    const caller = await resolveCaller(ctx);
    const adminRole = ADMIN_ROLE_BY_KIND[caller.org.kind];
    if (!caller.roles.has(adminRole)) throw new DomainError('FORBIDDEN_ROLE', `requires ${adminRole}`);
    return requireOrg(ctx, caller.org.orgId);
  }
}

export async function checkKeyValidity(ctx: LedgerContext, id: string, atIso: string): Promise<KeyValidity> {
  const did = id.split('#')[0] ?? '';
  const ref = await readRecord(ctx, key(ctx, K.orgByDid, did), OrgRef);
  if (!ref) return { valid: false, reason: `no organisation has DID ${did}` };
  const found = await readRecord(ctx, key(ctx, K.key, ref.orgId, id), IssuerKey);
  if (!found) return { valid: false, orgId: ref.orgId, reason: 'key not registered on the ledger' };
  const at = Date.parse(atIso);
  if (found.revocationReason === 'compromised') {
    return { valid: false, orgId: ref.orgId, key: found, reason: 'key revoked as compromised' };
  }
  // Data Integrity proofs carry `created` to the second, so a key registered at 10:00:00.400 and
  // used at 10:00:00.900 shows a signing time of 10:00:00; compare the start at second precision.
  if (at < Math.floor(Date.parse(found.validFrom) / 1000) * 1000) {
    return { valid: false, orgId: ref.orgId, key: found, reason: 'signed before the key was registered' };
  }
  if (found.validUntil !== undefined && at >= Date.parse(found.validUntil)) {
    return { valid: false, orgId: ref.orgId, key: found, reason: 'signed after the key was retired' };
  }
  return { valid: true, orgId: ref.orgId, key: found, reason: 'key valid at that time' };
}
