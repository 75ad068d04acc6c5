import { z } from 'zod';
import { AUDIT_KINDS, DomainError, OrgId } from '@edu-ledger/domain';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import * as D from '@edu-ledger/domain';
import * as Res from '../http/responses.js';

const AuditParams = z.object({
  kind: z.enum(AUDIT_KINDS).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  /** Opaque: base64url of the ledger's bookmark (which contains control characters). */
  bookmark: z.string().max(2000).default(''),
});

type AuditKind = (typeof AUDIT_KINDS)[number];

/** Where each kind's next page starts; a kind that is absent has been read to its end. */
const Cursor = z.partialRecord(z.enum(AUDIT_KINDS), z.string().max(1000));

/**
 * The kinds to read and where to start each. A single kind's bookmark is the ledger's own; the
 * bookmark of an every-kind listing carries one per kind still unread, so paging walks every kind
 * to its end instead of stopping after each kind's first page.
 */
function readCursor(kind: AuditKind | undefined, token: string): [AuditKind, string][] {
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  if (kind) return [[kind, raw]];
  if (token === '') return AUDIT_KINDS.map((k) => [k, '']);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new DomainError('INVALID_ARGUMENT', 'bookmark: not one this listing handed out');
  }
  const cursor = Cursor.safeParse(parsed);
  const entries = cursor.success
    ? AUDIT_KINDS.flatMap((k): [AuditKind, string][] => {
        const bookmark = cursor.data[k];
        return bookmark === undefined ? [] : [[k, bookmark]];
      })
    : [];
  if (entries.length === 0)
    throw new DomainError('INVALID_ARGUMENT', 'bookmark: not one this listing handed out');
  return entries;
}

function writeCursor(kind: AuditKind | undefined, pages: { kind: string; bookmark: string }[]): string {
  if (kind) return Buffer.from(pages[0]?.bookmark ?? '', 'utf8').toString('base64url');
  const open = pages.filter((p) => p.bookmark !== '');
  if (open.length === 0) return '';
  const cursor = Object.fromEntries(open.map((p) => [p.kind, p.bookmark]));
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The inspectors' view of one school: every record by kind with history, and the chain check. */
export function auditRoutes(services: Services): RouteSpec[] {
  let chainCache: { at: number; value: unknown } | undefined;
  const chain = async (): Promise<unknown> => {
    // Replaying the whole chain costs time proportional to the ledger; one check serves a few seconds
    // of console refreshes.
    if (!chainCache || Date.now() - chainCache.at > 5_000)
      chainCache = { at: Date.now(), value: await services.ledger.verifyChain() };
    return chainCache.value;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/audit/schools/:orgId',
      summary: 'Every record of one school by kind, with history, plus the ledger chain check (inspectors)',
      tag: 'audit',
      access: ['inspector', 'bureau-admin'],
      responses: {
        200: {
          description: "The school's records",
          schema: z.object({
            organization: D.Organization,
            chain: Res.ChainCheckResult,
            records: z.array(z.unknown()),
            overdueActions: z.unknown(),
            bookmark: z.string(),
          }),
        },
      },
      handle: async ({ req, principal }) => {
        const orgId = OrgId.safeParse(param(req, 'orgId'));
        const params = AuditParams.safeParse(req.query);
        if (!orgId.success || !params.success)
          throw new DomainError('INVALID_ARGUMENT', 'orgId, kind, pageSize or bookmark');
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        const identity = await services.directory.identityFor(principal);
        const cursor = readCursor(params.data.kind, params.data.bookmark);
        const pages = await Promise.all(
          cursor.map(async ([kind, bookmark]) => {
            const raw = await services.chaincode.evaluateText(identity, 'audit:SchoolRecords', {
              orgId: orgId.data,
              kind,
              pageSize: params.data.pageSize,
              bookmark,
            });
            const page = JSON.parse(raw) as { records: unknown[]; bookmark: string };
            return { kind, ...page };
          }),
        );
        const overdueActions = await services.chaincode.evaluateText(
          identity,
          'inspection:ListOverdueActions',
          { at: services.now().toISOString(), schoolId: orgId.data },
        );
        return {
          status: 200,
          json: {
            organization: await services.directory.org(orgId.data),
            chain: await chain(),
            records: pages.flatMap((p) => p.records),
            overdueActions: JSON.parse(overdueActions) as unknown,
            // '' once every kind asked for has been read to its end.
            bookmark: writeCursor(params.data.kind, pages),
          },
        };
      },
    }),
  ];
}
