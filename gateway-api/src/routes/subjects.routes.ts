import { z } from 'zod';
import { DomainError, SubjectId, SubjectInput, type Role } from '@edu-ledger/domain';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import type { Principal } from '../stores/tokens.js';
import * as D from '@edu-ledger/domain';

const STAFF: readonly Role[] = ['school-admin', 'teacher', 'provider-admin', 'bureau-admin'];

/**
 * The personal-data vault. Only the registering organisation's staff (or its own bureau) read a
 * person's data; the response to registration carries the pseudonymous id and nothing else.
 */
export function subjectRoutes(services: Services): RouteSpec[] {
  async function authorise(
    principal: Principal | undefined,
    subjectId: string,
    roles: readonly Role[],
  ): Promise<void> {
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
    const owner = await services.vault.owner(subjectId);
    if (!roles.includes(principal.role))
      throw new DomainError('FORBIDDEN_ROLE', `requires one of: ${roles.join(', ')}`);
    if (principal.orgId === owner) return;
    if (principal.role === 'bureau-admin') {
      const ownerOrg = await services.directory.org(owner);
      if (ownerOrg.parentBureauId === principal.orgId) return;
    }
    throw new DomainError('FORBIDDEN_ORG', 'this person is registered by another organisation');
  }

  const subjectIdOf = (raw: string): string => {
    const parsed = SubjectId.safeParse(raw);
    if (!parsed.success) throw new DomainError('INVALID_ARGUMENT', 'not a subject id');
    return parsed.data;
  };

  return [
    defineRoute({
      method: 'post',
      path: '/subjects',
      summary:
        "Register a person in the encrypted vault and, owned by the caller's school, on the ledger; returns a pseudonymous subjectId",
      tag: 'subjects',
      // The ledger records the registering school as the person's owner: a school admin's act.
      access: ['school-admin'],
      body: SubjectInput,
      responses: { 201: { description: 'Registered', schema: z.object({ subjectId: SubjectId }) } },
      handle: async ({ body, principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        return { status: 201, json: await services.subjects.register(principal, body) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/subjects/:id',
      summary: "Read a person's data (registering organisation's staff or its own bureau)",
      tag: 'subjects',
      access: STAFF,
      responses: { 200: { description: "The person's data", schema: D.SubjectRecordView } },
      handle: async ({ req, principal }) => {
        const subjectId = subjectIdOf(param(req, 'id'));
        await authorise(principal, subjectId, STAFF);
        return { status: 200, json: await services.vault.read(subjectId) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/subjects/:id/key',
      summary: "Destroy a person's data key (crypto-shredding); ledger anchors stay verifiable",
      tag: 'subjects',
      access: ['school-admin', 'bureau-admin'],
      responses: {
        200: {
          description: 'Key destroyed',
          schema: z.object({ subjectId: D.SubjectId, shreddedAt: z.string() }),
        },
      },
      handle: async ({ req, principal }) => {
        const subjectId = subjectIdOf(param(req, 'id'));
        await authorise(principal, subjectId, ['school-admin', 'bureau-admin']);
        return { status: 200, json: { subjectId, ...(await services.vault.destroyKey(subjectId)) } };
      },
    }),
  ];
}
