import { z } from 'zod';
import { AUDIT_KINDS, DomainError, OrgId } from '@edu-ledger/domain';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';

const AuditParams = z.object({
  kind: z.enum(AUDIT_KINDS).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  /** Opaque: base64url of the ledger's bookmark (which contains control characters). */
  bookmark: z.string().max(2000).default(''),
});

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
      handle: async ({ req, principal }) => {
        const orgId = OrgId.safeParse(param(req, 'orgId'));
        const params = AuditParams.safeParse(req.query);
        if (!orgId.success || !params.success)
          throw new DomainError('INVALID_ARGUMENT', 'orgId, kind, pageSize or bookmark');
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        const identity = await services.directory.identityFor(principal);
        const kinds = params.data.kind ? [params.data.kind] : [...AUDIT_KINDS];
        const bookmark = Buffer.from(params.data.bookmark, 'base64url').toString('utf8');
        const pages = await Promise.all(
          kinds.map(async (kind) => {
            const raw = await services.chaincode.evaluateText(identity, 'audit:SchoolRecords', {
              orgId: orgId.data,
              kind,
              pageSize: params.data.pageSize,
              bookmark: params.data.kind ? bookmark : '',
            });
            return JSON.parse(raw) as { records: unknown[]; bookmark: string };
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
            bookmark: params.data.kind
              ? Buffer.from(pages[0]?.bookmark ?? '', 'utf8').toString('base64url')
              : '',
          },
        };
      },
    }),
  ];
}
