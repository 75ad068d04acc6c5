import { z } from 'zod';
import { DomainError, LocalisedText, OrgId, Role } from '@edu-ledger/domain';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';

const Envelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Who a bearer token acts as: what a sign-in form shows. The token's label is left out (it may name a person). */
export const SessionView = z.object({
  orgId: OrgId,
  orgName: LocalisedText,
  orgKind: z.string(),
  did: z.string(),
  role: Role,
});
export type SessionView = z.infer<typeof SessionView>;

/** `GET /session`: lets a page check a token before it says "signed in", and name who that is. */
export function sessionRoutes(services: Services): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/session',
      summary: 'Who the bearer token acts as: organisation and role (401 without a valid token)',
      tag: 'system',
      // Any role may ask who it is; an unknown token is refused by authentication before this runs.
      access: 'public',
      responses: {
        200: { description: 'The organisation and role of the token', schema: SessionView },
        401: { description: 'No token, or an unknown or revoked one', schema: Envelope },
      },
      handle: async ({ principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        const org = await services.directory.org(principal.orgId);
        const view: SessionView = {
          orgId: org.orgId,
          orgName: org.name,
          orgKind: org.kind,
          did: org.did,
          role: principal.role,
        };
        return { status: 200, json: view };
      },
    }),
  ];
}
