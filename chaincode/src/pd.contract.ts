import {
  CompletionRef,
  ConfirmCompletionRequest,
  DefinePdRulesRequest,
  DomainError,
  EVENTS,
  PdCompletion,
  PdRules,
  RecordCompletionRequest,
  RecordTeacherEvaluationRequest,
  TeacherEvaluation,
  TeacherProgressQuery,
  TeacherRequest,
  LedgerSubject,
  Organization,
  canonicalJson,
  parseJsonArg,
} from '@edu-ledger/domain';
import { actsFor, requireActsFor, requireOrg, requireRole, resolveCaller, type Caller } from './caller.js';
import type { LedgerContext } from './ledger-context.js';
import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import { K } from './keys.js';
import { findSubject, requireSubject } from './subjects.js';
import { checkAccreditation } from './registry.contract.js';
import { emit, key, listRecords, readRecord, txTime, writeRecord } from './store.js';

/** Providers must be accredited for this type to record completions. */
export const PD_ACCREDITATION_TYPE = 'PdCompletionCredential';

/** The rules in force at an instant: the latest version whose effectiveFrom is not after it. */
function rulesAt(all: PdRules[], at: number): PdRules | undefined {
  return all
    .filter((r) => Date.parse(r.effectiveFrom) <= at)
    .sort((a, b) => Date.parse(b.effectiveFrom) - Date.parse(a.effectiveFrom))[0];
}

/**
 * Every version of the rules set by this school's own bureau (a bureau's own id for a bureau):
 * localities set their own conversion rules, so another bureau's rules never apply.
 */
async function bureauRules(ctx: LedgerContext, org: Organization): Promise<PdRules[]> {
  const bureauId = org.kind === 'bureau' ? org.orgId : org.parentBureauId;
  if (bureauId === undefined) throw new DomainError('INVALID_STATE', `${org.orgId} is under no bureau`);
  return listRecords(ctx, PdRules, K.pdRules, bureauId);
}

/**
 * Whose bureau's rules measure a teacher's progress: the teacher's school on the ledger; for a
 * person registered before the ledger knew owners, the school of the latest completion; else the
 * reader's own organisation.
 */
function progressSchool(
  caller: Caller,
  teacher: LedgerSubject | undefined,
  completions: readonly PdCompletion[],
): string {
  if (teacher) return teacher.ownerOrgId;
  const latest = [...completions].sort((a, b) => Date.parse(b.recordedAt) - Date.parse(a.recordedAt))[0];
  return latest?.schoolId ?? caller.org.orgId;
}

function addYears(iso: string, years: number): number {
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
}

/**
 * Teacher professional development (教师继续教育学分): bureau rules convert hours to credits per
 * activity kind; an accredited provider records a completion; the teacher's school confirms it;
 * only confirmed completions count, capped per kind within the bureau's cycle.
 */
@Info({
  title: 'ProfessionalDevelopment',
  description: 'PD rules, completions, progress and teacher evaluations',
})
export class PdContract extends LedgerContract {
  constructor() {
    super('pd');
  }

  @Transaction()
  async DefineRules(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(DefinePdRulesRequest, requestJson, 'DefineRules');
    const caller = await requireRole(ctx, ['bureau-admin']);
    if (caller.org.kind !== 'bureau') throw new DomainError('FORBIDDEN_ORG', 'PD rules are set by a bureau');
    // Keyed by the defining bureau: its rules bind its own schools' teachers and no other region's.
    const rulesKey = key(ctx, K.pdRules, caller.org.orgId, request.version);
    if (await readRecord(ctx, rulesKey, PdRules))
      throw new DomainError('ALREADY_EXISTS', `rules ${request.version} of ${caller.org.orgId} exist`);
    if (new Set(request.kinds.map((k) => k.kind)).size !== request.kinds.length) {
      throw new DomainError('INVALID_ARGUMENT', 'each activity kind appears once');
    }
    const rules: PdRules = { ...request, definedBy: caller.org.orgId, definedAt: txTime(ctx) };
    await writeRecord(ctx, rulesKey, PdRules, rules);
    emit(ctx, EVENTS.pdRulesDefined, {
      bureauId: rules.definedBy,
      version: rules.version,
      effectiveFrom: rules.effectiveFrom,
    });
    return canonicalJson(rules);
  }

  @Transaction(false)
  async ListRules(ctx: Context): Promise<string> {
    return canonicalJson(await listRecords(ctx, PdRules, K.pdRules));
  }

  /** An accredited provider records a completion; credits are computed with the rules in force on that day. */
  @Transaction()
  async RecordCompletion(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RecordCompletionRequest, requestJson, 'RecordCompletion');
    const caller = await requireRole(ctx, ['provider-admin', 'school-admin']);
    const now = txTime(ctx);
    const accredited = await checkAccreditation(ctx, {
      orgId: caller.org.orgId,
      credentialType: PD_ACCREDITATION_TYPE,
      at: now,
    });
    if (!accredited.accredited) {
      throw new DomainError(
        'NOT_ACCREDITED',
        `${caller.org.orgId} is not accredited to record PD: ${accredited.reason}`,
      );
    }
    const teacher = await requireSubject(ctx, request.teacherId, 'teacher');
    const school = await requireOrg(ctx, request.schoolId);
    if (school.kind !== 'school')
      throw new DomainError('INVALID_ARGUMENT', `${school.orgId} is not a school`);
    // The school that confirms and whose bureau's rules count is the teacher's own, as the ledger
    // records it; a provider cannot send a completion to another school for confirmation.
    if (teacher.ownerOrgId !== school.orgId)
      throw new DomainError(
        'INVALID_ARGUMENT',
        `teacher ${teacher.subjectId} is not on ${school.orgId}'s staff`,
      );
    if (Date.parse(request.completedOn) > Date.parse(now))
      throw new DomainError('INVALID_ARGUMENT', 'completedOn is in the future');
    const rules = rulesAt(await bureauRules(ctx, school), Date.parse(request.completedOn));
    if (!rules)
      throw new DomainError(
        'INVALID_STATE',
        `no PD rules of ${school.orgId}'s bureau were in force on that day`,
      );
    const kind = rules.kinds.find((k) => k.kind === request.activityKind);
    if (!kind)
      throw new DomainError(
        'INVALID_ARGUMENT',
        `rules ${rules.version} do not count ${request.activityKind}`,
      );
    const completionKey = key(ctx, K.pdCompletion, request.teacherId, request.completionId);
    if (await readRecord(ctx, completionKey, PdCompletion)) {
      throw new DomainError('ALREADY_EXISTS', `completion ${request.completionId} exists`);
    }
    const completion: PdCompletion = {
      ...request,
      providerId: caller.org.orgId,
      rulesVersion: rules.version,
      credits: Math.round((request.hours / kind.hoursPerCredit) * 10) / 10,
      state: 'recorded',
      recordedAt: now,
    };
    await writeRecord(ctx, completionKey, PdCompletion, completion);
    emit(ctx, EVENTS.pdCompletionRecorded, {
      teacherId: completion.teacherId,
      completionId: completion.completionId,
    });
    return canonicalJson(completion);
  }

  /** The teacher's school confirms (credits then accrue) or rejects a recorded completion. */
  @Transaction()
  async ConfirmCompletion(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(ConfirmCompletionRequest, requestJson, 'ConfirmCompletion');
    const caller = await requireRole(ctx, ['school-admin']);
    const completionKey = key(ctx, K.pdCompletion, request.teacherId, request.completionId);
    const completion = await readRecord(ctx, completionKey, PdCompletion);
    if (!completion) throw new DomainError('NOT_FOUND', `no completion ${request.completionId}`);
    if (completion.schoolId !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', "only the teacher's school confirms");
    if (completion.state !== 'recorded')
      throw new DomainError('INVALID_STATE', `completion is ${completion.state}`);
    const decided: PdCompletion = {
      ...completion,
      state: request.confirm ? 'confirmed' : 'rejected',
      decidedAt: txTime(ctx),
    };
    await writeRecord(ctx, completionKey, PdCompletion, decided);
    emit(ctx, EVENTS.pdCompletionDecided, {
      teacherId: decided.teacherId,
      completionId: decided.completionId,
      state: decided.state,
    });
    return canonicalJson(decided);
  }

  @Transaction(false)
  async GetCompletion(ctx: Context, requestJson: string): Promise<string> {
    const ref = parseJsonArg(CompletionRef, requestJson, 'GetCompletion');
    const caller = await resolveCaller(ctx);
    const completion = await readRecord(
      ctx,
      key(ctx, K.pdCompletion, ref.teacherId, ref.completionId),
      PdCompletion,
    );
    if (!completion) throw new DomainError('NOT_FOUND', `no completion ${ref.completionId}`);
    await requireActsFor(
      ctx,
      caller,
      [completion.providerId, completion.schoolId],
      'only the provider, the school and their own bureaus read a completion',
    );
    return canonicalJson(completion);
  }

  /** Totals per kind (capped) within the cycle containing `at`, and progress toward the requirement. */
  @Transaction(false)
  async GetTeacherProgress(ctx: Context, requestJson: string): Promise<string> {
    const query = parseJsonArg(TeacherProgressQuery, requestJson, 'GetTeacherProgress');
    const caller = await resolveCaller(ctx);
    const all = await listRecords(ctx, PdCompletion, K.pdCompletion, query.teacherId);
    // Schools and providers with a completion of this teacher, and their own bureaus.
    if (all.length > 0)
      await requireActsFor(
        ctx,
        caller,
        all.flatMap((c) => [c.schoolId, c.providerId]),
        'this teacher has no completions at your organisation or its schools',
      );
    const at = Date.parse(query.at);
    const rules = rulesAt(
      await bureauRules(
        ctx,
        await requireOrg(ctx, progressSchool(caller, await findSubject(ctx, query.teacherId), all)),
      ),
      at,
    );
    if (!rules)
      throw new DomainError('INVALID_STATE', "no PD rules of the teacher's bureau in force at that time");
    let cycleStart = Date.parse(rules.effectiveFrom);
    while (addYears(new Date(cycleStart).toISOString(), rules.cycleYears) <= at) {
      cycleStart = addYears(new Date(cycleStart).toISOString(), rules.cycleYears);
    }
    const cycleEnd = addYears(new Date(cycleStart).toISOString(), rules.cycleYears);
    const completions = all.filter((c) => {
      const done = Date.parse(c.completedOn);
      return c.state === 'confirmed' && done >= cycleStart && done < cycleEnd;
    });
    const byKind = rules.kinds.map((k) => {
      const raw = completions.filter((c) => c.activityKind === k.kind).reduce((sum, c) => sum + c.credits, 0);
      return {
        kind: k.kind,
        label: k.label,
        earned: Math.round(raw * 10) / 10,
        counted: Math.round(Math.min(raw, k.capCredits) * 10) / 10,
        cap: k.capCredits,
      };
    });
    const total = Math.round(byKind.reduce((sum, k) => sum + k.counted, 0) * 10) / 10;
    return canonicalJson({
      teacherId: query.teacherId,
      rulesVersion: rules.version,
      creditUnit: rules.creditUnit,
      cycle: { from: new Date(cycleStart).toISOString(), until: new Date(cycleEnd).toISOString() },
      byKind,
      total,
      required: rules.requiredCredits,
      progress: Math.min(1, Math.round((total / rules.requiredCredits) * 1000) / 1000),
      pending: all.filter((c) => c.state === 'recorded').length,
      /** Schools that confirmed credits counted in this cycle: they may issue its summary. */
      schools: [...new Set(completions.map((c) => c.schoolId))].sort(),
    });
  }

  /**
   * A school records one evaluation per teacher and period. Notes about the teacher never reach the
   * ledger: the request carries only the salted digest of the notes the gateway sealed.
   */
  @Transaction()
  async RecordTeacherEvaluation(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RecordTeacherEvaluationRequest, requestJson, 'RecordTeacherEvaluation');
    const caller = await requireRole(ctx, ['school-admin']);
    // The teacher's own school, from the ledger: any other school recording first would block it.
    const teacher = await requireSubject(ctx, request.teacherId, 'teacher');
    if (teacher.ownerOrgId !== caller.org.orgId)
      throw new DomainError('FORBIDDEN_ORG', "only the teacher's own school records an evaluation");
    if (new Set(request.scores.map((s) => s.dimension)).size !== request.scores.length) {
      throw new DomainError('INVALID_ARGUMENT', 'each dimension appears once');
    }
    const evalKey = key(ctx, K.teacherEvaluation, request.teacherId, request.period);
    if (await readRecord(ctx, evalKey, TeacherEvaluation)) {
      throw new DomainError('ALREADY_EXISTS', `an evaluation for ${request.period} exists`);
    }
    const evaluation: TeacherEvaluation = {
      ...request,
      schoolId: caller.org.orgId,
      evaluatedAt: txTime(ctx),
    };
    await writeRecord(ctx, evalKey, TeacherEvaluation, evaluation);
    emit(ctx, EVENTS.teacherEvaluated, { teacherId: evaluation.teacherId, period: evaluation.period });
    return canonicalJson(evaluation);
  }

  @Transaction(false)
  async ListTeacherEvaluations(ctx: Context, requestJson: string): Promise<string> {
    const { teacherId } = parseJsonArg(TeacherRequest, requestJson, 'ListTeacherEvaluations');
    const caller = await resolveCaller(ctx);
    const evaluations = await listRecords(ctx, TeacherEvaluation, K.teacherEvaluation, teacherId);
    // The evaluating school and its own bureau: evaluations feed appointment and promotion.
    const visible = [];
    for (const e of evaluations) if (await actsFor(ctx, caller, [e.schoolId])) visible.push(e);
    return canonicalJson(visible);
  }
}
