import { z } from 'zod';
import {
  Accreditation,
  DomainError,
  OrgId,
  Organization,
  RegisterOrganizationRequest,
  Role,
} from '@edu-ledger/domain';
import { environmentConfig, type Config } from '../config.js';
import { extendAuthentication } from '../http/auth.js';
import { OidcVerifier, type OidcSettings } from '../http/oidc.js';
import { defineRoute, param, type RouteContext, type RouteSpec } from '../http/route.js';
import {
  ADMIN_ROLES,
  AccreditBody,
  AdminService,
  RoleChangeRequest,
  StaffAccessRequest,
} from '../services/admin.service.js';
import type { Services } from '../services/index.js';
import { StaffAccess, StaffAccessStore } from '../stores/staff-tokens.js';
import type { Principal } from '../stores/tokens.js';

const TAG = 'administration';
const KeyBody = z.object({ rotate: z.boolean().default(false) });
const StaffQuery = z.object({ orgId: OrgId });
const KeyAnswer = z.object({ keyId: z.string(), rotated: z.boolean() });
const RolesAnswer = z.object({ roles: z.array(Role) });

/**
 * The routes behind `edu-admin`: thin — each validates its body and hands the caller to the
 * admin service, where the chaincode decides about ledger records. Building them also attaches
 * staff-access expiry and, when configured, the OIDC sign-in to authentication.
 */
export function adminRoutes(
  services: Services,
  config: Config | undefined = environmentConfig(),
): RouteSpec[] {
  const admin = new AdminService(services, new StaffAccessStore(services.db, services.tokens));
  extendAuthentication(services.tokens, {
    staff: admin.staff,
    ...(config ? { oidc: oidcVerifier(services, config) } : {}),
  });
  const caller = (ctx: RouteContext<unknown>): Principal => {
    if (!ctx.principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
    return ctx.principal;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/admin/organizations',
      summary: 'Register an organisation under the caller’s bureau (the registry contract decides)',
      tag: TAG,
      access: ['bureau-admin'],
      body: RegisterOrganizationRequest,
      responses: { 201: { description: 'The organisation as recorded on the ledger', schema: Organization } },
      handle: async (ctx) => ({ status: 201, json: await admin.registerOrganization(caller(ctx), ctx.body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/organizations',
      summary: 'Every registered organisation',
      tag: TAG,
      access: ADMIN_ROLES,
      responses: { 200: { description: 'The organisations', schema: z.array(Organization) } },
      handle: async () => ({ status: 200, json: await services.directory.listOrgs() }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/organizations/:orgId/accreditations',
      summary: 'Accredit an organisation for credential types during a validity window',
      tag: TAG,
      access: ['bureau-admin'],
      body: AccreditBody,
      responses: {
        201: { description: 'The accreditation as recorded on the ledger', schema: Accreditation },
      },
      handle: async (ctx) => ({
        status: 201,
        json: await admin.accredit(caller(ctx), param(ctx.req, 'orgId'), ctx.body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/organizations/:orgId/keys',
      summary:
        'Register the organisation’s signing key, or rotate it (`rotate: true`); its own administrator only',
      tag: TAG,
      access: ADMIN_ROLES,
      body: KeyBody,
      responses: { 201: { description: 'The new current key', schema: KeyAnswer } },
      handle: async (ctx) => ({
        status: 201,
        json: await admin.issuerKey(caller(ctx), param(ctx.req, 'orgId'), ctx.body.rotate),
      }),
    }),
    ...(['grant', 'revoke'] as const).map((change) =>
      defineRoute({
        method: 'post',
        path: `/admin/organizations/:orgId/roles/${change}`,
        summary:
          change === 'grant'
            ? 'Grant roles on the ledger to a staff person (by person number, kept as a pseudonym)'
            : 'Revoke roles on the ledger from a staff person',
        tag: TAG,
        access: ADMIN_ROLES,
        body: RoleChangeRequest,
        responses: { 200: { description: 'The roles the person now holds', schema: RolesAnswer } },
        handle: async (ctx) => {
          const orgId = param(ctx.req, 'orgId');
          const roles =
            change === 'grant'
              ? await admin.grantRoles(caller(ctx), orgId, ctx.body)
              : await admin.revokeRoles(caller(ctx), orgId, ctx.body);
          return { status: 200, json: { roles } };
        },
      }),
    ),
    defineRoute({
      method: 'post',
      path: '/admin/staff',
      summary: 'Create a named staff member’s access (one role, an expiry); the token is returned once',
      tag: TAG,
      access: ADMIN_ROLES,
      body: StaffAccessRequest,
      responses: {
        201: {
          description: 'The access and its token',
          schema: z.object({ access: StaffAccess, token: z.string() }),
        },
      },
      handle: async (ctx) => ({ status: 201, json: await admin.createStaff(caller(ctx), ctx.body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/staff',
      summary: 'Staff access of an organisation (no tokens: they are stored as hashes only)',
      tag: TAG,
      access: ADMIN_ROLES,
      query: StaffQuery,
      responses: { 200: { description: 'The access rows', schema: z.array(StaffAccess) } },
      handle: async (ctx) => {
        // Checked against StaffQuery before the handler runs (runRoute).
        const { orgId } = StaffQuery.parse(ctx.req.query);
        return { status: 200, json: await admin.listStaff(caller(ctx), orgId) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/admin/staff/:accessId',
      summary: 'Revoke a staff member’s access: the token is refused from the next request on',
      tag: TAG,
      access: ADMIN_ROLES,
      responses: { 200: { description: 'Revoked', schema: z.object({ revoked: z.literal(true) }) } },
      handle: async (ctx) => {
        await admin.revokeStaff(caller(ctx), param(ctx.req, 'accessId'));
        return { status: 200, json: { revoked: true } };
      },
    }),
  ];
}

function oidcVerifier(services: Services, config: Config): OidcVerifier | undefined {
  if (config.OIDC_ISSUER === undefined || config.OIDC_AUDIENCE === undefined) return undefined;
  const settings: OidcSettings = {
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    ...(config.OIDC_JWKS_URI ? { jwksUri: config.OIDC_JWKS_URI } : {}),
    claims: {
      orgId: config.OIDC_CLAIM_ORG,
      schoolCode: config.OIDC_CLAIM_SCHOOL_CODE,
      person: config.OIDC_CLAIM_PERSON,
      role: config.OIDC_CLAIM_ROLE,
    },
  };
  return new OidcVerifier(settings, services);
}
