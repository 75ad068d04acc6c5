import { z } from 'zod';
import {
  Agreement,
  AgreementIdRequest,
  Course,
  DecideRecognitionRequest,
  DefineCourseRequest,
  DomainError,
  EVENTS,
  EarnedCredit,
  LearnerRequest,
  OrgPageRequest,
  ProposeAgreementRequest,
  Recognition,
  RecordEarnedCreditRequest,
  RequestRecognitionRequest,
  canonicalJson,
  parseJsonArg,
} from '@edu-ledger/domain';
import { requireActsFor, requireOrg, requireRole, resolveCaller } from './caller.js';
import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import { K } from './keys.js';
import { requireSubject } from './subjects.js';
import { emit, key, listRecords, pageRecords, readRecord, txTime, writeRecord } from './store.js';

const RecognisedOnce = z.object({ recognitionId: z.string() });
const INSTITUTION_ADMIN = ['school-admin'] as const;

/**
 * Credit bank (学分银行): course catalogues, mutual-recognition agreements that take effect only
 * when both institutions approve, credits earned at one institution and recognised at another.
 * "At most once per target institution" is a ledger key written by the request itself, so two
 * concurrent requests for the same credit conflict under MVCC and exactly one commits.
 */
@Info({ title: 'CreditBank', description: 'Course catalogues, agreements, earned and recognised credits' })
export class CreditBankContract extends LedgerContract {
  constructor() {
    super('creditbank');
  }

  @Transaction()
  async DefineCourse(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(DefineCourseRequest, requestJson, 'DefineCourse');
    const caller = await requireRole(ctx, INSTITUTION_ADMIN);
    const course: Course = { ...request, orgId: caller.org.orgId, updatedAt: txTime(ctx) };
    await writeRecord(ctx, key(ctx, K.course, course.orgId, course.courseId), Course, course);
    emit(ctx, EVENTS.courseDefined, { orgId: course.orgId, courseId: course.courseId });
    return canonicalJson(course);
  }

  @Transaction(false)
  async ListCourses(ctx: Context, requestJson: string): Promise<string> {
    const { orgId, ...page } = parseJsonArg(OrgPageRequest, requestJson, 'ListCourses');
    return canonicalJson(await pageRecords(ctx, Course, page, K.course, orgId));
  }

  /** Proposed by one institution (which approves it by proposing); effective once the partner approves. */
  @Transaction()
  async ProposeAgreement(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(ProposeAgreementRequest, requestJson, 'ProposeAgreement');
    const caller = await requireRole(ctx, INSTITUTION_ADMIN);
    const orgs: [string, string] = [caller.org.orgId, request.partnerOrgId];
    if (orgs[0] === orgs[1]) throw new DomainError('INVALID_ARGUMENT', 'an agreement needs two institutions');
    await requireOrg(ctx, request.partnerOrgId);
    if (Date.parse(request.validFrom) >= Date.parse(request.validUntil)) {
      throw new DomainError('INVALID_ARGUMENT', 'validFrom must be before validUntil');
    }
    for (const m of request.mappings) {
      if (!orgs.includes(m.fromOrg) || !orgs.includes(m.toOrg) || m.fromOrg === m.toOrg) {
        throw new DomainError('INVALID_ARGUMENT', 'each mapping goes from one party to the other');
      }
      for (const [org, course] of [
        [m.fromOrg, m.fromCourse],
        [m.toOrg, m.toCourse],
      ] as const) {
        if (!(await readRecord(ctx, key(ctx, K.course, org, course), Course))) {
          throw new DomainError('NOT_FOUND', `course ${course} is not in ${org}'s catalogue`);
        }
      }
    }
    const agreementKey = key(ctx, K.agreement, request.agreementId);
    if (await readRecord(ctx, agreementKey, Agreement)) {
      throw new DomainError('ALREADY_EXISTS', `agreement ${request.agreementId} exists`);
    }
    const agreement: Agreement = {
      agreementId: request.agreementId,
      orgs,
      mappings: request.mappings,
      capPerLearner: request.capPerLearner,
      validFrom: request.validFrom,
      validUntil: request.validUntil,
      approvals: [{ orgId: caller.org.orgId, at: txTime(ctx) }],
      state: 'proposed',
    };
    await writeRecord(ctx, agreementKey, Agreement, agreement);
    emit(ctx, EVENTS.agreementProposed, { agreementId: agreement.agreementId, orgs });
    return canonicalJson(agreement);
  }

  @Transaction()
  async ApproveAgreement(ctx: Context, requestJson: string): Promise<string> {
    const { agreementId } = parseJsonArg(AgreementIdRequest, requestJson, 'ApproveAgreement');
    const caller = await requireRole(ctx, INSTITUTION_ADMIN);
    const agreementKey = key(ctx, K.agreement, agreementId);
    const agreement = await readRecord(ctx, agreementKey, Agreement);
    if (!agreement) throw new DomainError('NOT_FOUND', `no agreement ${agreementId}`);
    if (!agreement.orgs.includes(caller.org.orgId))
      throw new DomainError('FORBIDDEN_ORG', 'not a party to this agreement');
    if (agreement.approvals.some((a) => a.orgId === caller.org.orgId)) {
      throw new DomainError('INVALID_STATE', 'this institution has already approved');
    }
    agreement.approvals.push({ orgId: caller.org.orgId, at: txTime(ctx) });
    agreement.state = 'effective';
    await writeRecord(ctx, agreementKey, Agreement, agreement);
    emit(ctx, EVENTS.agreementEffective, { agreementId });
    return canonicalJson(agreement);
  }

  @Transaction(false)
  async GetAgreement(ctx: Context, requestJson: string): Promise<string> {
    const { agreementId } = parseJsonArg(AgreementIdRequest, requestJson, 'GetAgreement');
    const caller = await resolveCaller(ctx);
    const agreement = await readRecord(ctx, key(ctx, K.agreement, agreementId), Agreement);
    if (!agreement) throw new DomainError('NOT_FOUND', `no agreement ${agreementId}`);
    await requireActsFor(
      ctx,
      caller,
      agreement.orgs,
      'only the parties and their own bureaus read an agreement',
    );
    return canonicalJson(agreement);
  }

  /** The teaching institution records credits a learner earned on one of its catalogue courses. */
  @Transaction()
  async RecordEarnedCredit(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RecordEarnedCreditRequest, requestJson, 'RecordEarnedCredit');
    const caller = await requireRole(ctx, ['school-admin', 'teacher']);
    await requireSubject(ctx, request.learnerId, 'student');
    const course = await readRecord(ctx, key(ctx, K.course, caller.org.orgId, request.courseId), Course);
    if (!course) throw new DomainError('NOT_FOUND', `course ${request.courseId} is not in your catalogue`);
    if (request.credits > course.credits)
      throw new DomainError('INVALID_ARGUMENT', 'more credits than the course carries');
    const earnedKey = key(ctx, K.earned, request.learnerId, request.creditId);
    if (await readRecord(ctx, earnedKey, EarnedCredit))
      throw new DomainError('ALREADY_EXISTS', `credit ${request.creditId} exists`);
    const earned: EarnedCredit = { ...request, orgId: caller.org.orgId, recordedAt: txTime(ctx) };
    await writeRecord(ctx, earnedKey, EarnedCredit, earned);
    emit(ctx, EVENTS.creditEarned, {
      learnerId: earned.learnerId,
      creditId: earned.creditId,
      orgId: earned.orgId,
    });
    return canonicalJson(earned);
  }

  /** Requested by the teaching institution on the learner's behalf; reserves the once-per-target key. */
  @Transaction()
  async RequestRecognition(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RequestRecognitionRequest, requestJson, 'RequestRecognition');
    const caller = await requireRole(ctx, ['school-admin', 'teacher']);
    const earned = await readRecord(
      ctx,
      key(ctx, K.earned, request.learnerId, request.creditId),
      EarnedCredit,
    );
    if (!earned) throw new DomainError('NOT_FOUND', `no earned credit ${request.creditId} for this learner`);
    if (earned.orgId !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', 'credits are put forward by the institution that awarded them');
    const agreement = await readRecord(ctx, key(ctx, K.agreement, request.agreementId), Agreement);
    if (!agreement) throw new DomainError('NOT_FOUND', `no agreement ${request.agreementId}`);
    // A request under an agreement the partner has not approved would hold the credit's
    // once-per-target key for something the target cannot grant.
    requireInForce(agreement, txTime(ctx));
    const mapping = agreement.mappings.find(
      (m) => m.fromOrg === earned.orgId && m.fromCourse === earned.courseId && m.toOrg === request.toOrg,
    );
    if (!mapping)
      throw new DomainError('INVALID_ARGUMENT', 'the agreement maps no course at the target for this credit');
    const onceKey = key(ctx, K.recognisedOnce, earned.creditId, request.toOrg);
    if (await readRecord(ctx, onceKey, RecognisedOnce)) {
      throw new DomainError(
        'ALREADY_EXISTS',
        `credit ${earned.creditId} is already recognised or pending at ${request.toOrg}`,
      );
    }
    const recognitionKey = key(ctx, K.recognition, request.learnerId, request.recognitionId);
    if (await readRecord(ctx, recognitionKey, Recognition)) {
      throw new DomainError('ALREADY_EXISTS', `recognition ${request.recognitionId} exists`);
    }
    const recognition: Recognition = {
      ...request,
      fromOrg: earned.orgId,
      toCourse: mapping.toCourse,
      credits: Math.round(earned.credits * mapping.ratio * 100) / 100,
      state: 'requested',
      requestedAt: txTime(ctx),
    };
    await writeRecord(ctx, recognitionKey, Recognition, recognition);
    await writeRecord(ctx, onceKey, RecognisedOnce, { recognitionId: recognition.recognitionId });
    emit(ctx, EVENTS.recognitionRequested, {
      recognitionId: recognition.recognitionId,
      toOrg: recognition.toOrg,
    });
    return canonicalJson(recognition);
  }

  /**
   * The target institution approves (agreement effective and in force, cap respected) or rejects;
   * a reason arrives as the salted digest the gateway computed over the text it sealed.
   */
  @Transaction()
  async DecideRecognition(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(DecideRecognitionRequest, requestJson, 'DecideRecognition');
    const caller = await requireRole(ctx, INSTITUTION_ADMIN);
    const recognitionKey = key(ctx, K.recognition, request.learnerId, request.recognitionId);
    const recognition = await readRecord(ctx, recognitionKey, Recognition);
    if (!recognition) throw new DomainError('NOT_FOUND', `no recognition ${request.recognitionId}`);
    if (recognition.toOrg !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', 'only the target institution decides');
    if (recognition.state !== 'requested')
      throw new DomainError('INVALID_STATE', `recognition is ${recognition.state}`);
    const now = txTime(ctx);
    if (request.approve) {
      const agreement = await readRecord(ctx, key(ctx, K.agreement, recognition.agreementId), Agreement);
      if (!agreement) throw new DomainError('NOT_FOUND', `no agreement ${recognition.agreementId}`);
      requireInForce(agreement, now);
      const already = (await listRecords(ctx, Recognition, K.recognition, recognition.learnerId))
        .filter((r) => r.agreementId === agreement.agreementId && r.state === 'approved')
        .reduce((sum, r) => sum + r.credits, 0);
      if (already + recognition.credits > agreement.capPerLearner) {
        throw new DomainError(
          'INVALID_STATE',
          `the agreement caps recognition at ${agreement.capPerLearner} credits per learner`,
        );
      }
    }
    const decided: Recognition = {
      ...recognition,
      state: request.approve ? 'approved' : 'rejected',
      decidedAt: now,
      // Only the digest: the reason is free text about the learner, and the ledger is immutable.
      ...(request.reasonDigest ? { reasonDigest: request.reasonDigest } : {}),
    };
    await writeRecord(ctx, recognitionKey, Recognition, decided);
    // A rejected request frees the credit for another request to the same institution.
    if (!request.approve)
      await ctx.stub.deleteState(key(ctx, K.recognisedOnce, recognition.creditId, recognition.toOrg));
    emit(ctx, EVENTS.recognitionDecided, { recognitionId: decided.recognitionId, state: decided.state });
    return canonicalJson(decided);
  }

  /** Earned and recognised credits of one learner, with totals per institution. */
  @Transaction(false)
  async GetLearnerStatement(ctx: Context, requestJson: string): Promise<string> {
    const { learnerId } = parseJsonArg(LearnerRequest, requestJson, 'GetLearnerStatement');
    const caller = await resolveCaller(ctx);
    const earned = await listRecords(ctx, EarnedCredit, K.earned, learnerId);
    const recognitions = await listRecords(ctx, Recognition, K.recognition, learnerId);
    // The institutions in the statement and their own bureaus; an empty statement reveals nothing.
    const involved = [...earned.map((e) => e.orgId), ...recognitions.flatMap((r) => [r.fromOrg, r.toOrg])];
    if (involved.length > 0)
      await requireActsFor(
        ctx,
        caller,
        involved,
        'this learner has no credits at your institution or its schools',
      );
    const balance: Record<string, { earned: number; recognised: number }> = {};
    for (const e of earned) {
      const b = (balance[e.orgId] ??= { earned: 0, recognised: 0 });
      b.earned += e.credits;
    }
    for (const r of recognitions.filter((x) => x.state === 'approved')) {
      const b = (balance[r.toOrg] ??= { earned: 0, recognised: 0 });
      b.recognised += r.credits;
    }
    return canonicalJson({ learnerId, earned, recognitions, balance });
  }
}

/** Refuses an agreement that both institutions have not approved, or whose validity window excludes `now`. */
function requireInForce(agreement: Agreement, now: string): void {
  if (agreement.state !== 'effective') {
    throw new DomainError(
      'INVALID_STATE',
      `协议 ${agreement.agreementId} 尚未生效，须双方院校批准 / agreement ${agreement.agreementId} is not effective: both institutions must approve it`,
    );
  }
  const at = Date.parse(now);
  if (at < Date.parse(agreement.validFrom) || at >= Date.parse(agreement.validUntil)) {
    throw new DomainError(
      'INVALID_STATE',
      `协议 ${agreement.agreementId} 不在有效期内 / agreement ${agreement.agreementId} is not in force (${agreement.validFrom} to ${agreement.validUntil})`,
    );
  }
}
