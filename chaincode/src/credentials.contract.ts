import { z } from 'zod';
import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import {
  AnchorCredentialsRequest,
  GrowthArchive,
  IssuedForRecord,
  IssuedForRef,
  PdCompletion,
  Recognition,
  type AnchorItem,
  type IssuedForClaim,
  BatchAnchor,
  BatchRootRequest,
  CredentialAnchor,
  CredentialIdRequest,
  CredentialStatusRecord,
  DomainError,
  EVENTS,
  ISSUER_ROLES,
  SetCredentialStatusRequest,
  accreditationsNeeded,
  StatusListRequest,
  canonicalJson,
  merkleRoot,
  parseJsonArg,
  statusListOwner,
  type CredentialStatusValue,
} from '@edu-ledger/domain';
import { requireRole } from './caller.js';
import type { LedgerContext } from './ledger-context.js';
import { K, padIndex } from './keys.js';
import { checkAccreditation } from './registry.contract.js';
import { emit, history, key, listAllRecords, readRecord, txTime, writeRecord } from './store.js';

export const IssuedRef = z.object({ credentialId: z.string() });

/** Status changes allowed from each state; `revoked` is final. */
const TRANSITIONS: Readonly<Record<CredentialStatusValue, readonly CredentialStatusValue[]>> = {
  active: ['revoked', 'suspended'],
  suspended: ['active', 'revoked'],
  revoked: [],
};

/**
 * Status slots read per page by GetStatusList: a list has up to 131,072 slots, more than a peer's
 * default `totalQueryLimit` (100,000) returns from one range, so the list is read in pages.
 */
export const STATUS_LIST_PAGE_SIZE = 10_000;

/**
 * Credential anchors and status. A batch of credential digests is anchored in one transaction under
 * a Merkle root the chaincode computes itself; each credential also gets its own anchor record and a
 * status slot, so status is per credential and only its issuer can change it.
 */
@Info({ title: 'Credentials', description: 'Credential anchors and status' })
export class CredentialsContract extends LedgerContract {
  constructor() {
    super('credentials');
  }

  @Transaction()
  async AnchorCredentials(ctx: Context, requestJson: string): Promise<string> {
    const { items } = parseJsonArg(AnchorCredentialsRequest, requestJson, 'AnchorCredentials');
    const caller = await requireRole(ctx, ISSUER_ROLES);
    const issuerOrgId = caller.org.orgId;
    const now = txTime(ctx);
    const txId = ctx.stub.getTxID();

    const ids = new Set(items.map((i) => i.credentialId));
    const slots = new Set(items.map((i) => `${i.statusListId}/${i.statusIndex}`));
    if (ids.size !== items.length || slots.size !== items.length) {
      throw new DomainError('INVALID_ARGUMENT', 'duplicate credential id or status slot in one batch');
    }
    const checkedTypes = new Map<string, boolean>();
    for (const item of items) {
      if (statusListOwner(item.statusListId) !== issuerOrgId) {
        throw new DomainError('FORBIDDEN_ORG', `status list ${item.statusListId} belongs to another issuer`);
      }
      for (const type of accreditationsNeeded(item.credentialTypes)) {
        let ok = checkedTypes.get(type);
        if (ok === undefined) {
          ok = (await checkAccreditation(ctx, { orgId: issuerOrgId, credentialType: type, at: now }))
            .accredited;
          checkedTypes.set(type, ok);
        }
        if (!ok) throw new DomainError('NOT_ACCREDITED', `${issuerOrgId} is not accredited for ${type}`);
      }
    }

    const replacing = await this.checkIssuedFor(ctx, issuerOrgId, items);
    const superseded: string[] = [];
    const root = merkleRoot(items.map((i) => i.digest));
    const batchKey = key(ctx, K.batch, root);
    if (await readRecord(ctx, batchKey, BatchAnchor))
      throw new DomainError('ALREADY_EXISTS', 'batch already anchored');
    for (const [leafIndex, item] of items.entries()) {
      const anchorKey = key(ctx, K.anchor, item.credentialId);
      if (await readRecord(ctx, anchorKey, CredentialAnchor)) {
        throw new DomainError('ALREADY_EXISTS', `credential ${item.credentialId} already anchored`);
      }
      const statusKey = key(ctx, K.status, item.statusListId, padIndex(item.statusIndex));
      if (await readRecord(ctx, statusKey, CredentialStatusRecord)) {
        throw new DomainError(
          'ALREADY_EXISTS',
          `status slot ${item.statusListId}/${item.statusIndex} is taken`,
        );
      }
      await writeRecord(ctx, anchorKey, CredentialAnchor, {
        ...item,
        // The anchor names the record; whether it superseded another is on the issued-for record.
        ...(item.issuedFor
          ? { issuedFor: { kind: item.issuedFor.kind, recordId: item.issuedFor.recordId } }
          : {}),
        issuerOrgId,
        batchRoot: root,
        leafIndex,
        anchoredAt: now,
        txId,
      });
      if (item.issuedFor) {
        const { kind, recordId } = item.issuedFor;
        const replaced = replacing.get(`${kind}/${recordId}`);
        await writeRecord(ctx, key(ctx, K.issuedFor, kind, ...recordId.split('/')), IssuedForRecord, {
          kind,
          recordId,
          credentialId: item.credentialId,
          ...(replaced ? { replaces: replaced.credentialId } : {}),
          issuedAt: now,
          txId,
        });
        if (replaced?.revoke) {
          await writeRecord(ctx, replaced.revoke.statusKey, CredentialStatusRecord, {
            ...replaced.revoke.status,
            status: 'revoked',
            reasonCode: 'superseded',
            updatedAt: now,
            txId,
          });
          superseded.push(replaced.credentialId);
        }
      }
      await writeRecord(ctx, key(ctx, K.issuedBy, issuerOrgId, item.credentialId), IssuedRef, {
        credentialId: item.credentialId,
      });
      await writeRecord(ctx, statusKey, CredentialStatusRecord, {
        credentialId: item.credentialId,
        issuerOrgId,
        statusListId: item.statusListId,
        statusIndex: item.statusIndex,
        status: 'active',
        reasonCode: 'issued',
        updatedAt: now,
        txId,
      });
    }
    const batch: BatchAnchor = { root, issuerOrgId, count: items.length, anchoredAt: now, txId };
    await writeRecord(ctx, batchKey, BatchAnchor, batch);
    // Fabric keeps one event per transaction: status caches learn of superseded credentials here.
    emit(ctx, EVENTS.credentialsAnchored, {
      root,
      issuerOrgId,
      count: items.length,
      ...(superseded.length > 0 ? { superseded } : {}),
    });
    return canonicalJson(batch);
  }

  /**
   * One live credential per record, issued by whoever answers for the record now. A record whose
   * credential is live gets another only when the issuer asks to supersede it (the old one is then
   * revoked, reason `superseded`, in this same transaction) or once it was revoked; either way the
   * new credential is recorded as the replacement.
   * @throws DomainError NOT_FOUND / FORBIDDEN_ORG / INVALID_STATE from {@link requireIssuableRecord};
   *   ALREADY_EXISTS for a record named twice or whose credential is live and not superseded.
   */
  private async checkIssuedFor(
    ctx: LedgerContext,
    issuerOrgId: string,
    items: readonly AnchorItem[],
  ): Promise<Map<string, Replacement>> {
    const replacing = new Map<string, Replacement>();
    const seen = new Set<string>();
    for (const { issuedFor } of items) {
      if (!issuedFor) continue;
      const ref = `${issuedFor.kind}/${issuedFor.recordId}`;
      // Fabric reads do not see this transaction's own writes, so a batch is checked against itself.
      if (seen.has(ref)) throw new DomainError('ALREADY_EXISTS', `${ref} is named twice in one batch`);
      seen.add(ref);
      await requireIssuableRecord(ctx, issuedFor, issuerOrgId);
      const previous = await readRecord(
        ctx,
        key(ctx, K.issuedFor, issuedFor.kind, ...issuedFor.recordId.split('/')),
        IssuedForRecord,
      );
      if (!previous) continue;
      const anchor = await requireAnchor(ctx, previous.credentialId);
      const statusKey = key(ctx, K.status, anchor.statusListId, padIndex(anchor.statusIndex));
      const status = await readRecord(ctx, statusKey, CredentialStatusRecord);
      if (!status) throw new DomainError('INTERNAL', 'anchored credential has no status slot');
      if (status.status === 'revoked') {
        replacing.set(ref, { credentialId: previous.credentialId });
      } else if (issuedFor.supersede === true) {
        replacing.set(ref, { credentialId: previous.credentialId, revoke: { statusKey, status } });
      } else {
        throw new DomainError(
          'ALREADY_EXISTS',
          `credential ${previous.credentialId} is already issued for ${ref}; revoke it, or supersede it, to issue a replacement`,
        );
      }
    }
    return replacing;
  }

  /** The live credential issued for a record, and the revoked one it replaced, if any. */
  @Transaction(false)
  async GetIssuedFor(ctx: Context, requestJson: string): Promise<string> {
    const ref = parseJsonArg(IssuedForRef, requestJson, 'GetIssuedFor');
    const record = await readRecord(
      ctx,
      key(ctx, K.issuedFor, ref.kind, ...ref.recordId.split('/')),
      IssuedForRecord,
    );
    if (!record)
      throw new DomainError('NOT_FOUND', `no credential is issued for ${ref.kind}/${ref.recordId}`);
    return canonicalJson(record);
  }

  @Transaction(false)
  async GetCredentialAnchor(ctx: Context, requestJson: string): Promise<string> {
    const { credentialId } = parseJsonArg(CredentialIdRequest, requestJson, 'GetCredentialAnchor');
    return canonicalJson(await requireAnchor(ctx, credentialId));
  }

  @Transaction(false)
  async GetBatchAnchor(ctx: Context, requestJson: string): Promise<string> {
    const { root } = parseJsonArg(BatchRootRequest, requestJson, 'GetBatchAnchor');
    const batch = await readRecord(ctx, key(ctx, K.batch, root), BatchAnchor);
    if (!batch) throw new DomainError('NOT_FOUND', `batch ${root} is not anchored`);
    return canonicalJson(batch);
  }

  /** Revoke, suspend or reinstate (status `active`). Only the issuer's staff may do it. */
  @Transaction()
  async SetCredentialStatus(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(SetCredentialStatusRequest, requestJson, 'SetCredentialStatus');
    const caller = await requireRole(ctx, ISSUER_ROLES);
    const anchor = await requireAnchor(ctx, request.credentialId);
    if (anchor.issuerOrgId !== caller.org.orgId) {
      throw new DomainError('ISSUER_MISMATCH', 'only the issuing organisation changes a credential status');
    }
    const statusKey = key(ctx, K.status, anchor.statusListId, padIndex(anchor.statusIndex));
    const current = await readRecord(ctx, statusKey, CredentialStatusRecord);
    if (!current) throw new DomainError('INTERNAL', 'anchored credential has no status slot');
    if (!TRANSITIONS[current.status].includes(request.status)) {
      throw new DomainError(
        'STATUS_TRANSITION_FORBIDDEN',
        `${current.status} -> ${request.status} is not allowed`,
      );
    }
    const updated: CredentialStatusRecord = {
      ...current,
      status: request.status,
      reasonCode: request.reasonCode,
      updatedAt: txTime(ctx),
      txId: ctx.stub.getTxID(),
    };
    await writeRecord(ctx, statusKey, CredentialStatusRecord, updated);
    emit(ctx, EVENTS.credentialStatusChanged, {
      credentialId: updated.credentialId,
      status: updated.status,
      reasonCode: updated.reasonCode,
    });
    return canonicalJson(updated);
  }

  @Transaction(false)
  async GetCredentialStatus(ctx: Context, requestJson: string): Promise<string> {
    const { credentialId } = parseJsonArg(CredentialIdRequest, requestJson, 'GetCredentialStatus');
    const anchor = await requireAnchor(ctx, credentialId);
    const record = await readRecord(
      ctx,
      key(ctx, K.status, anchor.statusListId, padIndex(anchor.statusIndex)),
      CredentialStatusRecord,
    );
    if (!record) throw new DomainError('INTERNAL', 'anchored credential has no status slot');
    return canonicalJson(record);
  }

  /** Every status the credential has had, oldest first, each with its transaction. */
  @Transaction(false)
  async GetStatusHistory(ctx: Context, requestJson: string): Promise<string> {
    const { credentialId } = parseJsonArg(CredentialIdRequest, requestJson, 'GetStatusHistory');
    const anchor = await requireAnchor(ctx, credentialId);
    const entries = await history(
      ctx,
      CredentialStatusRecord,
      key(ctx, K.status, anchor.statusListId, padIndex(anchor.statusIndex)),
    );
    return canonicalJson(entries.map((e) => ({ txId: e.txId, timestamp: e.timestamp, record: e.value })));
  }

  /** The set bits of a status list, from which the gateway builds the BitstringStatusListCredential. */
  @Transaction(false)
  async GetStatusList(ctx: Context, requestJson: string): Promise<string> {
    const { statusListId } = parseJsonArg(StatusListRequest, requestJson, 'GetStatusList');
    const records = await listAllRecords(
      ctx,
      CredentialStatusRecord,
      STATUS_LIST_PAGE_SIZE,
      K.status,
      statusListId,
    );
    return canonicalJson({
      statusListId,
      issuerOrgId: statusListOwner(statusListId),
      revoked: records.filter((r) => r.status === 'revoked').map((r) => r.statusIndex),
      suspended: records.filter((r) => r.status === 'suspended').map((r) => r.statusIndex),
      size: records.length,
    });
  }
}

/** A live credential an anchoring transaction revokes, or a revoked one it replaces. */
interface Replacement {
  credentialId: string;
  revoke?: { statusKey: string; status: CredentialStatusRecord };
}

/**
 * The record a credential is to stand for exists, is in a state that may be attested, and the
 * issuer is the organisation that answers for it now: the recognising institution for a credit
 * recognition, the provider that recorded a confirmed PD completion, the school holding a growth
 * archive (which may have come to it by transfer).
 */
async function requireIssuableRecord(
  ctx: LedgerContext,
  claim: IssuedForClaim,
  issuerOrgId: string,
): Promise<void> {
  const [subjectId = '', recordId = ''] = claim.recordId.split('/');
  switch (claim.kind) {
    case 'credit-recognition': {
      const recognition = await readRecord(ctx, key(ctx, K.recognition, subjectId, recordId), Recognition);
      if (!recognition) throw new DomainError('NOT_FOUND', `no recognition ${claim.recordId}`);
      if (recognition.toOrg !== issuerOrgId)
        throw new DomainError('FORBIDDEN_ORG', 'the recognising institution issues it');
      if (recognition.state !== 'approved')
        throw new DomainError('INVALID_STATE', `recognition is ${recognition.state}`);
      return;
    }
    case 'pd-completion': {
      const completion = await readRecord(ctx, key(ctx, K.pdCompletion, subjectId, recordId), PdCompletion);
      if (!completion) throw new DomainError('NOT_FOUND', `no completion ${claim.recordId}`);
      if (completion.providerId !== issuerOrgId)
        throw new DomainError('FORBIDDEN_ORG', 'the provider that recorded the completion issues it');
      if (completion.state !== 'confirmed')
        throw new DomainError('INVALID_STATE', 'the school has not confirmed it');
      return;
    }
    case 'growth-report': {
      if (recordId !== 'archive' && !/^\d{4}-s[12]$/.test(recordId))
        throw new DomainError('INVALID_ARGUMENT', 'a growth report is of a term (2026-s1) or the archive');
      const archive = await readRecord(ctx, key(ctx, K.archive, subjectId), GrowthArchive);
      if (!archive) throw new DomainError('NOT_FOUND', `no growth archive for ${subjectId}`);
      if (archive.holderSchoolId !== issuerOrgId)
        throw new DomainError('FORBIDDEN_ORG', 'only the holding school issues reports');
      return;
    }
  }
}

export async function requireAnchor(ctx: LedgerContext, credentialId: string): Promise<CredentialAnchor> {
  const anchor = await readRecord(ctx, key(ctx, K.anchor, credentialId), CredentialAnchor);
  if (!anchor) throw new DomainError('CREDENTIAL_NOT_FOUND', `${credentialId} is not anchored`);
  return anchor;
}
