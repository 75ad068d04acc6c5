import { z } from 'zod';
import {
  Accreditation,
  CredentialStatusRecord,
  EvaluationReport,
  Inspection,
  DomainError,
  IssuerKey,
  OrgId,
  Organization,
  canonicalJson,
  parseJsonArg,
} from '@edu-ledger/domain';
import { requireOrg, requireRole } from './caller.js';
import { IssuedRef, requireAnchor } from './credentials.contract.js';
import { Contract, Info, Transaction } from './fabric.js';
import type { LedgerContext } from './ledger-context.js';
import { K, padIndex } from './keys.js';
import { history, key, pageRecords, type HistoryEntry } from './store.js';

export const AUDIT_KINDS = [
  'organization',
  'accreditation',
  'key',
  'credential',
  'inspection',
  'evaluation',
] as const;

export const AuditQuery = z.object({
  orgId: OrgId,
  kind: z.enum(AUDIT_KINDS),
  pageSize: z.number().int().min(1).max(100).default(20),
  bookmark: z.string().max(1000).default(''),
});

interface AuditRecord {
  kind: string;
  key: string;
  record: unknown;
  history: { txId: string; timestamp: string; record: unknown }[];
}

const readable = (ledgerKey: string): string =>
  ledgerKey.split(String.fromCharCode(0)).filter(Boolean).join('/');

function trail<T>(entries: HistoryEntry<T>[]): AuditRecord['history'] {
  return entries.map((e) => ({ txId: e.txId, timestamp: e.timestamp, record: e.value }));
}

/**
 * Read-only audit views for inspectors: every record of one school, kind by kind, each with its
 * full history, one page at a time (pagination is allowed in Fabric only in queries, as here).
 */
@Info({ title: 'Audit', description: 'Inspector views over one organisation' })
export class AuditContract extends Contract {
  constructor() {
    super('audit');
  }

  @Transaction(false)
  async SchoolRecords(ctx: LedgerContext, requestJson: string): Promise<string> {
    const query = parseJsonArg(AuditQuery, requestJson, 'SchoolRecords');
    await requireRole(ctx, ['inspector', 'bureau-admin']);
    const org = await requireOrg(ctx, query.orgId);
    const page = { pageSize: query.pageSize, bookmark: query.bookmark || undefined };
    let records: AuditRecord[];
    let bookmark = '';
    switch (query.kind) {
      case 'organization': {
        const orgKey = key(ctx, K.org, org.orgId);
        records = [
          {
            kind: 'organization',
            key: readable(orgKey),
            record: org,
            history: trail(await history(ctx, Organization, orgKey)),
          },
        ];
        break;
      }
      case 'accreditation': {
        const result = await pageRecords(ctx, Accreditation, page, K.accreditation, org.orgId);
        bookmark = result.bookmark;
        records = await Promise.all(
          result.items.map(async (a) => {
            const k = key(ctx, K.accreditation, org.orgId, a.accreditationId);
            return {
              kind: 'accreditation',
              key: readable(k),
              record: a,
              history: trail(await history(ctx, Accreditation, k)),
            };
          }),
        );
        break;
      }
      case 'key': {
        const result = await pageRecords(ctx, IssuerKey, page, K.key, org.orgId);
        bookmark = result.bookmark;
        records = await Promise.all(
          result.items.map(async (k) => {
            const ledgerKey = key(ctx, K.key, org.orgId, k.id);
            return {
              kind: 'key',
              key: readable(ledgerKey),
              record: k,
              history: trail(await history(ctx, IssuerKey, ledgerKey)),
            };
          }),
        );
        break;
      }
      case 'credential': {
        const result = await pageRecords(ctx, IssuedRef, page, K.issuedBy, org.orgId);
        bookmark = result.bookmark;
        records = await Promise.all(
          result.items.map(async ({ credentialId }) => {
            const anchor = await requireAnchor(ctx, credentialId);
            const statusKey = key(ctx, K.status, anchor.statusListId, padIndex(anchor.statusIndex));
            const statusHistory = await history(ctx, CredentialStatusRecord, statusKey);
            return {
              kind: 'credential',
              key: readable(key(ctx, K.anchor, credentialId)),
              record: { anchor, status: statusHistory[statusHistory.length - 1]?.value ?? null },
              history: trail(statusHistory),
            };
          }),
        );
        break;
      }
      case 'inspection': {
        const result = await pageRecords(ctx, Inspection, page, K.inspection, org.orgId);
        bookmark = result.bookmark;
        records = await Promise.all(
          result.items.map(async (i) => {
            const k = key(ctx, K.inspection, org.orgId, i.inspectionId);
            return {
              kind: 'inspection',
              key: readable(k),
              record: i,
              history: trail(await history(ctx, Inspection, k)),
            };
          }),
        );
        break;
      }
      case 'evaluation': {
        const result = await pageRecords(ctx, EvaluationReport, page, K.evaluation, org.orgId);
        bookmark = result.bookmark;
        records = await Promise.all(
          result.items.map(async (r) => {
            const k = key(ctx, K.evaluation, org.orgId, r.period, r.source);
            return {
              kind: 'evaluation',
              key: readable(k),
              record: r,
              history: trail(await history(ctx, EvaluationReport, k)),
            };
          }),
        );
        break;
      }
      default:
        throw new DomainError('INVALID_ARGUMENT', 'unknown record kind');
    }
    return canonicalJson({ orgId: org.orgId, kind: query.kind, records, bookmark });
  }
}
