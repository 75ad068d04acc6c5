import { z } from 'zod';
import {
  Accreditation,
  CredentialStatusRecord,
  EvaluationReport,
  Inspection,
  DomainError,
  IssuerKey,
  Organization,
  AuditQuery,
  canonicalJson,
  parseJsonArg,
} from '@edu-ledger/domain';
import { requireActsFor, requireOrg, requireRole } from './caller.js';
import { IssuedRef, requireAnchor } from './credentials.contract.js';
import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import type { LedgerContext } from './ledger-context.js';
import { K, padIndex } from './keys.js';
import { history, key, pageRecords, type HistoryEntry } from './store.js';

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
 * One page of an organisation's records stored under `<objectType>/<orgId>/<...keyOf(record)>`,
 * each with its full history.
 */
async function keyedPage<S extends z.ZodType>(
  ctx: LedgerContext,
  kind: string,
  schema: S,
  objectType: string,
  orgId: string,
  page: { pageSize: number; bookmark?: string | undefined },
  keyOf: (record: z.output<S>) => string[],
): Promise<{ records: AuditRecord[]; bookmark: string }> {
  const result = await pageRecords(ctx, schema, page, objectType, orgId);
  const records = await Promise.all(
    result.items.map(async (item) => {
      const ledgerKey = key(ctx, objectType, orgId, ...keyOf(item));
      return {
        kind,
        key: readable(ledgerKey),
        record: item,
        history: trail(await history(ctx, schema, ledgerKey)),
      };
    }),
  );
  return { records, bookmark: result.bookmark };
}

/**
 * Read-only audit views for inspectors: every record of one school, kind by kind, each with its
 * full history, one page at a time (pagination is allowed in Fabric only in queries, as here).
 */
@Info({ title: 'Audit', description: 'Inspector views over one organisation' })
export class AuditContract extends LedgerContract {
  constructor() {
    super('audit');
  }

  @Transaction(false)
  async SchoolRecords(ctx: Context, requestJson: string): Promise<string> {
    const query = parseJsonArg(AuditQuery, requestJson, 'SchoolRecords');
    const caller = await requireRole(ctx, ['inspector', 'bureau-admin']);
    const org = await requireOrg(ctx, query.orgId);
    // Inspectors audit the schools of their own bureau (and the bureau itself), not another's.
    await requireActsFor(ctx, caller, [org.orgId], `${org.orgId} is not under bureau ${caller.org.orgId}`);
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
      case 'accreditation':
        ({ records, bookmark } = await keyedPage(
          ctx,
          'accreditation',
          Accreditation,
          K.accreditation,
          org.orgId,
          page,
          (a) => [a.accreditationId],
        ));
        break;
      case 'key':
        ({ records, bookmark } = await keyedPage(ctx, 'key', IssuerKey, K.key, org.orgId, page, (k) => [
          k.id,
        ]));
        break;
      case 'inspection':
        ({ records, bookmark } = await keyedPage(
          ctx,
          'inspection',
          Inspection,
          K.inspection,
          org.orgId,
          page,
          (i) => [i.inspectionId],
        ));
        break;
      case 'evaluation':
        ({ records, bookmark } = await keyedPage(
          ctx,
          'evaluation',
          EvaluationReport,
          K.evaluation,
          org.orgId,
          page,
          (r) => [r.period, r.source],
        ));
        break;
      default:
        throw new DomainError('INVALID_ARGUMENT', 'unknown record kind');
    }
    return canonicalJson({ orgId: org.orgId, kind: query.kind, records, bookmark });
  }
}
