import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import { z } from 'zod';
import {
  ADMIN_ROLE_BY_KIND,
  Accreditation,
  AccreditationCheck,
  AccreditationQuery,
  AccreditRequest,
  CallerIdentity,
  DidRequest,
  DomainError,
  EVENTS,
  GrantRolesRequest,
  LedgerSubject,
  MspRequest,
  Organization,
  OrgIdRequest,
  ROLES_BY_KIND,
  RegisterOrganizationRequest,
  RegisterSubjectRequest,
  ReinstateAccreditationRequest,
  RoleGrant,
  SubjectRequest,
  SuspendAccreditationRequest,
  canonicalJson,
  parseJsonArg,
} from '@edu-ledger/domain';
import { OrgRef, isAdminIdentity, orgForMsp, requireOrg, requireRole, resolveCaller } from './caller.js';
import type { LedgerContext } from './ledger-context.js';
import { K } from './keys.js';
import { emit, key, listRecords, readRecord, txTime, writeRecord } from './store.js';
import { findSubject } from './subjects.js';

const GenesisFlag = z.object({ bureauId: z.string() });

/**
 * Organisations, accreditations and roles: who may issue what. A bureau is the root of trust; the
 * first bureau is registered by its own MSP admin (genesis), every later organisation by a bureau.
 */
@Info({ title: 'Registry', description: 'Organisations, accreditations and role grants' })
export class RegistryContract extends LedgerContract {
  constructor() {
    super('registry');
  }

  @Transaction()
  async RegisterOrganization(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RegisterOrganizationRequest, requestJson, 'RegisterOrganization');
    const genesisKey = key(ctx, K.meta, 'genesis');
    const genesis = await readRecord(ctx, genesisKey, GenesisFlag);
    let registeredBy: string | undefined;
    if (!genesis) {
      // Genesis: only a bureau, registered by an admin of its own MSP.
      if (request.kind !== 'bureau')
        throw new DomainError('INVALID_STATE', 'the first organisation must be a bureau');
      if (ctx.clientIdentity.getMSPID() !== request.mspId || !isAdminIdentity(ctx.clientIdentity)) {
        throw new DomainError(
          'FORBIDDEN_ROLE',
          'the genesis bureau is registered by an admin of its own MSP',
        );
      }
      await writeRecord(ctx, genesisKey, GenesisFlag, { bureauId: request.orgId });
    } else {
      const caller = await requireRole(ctx, ['bureau-admin']);
      registeredBy = caller.org.orgId;
      if (request.parentBureauId !== undefined && request.parentBureauId !== caller.org.orgId) {
        throw new DomainError('FORBIDDEN_ORG', 'an organisation is registered by its own parent bureau');
      }
    }
    if (await readRecord(ctx, key(ctx, K.org, request.orgId), Organization)) {
      throw new DomainError('ALREADY_EXISTS', `organisation ${request.orgId} exists`);
    }
    if (await readRecord(ctx, key(ctx, K.orgByMsp, request.mspId), OrgRef)) {
      throw new DomainError('ALREADY_EXISTS', `MSP ${request.mspId} already belongs to an organisation`);
    }
    if (await readRecord(ctx, key(ctx, K.orgByDid, request.did), OrgRef)) {
      throw new DomainError('ALREADY_EXISTS', `DID ${request.did} already belongs to an organisation`);
    }
    if (request.kind === 'school' && request.schoolCode === undefined) {
      throw new DomainError('INVALID_ARGUMENT', 'a school needs its 10-digit school code (一校一码)');
    }
    const org: Organization = {
      ...request,
      parentBureauId:
        request.kind === 'bureau' ? request.parentBureauId : (request.parentBureauId ?? registeredBy),
      registeredAt: txTime(ctx),
      registeredBy,
    };
    await writeRecord(ctx, key(ctx, K.org, org.orgId), Organization, org);
    await writeRecord(ctx, key(ctx, K.orgByMsp, org.mspId), OrgRef, { orgId: org.orgId });
    await writeRecord(ctx, key(ctx, K.orgByDid, org.did), OrgRef, { orgId: org.orgId });
    emit(ctx, EVENTS.organizationRegistered, { orgId: org.orgId, kind: org.kind, mspId: org.mspId });
    return canonicalJson(org);
  }

  @Transaction(false)
  async GetOrganization(ctx: Context, requestJson: string): Promise<string> {
    const { orgId } = parseJsonArg(OrgIdRequest, requestJson, 'GetOrganization');
    return canonicalJson(await requireOrg(ctx, orgId));
  }

  @Transaction(false)
  async GetOrganizationByMsp(ctx: Context, requestJson: string): Promise<string> {
    const { mspId } = parseJsonArg(MspRequest, requestJson, 'GetOrganizationByMsp');
    const org = await orgForMsp(ctx, mspId);
    if (!org) throw new DomainError('ORG_NOT_FOUND', `no organisation for MSP ${mspId}`);
    return canonicalJson(org);
  }

  @Transaction(false)
  async GetOrganizationByDid(ctx: Context, requestJson: string): Promise<string> {
    const { did } = parseJsonArg(DidRequest, requestJson, 'GetOrganizationByDid');
    const ref = await readRecord(ctx, key(ctx, K.orgByDid, did), OrgRef);
    if (!ref) throw new DomainError('ORG_NOT_FOUND', `no organisation has DID ${did}`);
    return canonicalJson(await requireOrg(ctx, ref.orgId));
  }

  @Transaction(false)
  async ListOrganizations(ctx: Context): Promise<string> {
    return canonicalJson(await listRecords(ctx, Organization, K.org));
  }

  /**
   * The caller's identity as the chaincode sees it, registered or not: lets a client check that its
   * own idea of its id (the one role grants name) is the peer's.
   */
  @Transaction(false)
  async Identify(ctx: Context): Promise<string> {
    const identity: CallerIdentity = {
      mspId: ctx.clientIdentity.getMSPID(),
      id: ctx.clientIdentity.getID(),
      isAdmin: isAdminIdentity(ctx.clientIdentity),
    };
    return canonicalJson(identity);
  }

  /** Who am I: the caller's organisation and roles, as the chaincode sees them. */
  @Transaction(false)
  async WhoAmI(ctx: Context): Promise<string> {
    const caller = await resolveCaller(ctx);
    return canonicalJson({
      mspId: caller.mspId,
      orgId: caller.org.orgId,
      roles: [...caller.roles].sort(),
      isMspAdmin: caller.isMspAdmin,
    });
  }

  /** Sets the full role list of one identity of the caller's own MSP (an empty list removes all). */
  @Transaction()
  async GrantRoles(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(GrantRolesRequest, requestJson, 'GrantRoles');
    const caller = await resolveCaller(ctx);
    if (!caller.roles.has(ADMIN_ROLE_BY_KIND[caller.org.kind])) {
      throw new DomainError('FORBIDDEN_ROLE', `requires ${ADMIN_ROLE_BY_KIND[caller.org.kind]}`);
    }
    const allowed = ROLES_BY_KIND[caller.org.kind];
    const refused = request.roles.filter((r) => !allowed.includes(r));
    if (refused.length > 0) {
      throw new DomainError('INVALID_ARGUMENT', `a ${caller.org.kind} cannot hold: ${refused.join(', ')}`);
    }
    const grant: RoleGrant = {
      mspId: caller.mspId,
      identityId: request.identityId,
      orgId: caller.org.orgId,
      roles: [...new Set(request.roles)].sort(),
      updatedAt: txTime(ctx),
    };
    await writeRecord(ctx, key(ctx, K.role, caller.mspId, request.identityId), RoleGrant, grant);
    emit(ctx, EVENTS.rolesGranted, { orgId: grant.orgId, roles: grant.roles });
    return canonicalJson(grant);
  }

  @Transaction()
  async Accredit(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(AccreditRequest, requestJson, 'Accredit');
    const caller = await requireRole(ctx, ['bureau-admin']);
    const org = await requireOrg(ctx, request.orgId);
    if (org.orgId !== caller.org.orgId && org.parentBureauId !== caller.org.orgId) {
      throw new DomainError('FORBIDDEN_ORG', `${org.orgId} is not under bureau ${caller.org.orgId}`);
    }
    const accrKey = key(ctx, K.accreditation, org.orgId, request.accreditationId);
    if (await readRecord(ctx, accrKey, Accreditation)) {
      throw new DomainError('ALREADY_EXISTS', `accreditation ${request.accreditationId} exists`);
    }
    const accreditation: Accreditation = {
      ...request,
      credentialTypes: [...new Set(request.credentialTypes)].sort(),
      bureauId: caller.org.orgId,
      suspensions: [],
      createdAt: txTime(ctx),
    };
    await writeRecord(ctx, accrKey, Accreditation, accreditation);
    emit(ctx, EVENTS.accreditationGranted, {
      orgId: org.orgId,
      accreditationId: accreditation.accreditationId,
      credentialTypes: accreditation.credentialTypes,
    });
    return canonicalJson(accreditation);
  }

  @Transaction()
  async SuspendAccreditation(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(SuspendAccreditationRequest, requestJson, 'SuspendAccreditation');
    const { accrKey, accreditation } = await this.ownAccreditation(ctx, request);
    const now = txTime(ctx);
    if (accreditation.suspensions.some((s) => s.until === undefined)) {
      throw new DomainError('INVALID_STATE', 'accreditation is already suspended');
    }
    accreditation.suspensions.push({ from: now, reasonCode: request.reasonCode });
    await writeRecord(ctx, accrKey, Accreditation, accreditation);
    emit(ctx, EVENTS.accreditationSuspended, {
      orgId: request.orgId,
      accreditationId: request.accreditationId,
    });
    return canonicalJson(accreditation);
  }

  @Transaction()
  async ReinstateAccreditation(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(ReinstateAccreditationRequest, requestJson, 'ReinstateAccreditation');
    const { accrKey, accreditation } = await this.ownAccreditation(ctx, request);
    const open = accreditation.suspensions.find((s) => s.until === undefined);
    if (!open) throw new DomainError('INVALID_STATE', 'accreditation is not suspended');
    open.until = txTime(ctx);
    await writeRecord(ctx, accrKey, Accreditation, accreditation);
    emit(ctx, EVENTS.accreditationReinstated, {
      orgId: request.orgId,
      accreditationId: request.accreditationId,
    });
    return canonicalJson(accreditation);
  }

  @Transaction(false)
  async ListAccreditations(ctx: Context, requestJson: string): Promise<string> {
    const { orgId } = parseJsonArg(OrgIdRequest, requestJson, 'ListAccreditations');
    return canonicalJson(await listRecords(ctx, Accreditation, K.accreditation, orgId));
  }

  /**
   * A pseudonymous person (no personal data: that stays in the registering gateway's vault), owned
   * by the registering school, which alone writes their archive and evaluations.
   */
  @Transaction()
  async RegisterSubject(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RegisterSubjectRequest, requestJson, 'RegisterSubject');
    const caller = await requireRole(ctx, ['school-admin']);
    if (caller.org.kind !== 'school')
      throw new DomainError('FORBIDDEN_ORG', 'persons are registered by schools');
    if (await findSubject(ctx, request.subjectId))
      throw new DomainError('ALREADY_EXISTS', `subject ${request.subjectId} is registered`);
    const now = txTime(ctx);
    const subject: LedgerSubject = {
      ...request,
      ownerOrgId: caller.org.orgId,
      registeredAt: now,
      updatedAt: now,
    };
    await writeRecord(ctx, key(ctx, K.subject, subject.subjectId), LedgerSubject, subject);
    emit(ctx, EVENTS.subjectRegistered, {
      subjectId: subject.subjectId,
      kind: subject.kind,
      ownerOrgId: subject.ownerOrgId,
    });
    return canonicalJson(subject);
  }

  @Transaction(false)
  async GetSubject(ctx: Context, requestJson: string): Promise<string> {
    const { subjectId } = parseJsonArg(SubjectRequest, requestJson, 'GetSubject');
    const subject = await findSubject(ctx, subjectId);
    if (!subject)
      throw new DomainError('SUBJECT_NOT_FOUND', `no subject ${subjectId} is registered on the ledger`);
    return canonicalJson(subject);
  }

  /** Was the organisation accredited for this credential type at the given instant? */
  @Transaction(false)
  async CheckAccreditation(ctx: Context, requestJson: string): Promise<string> {
    const query = parseJsonArg(AccreditationQuery, requestJson, 'CheckAccreditation');
    return canonicalJson(await checkAccreditation(ctx, query));
  }

  private async ownAccreditation(
    ctx: LedgerContext,
    ref: { orgId: string; accreditationId: string },
  ): Promise<{ accrKey: string; accreditation: Accreditation }> {
    const caller = await requireRole(ctx, ['bureau-admin']);
    const accrKey = key(ctx, K.accreditation, ref.orgId, ref.accreditationId);
    const accreditation = await readRecord(ctx, accrKey, Accreditation);
    if (!accreditation) throw new DomainError('NOT_FOUND', `accreditation ${ref.accreditationId} not found`);
    if (accreditation.bureauId !== caller.org.orgId) {
      throw new DomainError('FORBIDDEN_ORG', 'only the accrediting bureau changes an accreditation');
    }
    return { accrKey, accreditation };
  }
}

/** Shared by the registry query and the anchoring transaction. */
export async function checkAccreditation(
  ctx: LedgerContext,
  query: { orgId: string; credentialType: string; at: string },
): Promise<AccreditationCheck> {
  const at = Date.parse(query.at);
  const all = await listRecords(ctx, Accreditation, K.accreditation, query.orgId);
  const forType = all.filter((a) => a.credentialTypes.includes(query.credentialType));
  if (forType.length === 0)
    return { accredited: false, reason: `no accreditation for ${query.credentialType}` };
  const inWindow = forType.filter((a) => Date.parse(a.validFrom) <= at && at < Date.parse(a.validUntil));
  if (inWindow.length === 0)
    return { accredited: false, reason: 'outside every accreditation validity period' };
  const active = inWindow.find(
    (a) =>
      !a.suspensions.some(
        (s) => Date.parse(s.from) <= at && (s.until === undefined || at < Date.parse(s.until)),
      ),
  );
  if (!active) return { accredited: false, reason: 'accreditation suspended at that time' };
  return { accredited: true, accreditationId: active.accreditationId, reason: 'accredited' };
}
