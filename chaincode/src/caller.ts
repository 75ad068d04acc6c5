import { z } from 'zod';
import {
  ADMIN_ROLE_BY_KIND,
  DomainError,
  Organization,
  OrgId,
  RoleGrant,
  type Role,
} from '@edu-ledger/domain';
import type { LedgerContext } from './ledger-context.js';
import { K } from './keys.js';
import { key, readRecord } from './store.js';

export const OrgRef = z.object({ orgId: OrgId });

export interface Caller {
  mspId: string;
  identityId: string;
  org: Organization;
  roles: ReadonlySet<Role>;
  /** True for the MSP's admin identity (NodeOU `admin`). */
  isMspAdmin: boolean;
}

/**
 * Fabric NodeOUs put `OU=admin` in the subject of an MSP admin's certificate. `getID()` is
 * `x509::<subject>::<issuer>`, so only the subject part is inspected.
 */
export function isAdminIdentity(identityId: string): boolean {
  const subject = identityId.split('::')[1] ?? '';
  return /(^|[/,])\s*OU=admin\s*([/,]|$)/.test(subject);
}

export async function findOrg(ctx: LedgerContext, orgId: string): Promise<Organization | undefined> {
  return readRecord(ctx, key(ctx, K.org, orgId), Organization);
}

export async function requireOrg(ctx: LedgerContext, orgId: string): Promise<Organization> {
  const org = await findOrg(ctx, orgId);
  if (!org) throw new DomainError('ORG_NOT_FOUND', `organisation ${orgId} is not registered`);
  return org;
}

export async function orgForMsp(ctx: LedgerContext, mspId: string): Promise<Organization | undefined> {
  const ref = await readRecord(ctx, key(ctx, K.orgByMsp, mspId), OrgRef);
  return ref ? findOrg(ctx, ref.orgId) : undefined;
}

/** Resolves who is calling: their organisation (by MSP) and their roles (MSP admin + on-chain grants). */
export async function resolveCaller(ctx: LedgerContext): Promise<Caller> {
  const mspId = ctx.clientIdentity.getMSPID();
  const identityId = ctx.clientIdentity.getID();
  const org = await orgForMsp(ctx, mspId);
  if (!org) throw new DomainError('FORBIDDEN_ORG', `MSP ${mspId} belongs to no registered organisation`);
  const isMspAdmin = isAdminIdentity(identityId);
  const roles = new Set<Role>();
  if (isMspAdmin) roles.add(ADMIN_ROLE_BY_KIND[org.kind]);
  const grant = await readRecord(ctx, key(ctx, K.role, mspId, identityId), RoleGrant);
  for (const role of grant?.roles ?? []) roles.add(role);
  return { mspId, identityId, org, roles, isMspAdmin };
}

/** The caller, provided they hold at least one of the roles; FORBIDDEN_ROLE otherwise. */
export async function requireRole(ctx: LedgerContext, allowed: readonly Role[]): Promise<Caller> {
  const caller = await resolveCaller(ctx);
  if (!allowed.some((r) => caller.roles.has(r))) {
    throw new DomainError('FORBIDDEN_ROLE', `requires one of: ${allowed.join(', ')}`);
  }
  return caller;
}
