import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import {
  ADMIN_ROLE_BY_KIND,
  DomainError,
  Organization,
  OrgId,
  RoleGrant,
  type Role,
} from '@edu-ledger/domain';
import type { LedgerClientIdentity, LedgerContext } from './ledger-context.js';
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
 * Fabric NodeOUs put `OU=admin` in the subject of an MSP admin's certificate, so the role is read
 * from the certificate the peer received, never from the text of `getID()` (whose values are not
 * escaped, so a common name could imitate an OU there). A `client` identity is never an admin,
 * whatever its common name says.
 */
export function isAdminIdentity(identity: LedgerClientIdentity): boolean {
  return subjectOrganizationalUnits(identity.getIDBytes()).includes('admin');
}

/** Parsing a certificate costs about 0.3 ms; a caller's certificate is the same on every call. */
const OU_CACHE_SIZE = 1024;
const ouCache = new Map<string, readonly string[]>();

/**
 * The OU values of an X.509 certificate's subject (PEM or DER bytes), in order.
 * @throws DomainError UNAUTHENTICATED when the bytes are not a certificate.
 */
export function subjectOrganizationalUnits(idBytes: Uint8Array): readonly string[] {
  const cacheKey = Buffer.from(idBytes.buffer, idBytes.byteOffset, idBytes.byteLength).toString('latin1');
  const cached = ouCache.get(cacheKey);
  if (cached) return cached;
  const units = Object.freeze(parseOrganizationalUnits(idBytes));
  if (ouCache.size >= OU_CACHE_SIZE) ouCache.delete(ouCache.keys().next().value ?? '');
  ouCache.set(cacheKey, units);
  return units;
}

function parseOrganizationalUnits(idBytes: Uint8Array): string[] {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(idBytes);
  } catch {
    throw new DomainError('UNAUTHENTICATED', 'the caller identity is not an X.509 certificate');
  }
  // The legacy object holds the subject's raw attribute values: one string, or an array when an
  // attribute repeats (Fabric CA enrols with several OUs).
  const ou: unknown = certificate.toLegacyObject().subject.OU;
  if (typeof ou === 'string') return [ou];
  return Array.isArray(ou) ? ou.filter((v): v is string => typeof v === 'string') : [];
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
  const isMspAdmin = isAdminIdentity(ctx.clientIdentity);
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

/**
 * Whether the caller speaks for one of these organisations: its own staff, or the staff of the
 * bureau it is registered under. Being "a bureau" is not enough — a bureau sees only its own
 * schools (and providers), never those of another bureau.
 */
export async function actsFor(
  ctx: LedgerContext,
  caller: Caller,
  orgIds: Iterable<string>,
): Promise<boolean> {
  for (const orgId of new Set(orgIds)) {
    if (orgId === caller.org.orgId) return true;
    if (caller.org.kind === 'bureau' && (await findOrg(ctx, orgId))?.parentBureauId === caller.org.orgId)
      return true;
  }
  return false;
}

/**
 * The caller, provided they act for one of these organisations (see {@link actsFor}).
 * @throws DomainError FORBIDDEN_ORG otherwise.
 */
export async function requireActsFor(
  ctx: LedgerContext,
  caller: Caller,
  orgIds: Iterable<string>,
  why: string,
): Promise<Caller> {
  if (!(await actsFor(ctx, caller, orgIds))) throw new DomainError('FORBIDDEN_ORG', why);
  return caller;
}
