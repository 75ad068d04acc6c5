import {
  AddEntryRequest,
  Consent,
  DefineDimensionSetRequest,
  DimensionSet,
  DomainError,
  EVENTS,
  GrantConsentRequest,
  GrowthArchive,
  GrowthEntry,
  OpenArchiveRequest,
  RevokeConsentRequest,
  SubjectRequest,
  TransferRequest,
  canonicalJson,
  parseJsonArg,
} from '@edu-ledger/domain';
import { actsFor, requireOrg, requireRole, resolveCaller, type Caller } from './caller.js';
import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import type { LedgerContext } from './ledger-context.js';
import { K } from './keys.js';
import { moveSubject, requireSubject } from './subjects.js';
import { emit, key, listRecords, readRecord, txTime, writeRecord } from './store.js';

/**
 * Student growth archives (学生成长档案). One archive per pseudonymous student, held by one school at
 * a time; only that school's staff write entries; corrections supersede and never delete; custody
 * moves by request and acceptance; admissions offices read what the student consented to.
 */
@Info({ title: 'GrowthArchive', description: 'Student growth archives, transfers and consent' })
export class GrowthContract extends LedgerContract {
  constructor() {
    super('growth');
  }

  @Transaction()
  async DefineDimensionSet(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(DefineDimensionSetRequest, requestJson, 'DefineDimensionSet');
    const caller = await requireRole(ctx, ['bureau-admin']);
    const setKey = key(ctx, K.dimensionSet, request.setId);
    // Sets are versioned by id: entries keep pointing at the set they were written under.
    if (await readRecord(ctx, setKey, DimensionSet))
      throw new DomainError('ALREADY_EXISTS', `set ${request.setId} exists`);
    const set: DimensionSet = { ...request, definedBy: caller.org.orgId, definedAt: txTime(ctx) };
    await writeRecord(ctx, setKey, DimensionSet, set);
    emit(ctx, EVENTS.dimensionSetDefined, { setId: set.setId });
    return canonicalJson(set);
  }

  @Transaction(false)
  async ListDimensionSets(ctx: Context): Promise<string> {
    return canonicalJson(await listRecords(ctx, DimensionSet, K.dimensionSet));
  }

  @Transaction()
  async OpenArchive(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(OpenArchiveRequest, requestJson, 'OpenArchive');
    const caller = await requireRole(ctx, ['school-admin']);
    if (caller.org.kind !== 'school') throw new DomainError('FORBIDDEN_ORG', 'archives are held by schools');
    // The student's own school opens the archive: another school opening it first would hold it,
    // write its entries and grant its consents, and lock the real school out.
    const student = await requireSubject(ctx, request.subjectId, 'student');
    if (student.ownerOrgId !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', "only the student's own school opens the archive");
    await this.requireSet(ctx, request.dimensionSetId);
    const archiveKey = key(ctx, K.archive, request.subjectId);
    if (await readRecord(ctx, archiveKey, GrowthArchive)) {
      throw new DomainError('ALREADY_EXISTS', 'this student already has an archive');
    }
    const now = txTime(ctx);
    const archive: GrowthArchive = {
      ...request,
      holderSchoolId: caller.org.orgId,
      custody: [{ schoolId: caller.org.orgId, from: now }],
      createdAt: now,
    };
    await writeRecord(ctx, archiveKey, GrowthArchive, archive);
    emit(ctx, EVENTS.archiveOpened, { subjectId: archive.subjectId, schoolId: archive.holderSchoolId });
    return canonicalJson(archive);
  }

  /** Staff of the holding school only. A correction names the entry it supersedes; both stay. */
  @Transaction()
  async AddEntry(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(AddEntryRequest, requestJson, 'AddEntry');
    const caller = await requireRole(ctx, ['school-admin', 'teacher']);
    const archive = await this.requireArchive(ctx, request.subjectId);
    if (archive.holderSchoolId !== caller.org.orgId) {
      throw new DomainError('FORBIDDEN_ORG', 'only the school holding the archive writes entries');
    }
    const set = await this.requireSet(ctx, archive.dimensionSetId);
    const dimension = set.dimensions.find((d) => d.dimensionId === request.dimensionId);
    if (!dimension)
      throw new DomainError(
        'INVALID_ARGUMENT',
        `dimension ${request.dimensionId} is not in set ${set.setId}`,
      );
    if (request.indicatorId && !dimension.indicators.some((i) => i.indicatorId === request.indicatorId)) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        `indicator ${request.indicatorId} is not in ${request.dimensionId}`,
      );
    }
    const entryKey = key(ctx, K.entry, request.subjectId, request.entryId);
    if (await readRecord(ctx, entryKey, GrowthEntry))
      throw new DomainError('ALREADY_EXISTS', `entry ${request.entryId} exists`);
    if (request.supersedes) {
      const oldKey = key(ctx, K.entry, request.subjectId, request.supersedes);
      const old = await readRecord(ctx, oldKey, GrowthEntry);
      if (!old) throw new DomainError('NOT_FOUND', `no entry ${request.supersedes} to correct`);
      if (old.supersededBy)
        throw new DomainError('INVALID_STATE', `entry ${request.supersedes} was already corrected`);
      await writeRecord(ctx, oldKey, GrowthEntry, { ...old, supersededBy: request.entryId });
    }
    const entry: GrowthEntry = {
      ...request,
      authorOrgId: caller.org.orgId,
      authorRole: caller.roles.has('school-admin') ? 'school-admin' : 'teacher',
      recordedAt: txTime(ctx),
    };
    await writeRecord(ctx, entryKey, GrowthEntry, entry);
    emit(ctx, EVENTS.entryRecorded, {
      subjectId: entry.subjectId,
      entryId: entry.entryId,
      supersedes: entry.supersedes,
    });
    return canonicalJson(entry);
  }

  @Transaction()
  async RequestTransfer(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(TransferRequest, requestJson, 'RequestTransfer');
    const caller = await requireRole(ctx, ['school-admin']);
    const archive = await this.requireArchive(ctx, request.subjectId);
    if (archive.holderSchoolId !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', 'only the holding school transfers');
    if (archive.pendingTransfer) throw new DomainError('INVALID_STATE', 'a transfer is already pending');
    const target = await requireOrg(ctx, request.toSchoolId);
    if (target.kind !== 'school' || target.orgId === caller.org.orgId) {
      throw new DomainError('INVALID_ARGUMENT', 'transfer to another school');
    }
    archive.pendingTransfer = { toSchoolId: target.orgId, requestedAt: txTime(ctx) };
    await writeRecord(ctx, key(ctx, K.archive, archive.subjectId), GrowthArchive, archive);
    emit(ctx, EVENTS.transferRequested, { subjectId: archive.subjectId, toSchoolId: target.orgId });
    return canonicalJson(archive);
  }

  @Transaction()
  async AcceptTransfer(ctx: Context, requestJson: string): Promise<string> {
    const { subjectId } = parseJsonArg(SubjectRequest, requestJson, 'AcceptTransfer');
    const caller = await requireRole(ctx, ['school-admin']);
    const archive = await this.requireArchive(ctx, subjectId);
    if (archive.pendingTransfer?.toSchoolId !== caller.org.orgId) {
      throw new DomainError(
        archive.pendingTransfer ? 'FORBIDDEN_ORG' : 'INVALID_STATE',
        'no transfer to your school is pending',
      );
    }
    const now = txTime(ctx);
    const current = archive.custody[archive.custody.length - 1];
    if (current) current.until = now;
    archive.custody.push({ schoolId: caller.org.orgId, from: now });
    archive.holderSchoolId = caller.org.orgId;
    delete archive.pendingTransfer;
    await writeRecord(ctx, key(ctx, K.archive, subjectId), GrowthArchive, archive);
    // Custody and ownership move together: the receiving school now answers for the student.
    const student = await requireSubject(ctx, subjectId, 'student');
    await moveSubject(ctx, student, caller.org.orgId, now);
    emit(ctx, EVENTS.subjectOwnerChanged, { subjectId, ownerOrgId: caller.org.orgId });
    emit(ctx, EVENTS.transferAccepted, { subjectId, schoolId: caller.org.orgId });
    return canonicalJson(archive);
  }

  /** Recorded by the holding school on the student's informed consent (告知-同意). */
  @Transaction()
  async GrantConsent(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(GrantConsentRequest, requestJson, 'GrantConsent');
    const caller = await requireRole(ctx, ['school-admin']);
    const archive = await this.requireArchive(ctx, request.subjectId);
    if (archive.holderSchoolId !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', 'only the holding school records consent');
    await requireOrg(ctx, request.granteeOrgId);
    const set = await this.requireSet(ctx, archive.dimensionSetId);
    const unknown = request.dimensions.filter((d) => !set.dimensions.some((s) => s.dimensionId === d));
    if (unknown.length)
      throw new DomainError('INVALID_ARGUMENT', `unknown dimensions: ${unknown.join(', ')}`);
    const now = txTime(ctx);
    if (Date.parse(request.until) <= Date.parse(now))
      throw new DomainError('INVALID_ARGUMENT', 'until must be in the future');
    const consentKey = key(ctx, K.consent, request.subjectId, request.consentId);
    if (await readRecord(ctx, consentKey, Consent))
      throw new DomainError('ALREADY_EXISTS', `consent ${request.consentId} exists`);
    const consent: Consent = {
      ...request,
      grantedAt: now,
      grantedVia: request.holderProofDigest === undefined ? 'school' : 'holder',
    };
    await writeRecord(ctx, consentKey, Consent, consent);
    emit(ctx, EVENTS.consentGranted, {
      subjectId: consent.subjectId,
      consentId: consent.consentId,
      granteeOrgId: consent.granteeOrgId,
    });
    return canonicalJson(consent);
  }

  @Transaction()
  async RevokeConsent(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RevokeConsentRequest, requestJson, 'RevokeConsent');
    const caller = await requireRole(ctx, ['school-admin']);
    const archive = await this.requireArchive(ctx, request.subjectId);
    if (archive.holderSchoolId !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', 'only the holding school records consent');
    const consentKey = key(ctx, K.consent, request.subjectId, request.consentId);
    const consent = await readRecord(ctx, consentKey, Consent);
    if (!consent) throw new DomainError('NOT_FOUND', `no consent ${request.consentId}`);
    if (consent.revokedAt) throw new DomainError('INVALID_STATE', 'consent already revoked');
    const revoked: Consent = { ...consent, revokedAt: txTime(ctx) };
    await writeRecord(ctx, consentKey, Consent, revoked);
    emit(ctx, EVENTS.consentRevoked, { subjectId: consent.subjectId, consentId: consent.consentId });
    return canonicalJson(revoked);
  }

  /** Which school holds the archive: enough for the gateway to act on a holder's signed request. */
  @Transaction(false)
  async GetCustodian(ctx: Context, requestJson: string): Promise<string> {
    const { subjectId } = parseJsonArg(SubjectRequest, requestJson, 'GetCustodian');
    const archive = await this.requireArchive(ctx, subjectId);
    return canonicalJson({ subjectId, holderSchoolId: archive.holderSchoolId });
  }

  /**
   * The archive with the entries the caller may see: the holding school and its own bureau see all;
   * an organisation with live consent sees the consented dimensions; anyone else is refused.
   */
  @Transaction(false)
  async ReadArchive(ctx: Context, requestJson: string): Promise<string> {
    const { subjectId } = parseJsonArg(SubjectRequest, requestJson, 'ReadArchive');
    const caller = await resolveCaller(ctx);
    const archive = await this.requireArchive(ctx, subjectId);
    const visible = await this.visibleDimensions(ctx, caller, archive);
    const entries = (await listRecords(ctx, GrowthEntry, K.entry, subjectId)).filter(
      (e) => visible === 'all' || visible.has(e.dimensionId),
    );
    const consents = visible === 'all' ? await listRecords(ctx, Consent, K.consent, subjectId) : [];
    return canonicalJson({
      archive,
      entries,
      consents,
      visibleDimensions: visible === 'all' ? 'all' : [...visible].sort(),
    });
  }

  private async visibleDimensions(
    ctx: LedgerContext,
    caller: Caller,
    archive: GrowthArchive,
  ): Promise<'all' | Set<string>> {
    if (
      caller.org.orgId === archive.holderSchoolId &&
      (caller.roles.has('school-admin') || caller.roles.has('teacher'))
    ) {
      return 'all';
    }
    // The holding school's own bureau, not any bureau: a bureau sees only its own schools.
    if (
      caller.org.kind === 'bureau' &&
      (caller.roles.has('bureau-admin') || caller.roles.has('inspector')) &&
      (await actsFor(ctx, caller, [archive.holderSchoolId]))
    )
      return 'all';
    const at = Date.parse(txTime(ctx));
    const live = (await listRecords(ctx, Consent, K.consent, archive.subjectId)).filter(
      (c) => c.granteeOrgId === caller.org.orgId && !c.revokedAt && Date.parse(c.until) > at,
    );
    if (live.length === 0)
      throw new DomainError('FORBIDDEN_ORG', 'no live consent from this student for your organisation');
    return new Set(live.flatMap((c) => c.dimensions));
  }

  private async requireArchive(ctx: LedgerContext, subjectId: string): Promise<GrowthArchive> {
    const archive = await readRecord(ctx, key(ctx, K.archive, subjectId), GrowthArchive);
    if (!archive) throw new DomainError('NOT_FOUND', 'no archive for this student');
    return archive;
  }

  private async requireSet(ctx: LedgerContext, setId: string): Promise<DimensionSet> {
    const set = await readRecord(ctx, key(ctx, K.dimensionSet, setId), DimensionSet);
    if (!set) throw new DomainError('NOT_FOUND', `no dimension set ${setId}`);
    return set;
  }
}
