import { z } from 'zod';
import { CredentialId, CredentialType, HexDigest, OrgId, Timestamp } from './primitives.js';

export const CREDENTIAL_STATUSES = ['active', 'revoked', 'suspended'] as const;
export const CredentialStatusValue = z.enum(CREDENTIAL_STATUSES);
export type CredentialStatusValue = z.infer<typeof CredentialStatusValue>;

export const STATUS_REASONS = [
  'issued',
  'issued-in-error',
  'superseded',
  'fraud',
  'holder-request',
  'under-review',
  'disciplinary',
  'reinstated',
  'other',
] as const;
export const StatusReason = z.enum(STATUS_REASONS);
export type StatusReason = z.infer<typeof StatusReason>;

/** Status lists are owned by one issuer; the id embeds the owner so ownership needs no lookup. */
export const StatusListId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}\.[0-9]{1,6}$/, '<orgId>.<n>');
export const STATUS_LIST_SIZE = 131072;
export const StatusIndex = z
  .number()
  .int()
  .min(0)
  .max(STATUS_LIST_SIZE - 1);

export function statusListOwner(listId: string): string {
  return listId.slice(0, listId.lastIndexOf('.'));
}

/**
 * The ledger record a credential attests, for credentials that stand for one record (a credit
 * recognition, a PD completion, a growth report of one term or of the whole archive): the ledger
 * keeps one live credential per record.
 */
export const ISSUED_FOR_KINDS = ['credit-recognition', 'pd-completion', 'growth-report'] as const;
export const IssuedForRef = z.object({
  kind: z.enum(ISSUED_FOR_KINDS),
  /**
   * The record's ledger key parts joined by `/`: `<learnerId>/<recognitionId>`,
   * `<teacherId>/<completionId>`, `<studentId>/<term in lower case>` or `<studentId>/archive`.
   */
  recordId: z.string().regex(/^[a-z0-9-]{1,64}\/[a-z0-9-]{1,64}$/, '<subjectId>/<recordId>'),
});
export type IssuedForRef = z.infer<typeof IssuedForRef>;

/** What an issuer names when anchoring: the record, and whether the new credential replaces a live one. */
export const IssuedForClaim = IssuedForRef.extend({
  /**
   * Revoke the record's live credential (reason `superseded`) in the same transaction that anchors
   * this one. Without it, a record whose credential is live refuses another.
   */
  supersede: z.boolean().optional(),
});
export type IssuedForClaim = z.infer<typeof IssuedForClaim>;

/** The record id of a growth report: one per term, and one for the whole archive. */
export function growthReportRecordId(subjectId: string, term: string | undefined): string {
  return `${subjectId}/${term === undefined ? 'archive' : term.toLowerCase()}`;
}

/** Which credential is the live one for a record, and which revoked one it replaced. */
export const IssuedForRecord = IssuedForRef.extend({
  credentialId: CredentialId,
  replaces: CredentialId.optional(),
  issuedAt: Timestamp,
  txId: z.string().min(1),
});
export type IssuedForRecord = z.infer<typeof IssuedForRecord>;

export const AnchorItem = z.object({
  credentialId: CredentialId,
  digest: HexDigest,
  credentialTypes: z.array(CredentialType).min(1).max(10),
  statusListId: StatusListId,
  statusIndex: StatusIndex,
  issuedFor: IssuedForClaim.optional(),
});
export type AnchorItem = z.infer<typeof AnchorItem>;

/** One transaction anchors 1..500 credentials under one Merkle root computed by the chaincode. */
export const AnchorCredentialsRequest = z.object({
  items: z.array(AnchorItem).min(1).max(500),
});
export type AnchorCredentialsRequest = z.infer<typeof AnchorCredentialsRequest>;

export const CredentialAnchor = AnchorItem.extend({
  issuerOrgId: OrgId,
  batchRoot: HexDigest,
  leafIndex: z.number().int().min(0),
  anchoredAt: Timestamp,
  txId: z.string().min(1),
});
export type CredentialAnchor = z.infer<typeof CredentialAnchor>;

export const BatchAnchor = z.object({
  root: HexDigest,
  issuerOrgId: OrgId,
  count: z.number().int().min(1),
  anchoredAt: Timestamp,
  txId: z.string().min(1),
});
export type BatchAnchor = z.infer<typeof BatchAnchor>;

export const CredentialStatusRecord = z.object({
  credentialId: CredentialId,
  issuerOrgId: OrgId,
  statusListId: StatusListId,
  statusIndex: StatusIndex,
  status: CredentialStatusValue,
  reasonCode: StatusReason,
  updatedAt: Timestamp,
  txId: z.string().min(1),
});
export type CredentialStatusRecord = z.infer<typeof CredentialStatusRecord>;

export const SetCredentialStatusRequest = z.object({
  credentialId: CredentialId,
  status: CredentialStatusValue,
  reasonCode: StatusReason,
});
export type SetCredentialStatusRequest = z.infer<typeof SetCredentialStatusRequest>;

export const CredentialIdRequest = z.object({ credentialId: CredentialId });
export const BatchRootRequest = z.object({ root: HexDigest });
export const StatusListRequest = z.object({ statusListId: StatusListId });

/** A status change with its point in history. */
export const StatusHistoryEntry = z.object({
  txId: z.string(),
  timestamp: Timestamp,
  record: CredentialStatusRecord.nullable(),
});
export type StatusHistoryEntry = z.infer<typeof StatusHistoryEntry>;
