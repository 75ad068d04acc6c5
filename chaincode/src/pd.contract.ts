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
  canonicalJson,
  parseJsonArg,
} from '@edu-ledger/domain';
import { requireOrg, requireRole } from './caller.js';
import { Context, Contract, Info, Transaction } from './fabric.js';
import { K } from './keys.js';
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
export class PdContract extends Contract {
  constructor() {
    super('pd');
  }

  @Transaction()
  async DefineRules(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(DefinePdRulesRequest, requestJson, 'DefineRules');
    const caller = await requireRole(ctx, ['bureau-admin']);
    const rulesKey = key(ctx, K.pdRules, request.version);
    if (await readRecord(ctx, rulesKey, PdRules))
      throw new DomainError('ALREADY_EXISTS', `rules ${request.version} exist`);
    if (new Set(request.kinds.map((k) => k.kind)).size !== request.kinds.length) {
      throw new DomainError('INVALID_ARGUMENT', 'each activity kind appears once');
    }
    const rules: PdRules = { ...request, definedBy: caller.org.orgId, definedAt: txTime(ctx) };
    await writeRecord(ctx, rulesKey, PdRules, rules);
    emit(ctx, EVENTS.pdRulesDefined, { version: rules.version, effectiveFrom: rules.effectiveFrom });
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
    const school = await requireOrg(ctx, request.schoolId);
    if (school.kind !== 'school')
      throw new DomainError('INVALID_ARGUMENT', `${school.orgId} is not a school`);
    if (Date.parse(request.completedOn) > Date.parse(now))
      throw new DomainError('INVALID_ARGUMENT', 'completedOn is in the future');
    const rules = rulesAt(await listRecords(ctx, PdRules, K.pdRules), Date.parse(request.completedOn));
    if (!rules) throw new DomainError('INVALID_STATE', 'no PD rules were in force on that day');
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
    const completion = await readRecord(
      ctx,
      key(ctx, K.pdCompletion, ref.teacherId, ref.completionId),
      PdCompletion,
    );
    if (!completion) throw new DomainError('NOT_FOUND', `no completion ${ref.completionId}`);
    return canonicalJson(completion);
  }

  /** Totals per kind (capped) within the cycle containing `at`, and progress toward the requirement. */
  @Transaction(false)
  async GetTeacherProgress(ctx: Context, requestJson: string): Promise<string> {
    const query = parseJsonArg(TeacherProgressQuery, requestJson, 'GetTeacherProgress');
    const at = Date.parse(query.at);
    const rules = rulesAt(await listRecords(ctx, PdRules, K.pdRules), at);
    if (!rules) throw new DomainError('INVALID_STATE', 'no PD rules in force at that time');
    let cycleStart = Date.parse(rules.effectiveFrom);
    while (addYears(new Date(cycleStart).toISOString(), rules.cycleYears) <= at) {
      cycleStart = addYears(new Date(cycleStart).toISOString(), rules.cycleYears);
    }
    const cycleEnd = addYears(new Date(cycleStart).toISOString(), rules.cycleYears);
    const completions = (await listRecords(ctx, PdCompletion, K.pdCompletion, query.teacherId)).filter(
      (c) => {
        const done = Date.parse(c.completedOn);
        return c.state === 'confirmed' && done >= cycleStart && done < cycleEnd;
      },
    );
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
      pending: (await listRecords(ctx, PdCompletion, K.pdCompletion, query.teacherId)).filter(
        (c) => c.state === 'recorded',
      ).length,
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
    return canonicalJson(await listRecords(ctx, TeacherEvaluation, K.teacherEvaluation, teacherId));
  }
}
