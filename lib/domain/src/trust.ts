import { z } from 'zod';
import { CredentialType, Did, DidUrl, LocalisedText, MspId, OrgId, Timestamp } from './primitives.js';

export const ORG_KINDS = ['bureau', 'school', 'university', 'provider', 'employer'] as const;
export const OrgKind = z.enum(ORG_KINDS);
export type OrgKind = z.infer<typeof OrgKind>;

export const ROLES = [
  'bureau-admin',
  'inspector',
  'school-admin',
  'teacher',
  'provider-admin',
  'verifier',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Which roles an organisation of each kind may hold; grants outside this table are refused. */
export const ROLES_BY_KIND: Readonly<Record<OrgKind, readonly Role[]>> = {
  bureau: ['bureau-admin', 'inspector', 'verifier'],
  school: ['school-admin', 'teacher', 'verifier'],
  university: ['school-admin', 'teacher', 'verifier'],
  provider: ['provider-admin', 'teacher', 'verifier'],
  employer: ['verifier'],
};

/** The role an org's MSP admin identity holds without any grant. */
export const ADMIN_ROLE_BY_KIND: Readonly<Record<OrgKind, Role>> = {
  bureau: 'bureau-admin',
  school: 'school-admin',
  university: 'school-admin',
  provider: 'provider-admin',
  employer: 'verifier',
};

/** Roles whose holders may issue credentials for their organisation. */
export const ISSUER_ROLES: readonly Role[] = ['bureau-admin', 'school-admin', 'provider-admin'];

/** The base type every credential carries; an accreditation for it is one for generic credentials. */
export const GENERIC_CREDENTIAL_TYPE = 'VerifiableCredential';

/**
 * Credential types the region regulates: issuing one needs an accreditation that names it. Any
 * other type (a W3C example's, a URL type, a school's own) is a generic credential, covered by an
 * accreditation for `VerifiableCredential`; a credential of the base type alone is one too.
 */
export const REGULATED_CREDENTIAL_TYPES: readonly string[] = [
  'OpenBadgeCredential',
  'AchievementCredential',
  'ClrCredential',
  'GrowthTermReport',
  'GrowthArchiveReport',
  'CreditTransferCredential',
  'PdCompletionCredential',
  'PdCycleSummaryCredential',
];

/**
 * The accreditations a credential of these types needs: each regulated type by name, and the
 * generic accreditation once for any other types (or for the base type alone). The chaincode
 * decides issuance and verifiers report trust with this same rule.
 */
export function accreditationsNeeded(types: readonly string[]): string[] {
  const specific = types.filter((t) => t !== GENERIC_CREDENTIAL_TYPE);
  const needed = new Set<string>();
  for (const type of specific)
    needed.add(REGULATED_CREDENTIAL_TYPES.includes(type) ? type : GENERIC_CREDENTIAL_TYPE);
  if (needed.size === 0) needed.add(GENERIC_CREDENTIAL_TYPE);
  return [...needed];
}

/** 一校一码: the national 10-digit school identification code. */
export const SchoolCode = z.string().regex(/^\d{10}$/, 'a 10-digit school code');

export const Organization = z.object({
  orgId: OrgId,
  kind: OrgKind,
  mspId: MspId,
  name: LocalisedText,
  schoolCode: SchoolCode.optional(),
  parentBureauId: OrgId.optional(),
  did: Did,
  registeredAt: Timestamp,
  registeredBy: OrgId.optional(),
});
export type Organization = z.infer<typeof Organization>;

export const RegisterOrganizationRequest = Organization.omit({ registeredAt: true, registeredBy: true });
export type RegisterOrganizationRequest = z.infer<typeof RegisterOrganizationRequest>;

export const Suspension = z.object({
  from: Timestamp,
  until: Timestamp.optional(),
  reasonCode: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/),
});

export const Accreditation = z.object({
  accreditationId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,80}$/),
  orgId: OrgId,
  bureauId: OrgId,
  credentialTypes: z.array(CredentialType).min(1).max(50),
  validFrom: Timestamp,
  validUntil: Timestamp,
  suspensions: z.array(Suspension),
  createdAt: Timestamp,
});
export type Accreditation = z.infer<typeof Accreditation>;

export const AccreditRequest = z
  .object({
    accreditationId: Accreditation.shape.accreditationId,
    orgId: OrgId,
    credentialTypes: Accreditation.shape.credentialTypes,
    validFrom: Timestamp,
    validUntil: Timestamp,
  })
  .refine((r) => Date.parse(r.validFrom) < Date.parse(r.validUntil), {
    message: 'validFrom must be before validUntil',
  });
export type AccreditRequest = z.infer<typeof AccreditRequest>;

export const SuspendAccreditationRequest = z.object({
  orgId: OrgId,
  accreditationId: Accreditation.shape.accreditationId,
  reasonCode: Suspension.shape.reasonCode,
});
export const ReinstateAccreditationRequest = z.object({
  orgId: OrgId,
  accreditationId: Accreditation.shape.accreditationId,
});

export const AccreditationQuery = z.object({
  orgId: OrgId,
  credentialType: CredentialType,
  at: Timestamp,
});
export type AccreditationQuery = z.infer<typeof AccreditationQuery>;

export const AccreditationCheck = z.object({
  accredited: z.boolean(),
  accreditationId: z.string().optional(),
  reason: z.string(),
});
export type AccreditationCheck = z.infer<typeof AccreditationCheck>;

export const RoleGrant = z.object({
  mspId: MspId,
  identityId: z.string().min(1).max(1024),
  orgId: OrgId,
  roles: z.array(Role).max(ROLES.length),
  updatedAt: Timestamp,
});
export type RoleGrant = z.infer<typeof RoleGrant>;

/**
 * The caller as the chaincode sees it (`registry:Identify`): MSP, Fabric's `getID()` and whether
 * the certificate is the MSP's admin (NodeOU `admin`). No registration is needed to ask.
 */
export const CallerIdentity = z.object({
  mspId: MspId,
  id: RoleGrant.shape.identityId,
  isAdmin: z.boolean(),
});
export type CallerIdentity = z.infer<typeof CallerIdentity>;

export const GrantRolesRequest = z.object({
  identityId: RoleGrant.shape.identityId,
  roles: RoleGrant.shape.roles,
});

/** A verification method an organisation signs with, with the window in which it may sign. */
export const IssuerKey = z.object({
  orgId: OrgId,
  id: DidUrl,
  type: z.literal('Multikey'),
  controller: Did,
  publicKeyMultibase: z
    .string()
    .regex(/^z[1-9A-HJ-NP-Za-km-z]{40,60}$/, 'a base58btc multikey (Ed25519 z6Mk… or P-256 zDn…)'),
  validFrom: Timestamp,
  validUntil: Timestamp.optional(),
  revokedAt: Timestamp.optional(),
  revocationReason: z.string().max(64).optional(),
});
export type IssuerKey = z.infer<typeof IssuerKey>;

export const RegisterKeyRequest = IssuerKey.pick({ id: true, publicKeyMultibase: true }).extend({
  /** Retire the org's currently valid keys at the same instant (rotation). */
  rotate: z.boolean().default(false),
});
export type RegisterKeyRequest = z.infer<typeof RegisterKeyRequest>;

export const RevokeKeyRequest = z.object({
  id: DidUrl,
  reason: z.enum(['compromised', 'superseded', 'retired']),
});

export const KeyValidityQuery = z.object({ id: DidUrl, at: Timestamp });
export const KeyValidity = z.object({
  valid: z.boolean(),
  orgId: OrgId.optional(),
  reason: z.string(),
  key: IssuerKey.optional(),
});
export type KeyValidity = z.infer<typeof KeyValidity>;

export const OrgIdRequest = z.object({ orgId: OrgId });
export const DidRequest = z.object({ did: Did });
export const MspRequest = z.object({ mspId: MspId });
