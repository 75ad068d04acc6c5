import { z } from 'zod';
import {
  ADMIN_ROLE_BY_KIND,
  Accreditation,
  AccreditRequest,
  DomainError,
  OrgId,
  ROLES_BY_KIND,
  RegisterOrganizationRequest,
  Role,
  Timestamp,
  parseOrThrow,
  type Organization,
} from '@edu-ledger/domain';
import { grantedRoles, staffIdentityName } from '../http/oidc.js';
import type { StaffAccess, StaffAccessStore } from '../stores/staff-tokens.js';
import type { Principal } from '../stores/tokens.js';
import { identityForRole } from './directory.js';
import type { Services } from './index.js';

/** Organisation-admin roles: the ones that administer an organisation's keys, roles and staff. */
export const ADMIN_ROLES: readonly Role[] = ['bureau-admin', 'school-admin', 'provider-admin'];

/** A person number from the unified identity (一人一号): used for a pseudonym only, never stored. */
export const PersonNumber = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (1-64)');

export const RoleChangeRequest = z.object({
  person: PersonNumber,
  roles: z.array(Role).min(1).max(8),
});
export type RoleChangeRequest = z.infer<typeof RoleChangeRequest>;

export const StaffAccessRequest = z.object({
  orgId: OrgId,
  role: Role,
  name: z.string().trim().min(1).max(100),
  expiresAt: Timestamp,
});
export type StaffAccessRequest = z.infer<typeof StaffAccessRequest>;

/** An accreditation as the route takes it: the organisation comes from the path. */
export const AccreditBody = z.object({
  accreditationId: Accreditation.shape.accreditationId,
  credentialTypes: Accreditation.shape.credentialTypes,
  validFrom: Timestamp,
  validUntil: Timestamp,
});

/**
 * Consortium administration behind `edu-admin`: organisations, accreditations, issuer keys, role
 * grants and staff access. Ledger records are decided by the chaincode (each call is submitted as
 * the caller's own ledger identity, so the registry contract checks the role again); the gateway
 * decides only what is its own — which organisation's keys and staff tokens a caller may manage.
 */
export class AdminService {
  constructor(
    private readonly services: Services,
    readonly staff: StaffAccessStore,
  ) {}

  async registerOrganization(caller: Principal, request: RegisterOrganizationRequest): Promise<Organization> {
    const { chaincode, directory } = this.services;
    const identity = await directory.identityFor(caller);
    const result = await chaincode.submit(identity, 'registry:RegisterOrganization', request);
    return JSON.parse(result.result) as Organization;
  }

  async accredit(caller: Principal, orgId: string, body: z.infer<typeof AccreditBody>): Promise<unknown> {
    const { chaincode, directory } = this.services;
    const request = parseOrThrow(AccreditRequest, { ...body, orgId }, 'request body');
    const result = await chaincode.submit(await directory.identityFor(caller), 'registry:Accredit', request);
    return JSON.parse(result.result) as unknown;
  }

  /** Registers the organisation's first signing key, or rotates it (the ledger closes the old key's window). */
  async issuerKey(
    caller: Principal,
    orgId: string,
    rotate: boolean,
  ): Promise<{ keyId: string; rotated: boolean }> {
    const org = await this.ownOrg(caller, orgId);
    const hasKey = await this.services.keys.current(org.orgId).then(
      () => true,
      (error: unknown) => {
        if (error instanceof DomainError && error.code === 'KEY_NOT_FOUND') return false;
        throw error;
      },
    );
    if (hasKey && !rotate) throw new DomainError('ALREADY_EXISTS', `${orgId} has a key: rotate it instead`);
    if (!hasKey && rotate)
      throw new DomainError('INVALID_STATE', `${orgId} has no key to rotate: register one`);
    const key = await this.services.keys.createKey(org);
    return { keyId: key.id, rotated: rotate };
  }

  /** Adds roles to a staff person's ledger identity (the one an OIDC sign-in of that person maps to). */
  async grantRoles(caller: Principal, orgId: string, request: RoleChangeRequest): Promise<string[]> {
    const org = await this.ownOrg(caller, orgId);
    const current = await grantedRoles(this.services, org, request.person);
    const roles = [...new Set([...current, ...request.roles])];
    await this.setPersonRoles(org, request.person, roles);
    for (const role of request.roles) await this.ensureRoleIdentity(org, role);
    return roles.sort();
  }

  async revokeRoles(caller: Principal, orgId: string, request: RoleChangeRequest): Promise<string[]> {
    const org = await this.ownOrg(caller, orgId);
    const current = await grantedRoles(this.services, org, request.person);
    const roles = current.filter((r) => !request.roles.includes(r as Role));
    await this.setPersonRoles(org, request.person, roles);
    return roles.sort();
  }

  /** A named staff member's bearer token with one role and an expiry; the token is shown once. */
  async createStaff(
    caller: Principal,
    request: StaffAccessRequest,
  ): Promise<{ access: StaffAccess; token: string }> {
    const org = await this.managedOrg(caller, request.orgId);
    if (!ROLES_BY_KIND[org.kind].includes(request.role)) {
      throw new DomainError('INVALID_ARGUMENT', `a ${org.kind} cannot hold the role ${request.role}`);
    }
    const now = this.services.now();
    if (Date.parse(request.expiresAt) <= now.getTime()) {
      throw new DomainError('INVALID_ARGUMENT', 'expiresAt must be in the future');
    }
    await this.ensureRoleIdentity(org, request.role);
    return this.staff.create({ ...request, createdBy: caller.orgId }, now);
  }

  async listStaff(caller: Principal, orgId: string): Promise<StaffAccess[]> {
    await this.managedOrg(caller, orgId);
    return this.staff.list(orgId);
  }

  async revokeStaff(caller: Principal, accessId: string): Promise<void> {
    const access = await this.staff.get(accessId);
    if (!access) throw new DomainError('NOT_FOUND', 'no such staff access');
    await this.managedOrg(caller, access.orgId);
    await this.staff.revoke(accessId);
  }

  /** The caller's own organisation, when the caller is its administrator. */
  private async ownOrg(caller: Principal, orgId: string): Promise<Organization> {
    const org = await this.services.directory.org(orgId);
    if (caller.orgId !== org.orgId || caller.role !== ADMIN_ROLE_BY_KIND[org.kind]) {
      throw new DomainError('FORBIDDEN_ORG', `only ${orgId}'s own administrator may do this`);
    }
    return org;
  }

  /**
   * An organisation whose staff the caller manages: its own as its administrator, or one registered
   * under the caller's bureau (so a bureau can give a new school its first administrator).
   */
  private async managedOrg(caller: Principal, orgId: string): Promise<Organization> {
    const org = await this.services.directory.org(orgId);
    const ownAdmin = caller.orgId === org.orgId && caller.role === ADMIN_ROLE_BY_KIND[org.kind];
    const parentBureau = caller.role === 'bureau-admin' && org.parentBureauId === caller.orgId;
    if (!ownAdmin && !parentBureau) {
      throw new DomainError('FORBIDDEN_ORG', `${orgId} is neither yours nor under your bureau`);
    }
    return org;
  }

  private async setPersonRoles(org: Organization, person: string, roles: string[]): Promise<void> {
    const { chaincode, ledger, db } = this.services;
    const personIdentity = await ledger.identity(
      org.mspId,
      await staffIdentityName(db, org.orgId, person),
      'client',
    );
    await chaincode.submit(await this.adminIdentity(org), 'registry:GrantRoles', {
      identityId: personIdentity.id,
      roles: roles as Role[],
    });
  }

  /**
   * The gateway acts for a role through the ledger identity `<role>@<org>` (see identityForRole);
   * on a new organisation that identity holds no grant yet, so the chaincode would refuse its
   * writes. Granted here once, by the organisation's admin.
   */
  private async ensureRoleIdentity(org: Organization, role: Role): Promise<void> {
    if (role === ADMIN_ROLE_BY_KIND[org.kind]) return;
    const { chaincode, ledger } = this.services;
    const identity = await identityForRole(ledger, org, role);
    const who = (await chaincode.evaluate(identity, 'registry:WhoAmI', undefined)) as { roles?: string[] };
    if (who.roles?.includes(role)) return;
    await chaincode.submit(await this.adminIdentity(org), 'registry:GrantRoles', {
      identityId: identity.id,
      roles: [...new Set([...(who.roles ?? []), role])] as Role[],
    });
  }

  private adminIdentity(org: Organization): ReturnType<typeof identityForRole> {
    return identityForRole(this.services.ledger, org, ADMIN_ROLE_BY_KIND[org.kind]);
  }
}
