import { z } from 'zod';
import {
  CloseInspectionRequest,
  DomainError,
  EVENTS,
  EvaluationQuery,
  EvaluationReport,
  INSPECTION_TRANSITIONS,
  Inspection,
  InspectionIdRequest,
  OrgId,
  OverdueQuery,
  PlanInspectionRequest,
  RecordVisitRequest,
  ReinspectRequest,
  RespondToActionsRequest,
  SubmitEvaluationRequest,
  canonicalJson,
  OrgPageRequest,
  parseJsonArg,
} from '@edu-ledger/domain';
import { actsFor, requireActsFor, requireOrg, requireRole, resolveCaller, type Caller } from './caller.js';
import { Context, Info, Transaction } from './fabric.js';
import { LedgerContract } from './requests.js';
import type { LedgerContext } from './ledger-context.js';
import { K } from './keys.js';
import { emit, key, listRecords, pageRecords, readRecord, txTime, writeRecord } from './store.js';

/** Index from inspection id to its school, so look-ups by id need no scan. */
const InspectionRef = z.object({ schoolId: OrgId });

/**
 * Inspections (教育督导) and school development evaluation (学校发展性评价). An inspection moves
 * planned -> actions-required -> responded -> reinspected -> closed, and only along that path:
 * inspectors plan, visit, re-inspect and close; the school only responds.
 */
@Info({ title: 'Inspection', description: 'Inspections and school development evaluation' })
export class InspectionContract extends LedgerContract {
  constructor() {
    super('inspection');
  }

  @Transaction()
  async PlanInspection(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(PlanInspectionRequest, requestJson, 'PlanInspection');
    const caller = await requireRole(ctx, ['inspector']);
    const school = await requireOrg(ctx, request.schoolId);
    if (school.parentBureauId !== caller.org.orgId) {
      throw new DomainError('FORBIDDEN_ORG', `${school.orgId} is not under bureau ${caller.org.orgId}`);
    }
    const inspectionKey = key(ctx, K.inspection, school.orgId, request.inspectionId);
    if (await readRecord(ctx, inspectionKey, Inspection)) {
      throw new DomainError('ALREADY_EXISTS', `inspection ${request.inspectionId} exists`);
    }
    const inspection: Inspection = {
      ...request,
      bureauId: caller.org.orgId,
      state: 'planned',
      actions: [],
      reinspections: [],
      updatedAt: txTime(ctx),
    };
    if (await readRecord(ctx, key(ctx, K.inspectionIndex, request.inspectionId), InspectionRef)) {
      throw new DomainError('ALREADY_EXISTS', `inspection id ${request.inspectionId} is taken`);
    }
    await writeRecord(ctx, inspectionKey, Inspection, inspection);
    await writeRecord(ctx, key(ctx, K.inspectionIndex, request.inspectionId), InspectionRef, {
      schoolId: school.orgId,
    });
    emit(ctx, EVENTS.inspectionPlanned, {
      inspectionId: inspection.inspectionId,
      schoolId: inspection.schoolId,
    });
    return canonicalJson(inspection);
  }

  @Transaction()
  async RecordVisit(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RecordVisitRequest, requestJson, 'RecordVisit');
    const { inspection, inspectionKey } = await this.forInspector(ctx, request.inspectionId, 'RecordVisit');
    const now = txTime(ctx);
    inspection.visit = { visitedAt: now, scores: request.scores, findings: request.findings };
    inspection.actions = request.actions.map((a) => ({ ...a, status: 'open' as const }));
    inspection.state = inspection.actions.length > 0 ? 'actions-required' : 'reinspected';
    inspection.updatedAt = now;
    await writeRecord(ctx, inspectionKey, Inspection, inspection);
    emit(ctx, EVENTS.inspectionVisited, {
      inspectionId: inspection.inspectionId,
      actions: inspection.actions.length,
    });
    return canonicalJson(inspection);
  }

  /** The school answers every open corrective action it names, with evidence digests. */
  @Transaction()
  async RespondToActions(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(RespondToActionsRequest, requestJson, 'RespondToActions');
    const caller = await requireRole(ctx, ['school-admin', 'teacher']);
    const { inspection, inspectionKey } = await this.find(ctx, request.inspectionId, caller.org.orgId);
    requireState(inspection, 'RespondToActions');
    const now = txTime(ctx);
    for (const response of request.responses) {
      const action = inspection.actions.find((a) => a.actionId === response.actionId);
      if (!action) throw new DomainError('NOT_FOUND', `no corrective action ${response.actionId}`);
      if (action.status !== 'open')
        throw new DomainError('INVALID_STATE', `action ${response.actionId} is not open`);
      action.status = 'responded';
      action.response = { respondedAt: now, note: response.note, evidenceDigests: response.evidenceDigests };
    }
    if (inspection.actions.some((a) => a.status === 'open')) {
      throw new DomainError('INVALID_STATE', 'every open corrective action needs a response');
    }
    inspection.state = 'responded';
    inspection.updatedAt = now;
    await writeRecord(ctx, inspectionKey, Inspection, inspection);
    emit(ctx, EVENTS.inspectionResponded, { inspectionId: inspection.inspectionId });
    return canonicalJson(inspection);
  }

  @Transaction()
  async Reinspect(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(ReinspectRequest, requestJson, 'Reinspect');
    const { inspection, inspectionKey } = await this.forInspector(ctx, request.inspectionId, 'Reinspect');
    const now = txTime(ctx);
    inspection.reinspections.push({ at: now, passed: request.passed, notes: request.notes });
    if (request.passed) {
      for (const action of inspection.actions) action.status = 'resolved';
      inspection.state = 'reinspected';
    } else {
      if (request.actions.length === 0) {
        throw new DomainError('INVALID_ARGUMENT', 'a failed re-inspection must set new corrective actions');
      }
      const taken = new Set(inspection.actions.map((a) => a.actionId));
      if (request.actions.some((a) => taken.has(a.actionId))) {
        throw new DomainError('ALREADY_EXISTS', 'corrective action ids must be new');
      }
      inspection.actions.push(...request.actions.map((a) => ({ ...a, status: 'open' as const })));
      inspection.state = 'actions-required';
    }
    inspection.updatedAt = now;
    await writeRecord(ctx, inspectionKey, Inspection, inspection);
    emit(ctx, EVENTS.inspectionReinspected, {
      inspectionId: inspection.inspectionId,
      passed: request.passed,
    });
    return canonicalJson(inspection);
  }

  /** Closing with open actions is refused: an inspection closes once its actions are resolved. */
  @Transaction()
  async CloseInspection(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(CloseInspectionRequest, requestJson, 'CloseInspection');
    const { inspection, inspectionKey } = await this.forInspector(
      ctx,
      request.inspectionId,
      'CloseInspection',
    );
    if (inspection.state === 'actions-required' || inspection.actions.some((a) => a.status !== 'resolved')) {
      throw new DomainError('INVALID_STATE', 'corrective actions are still open');
    }
    if (inspection.state === 'planned' && inspection.visit === undefined && request.notes.length === 0) {
      throw new DomainError('INVALID_ARGUMENT', 'closing an unvisited inspection needs notes saying why');
    }
    const now = txTime(ctx);
    inspection.state = 'closed';
    inspection.closedAt = now;
    inspection.updatedAt = now;
    await writeRecord(ctx, inspectionKey, Inspection, inspection);
    emit(ctx, EVENTS.inspectionClosed, { inspectionId: inspection.inspectionId });
    return canonicalJson(inspection);
  }

  @Transaction(false)
  async GetInspection(ctx: Context, requestJson: string): Promise<string> {
    const { inspectionId } = parseJsonArg(InspectionIdRequest, requestJson, 'GetInspection');
    const caller = await resolveCaller(ctx);
    const { inspection } = await this.find(ctx, inspectionId, undefined);
    // The school itself, the bureau that planned it, or the school's own bureau; to anyone else the
    // inspection does not exist, so its id reveals nothing about another bureau's schools.
    if (inspection.bureauId !== caller.org.orgId && !(await actsFor(ctx, caller, [inspection.schoolId]))) {
      throw new DomainError('NOT_FOUND', `no inspection ${inspectionId}`);
    }
    return canonicalJson(inspection);
  }

  @Transaction(false)
  async ListInspections(ctx: Context, requestJson: string): Promise<string> {
    const { orgId, ...page } = parseJsonArg(OrgPageRequest, requestJson, 'ListInspections');
    const caller = await resolveCaller(ctx);
    await requireActsFor(
      ctx,
      caller,
      [orgId],
      'a school sees its own inspections, a bureau those of its schools',
    );
    return canonicalJson(await pageRecords(ctx, Inspection, page, K.inspection, orgId));
  }

  /** Open corrective actions past their deadline at `at`, for the caller's bureau. */
  @Transaction(false)
  async ListOverdueActions(ctx: Context, requestJson: string): Promise<string> {
    const query = parseJsonArg(OverdueQuery, requestJson, 'ListOverdueActions');
    const caller = await requireRole(ctx, ['inspector', 'bureau-admin']);
    const at = Date.parse(query.at);
    const inspections = await listRecords(
      ctx,
      Inspection,
      K.inspection,
      ...(query.schoolId ? [query.schoolId] : []),
    );
    const overdue = inspections
      .filter((i) => i.bureauId === caller.org.orgId && i.state !== 'closed')
      .flatMap((i) =>
        i.actions
          .filter((a) => a.status === 'open' && Date.parse(a.deadline) < at)
          .map((a) => ({ inspectionId: i.inspectionId, schoolId: i.schoolId, ...a })),
      )
      .sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0));
    return canonicalJson(overdue);
  }

  /** A school's self-evaluation (school-admin) or an external evaluation (inspector) for a period. */
  @Transaction()
  async SubmitEvaluation(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(SubmitEvaluationRequest, requestJson, 'SubmitEvaluation');
    const caller = await requireRole(ctx, ['school-admin', 'inspector']);
    const school = await requireOrg(ctx, request.schoolId);
    const source = caller.roles.has('inspector') && caller.org.kind === 'bureau' ? 'external' : 'self';
    if (source === 'self' && caller.org.orgId !== school.orgId) {
      throw new DomainError('FORBIDDEN_ORG', 'a school evaluates only itself');
    }
    if (source === 'external' && school.parentBureauId !== caller.org.orgId) {
      throw new DomainError('FORBIDDEN_ORG', `${school.orgId} is not under bureau ${caller.org.orgId}`);
    }
    const evalKey = key(ctx, K.evaluation, school.orgId, request.period, source);
    if (await readRecord(ctx, evalKey, EvaluationReport)) {
      throw new DomainError('ALREADY_EXISTS', `a ${source} evaluation for ${request.period} exists`);
    }
    const report: EvaluationReport = {
      ...request,
      source,
      submittedBy: caller.org.orgId,
      submittedAt: txTime(ctx),
    };
    await writeRecord(ctx, evalKey, EvaluationReport, report);
    emit(ctx, EVENTS.evaluationSubmitted, { schoolId: report.schoolId, period: report.period, source });
    return canonicalJson(report);
  }

  /** Self and external evaluations side by side, per period. */
  @Transaction(false)
  async GetEvaluations(ctx: Context, requestJson: string): Promise<string> {
    const query = parseJsonArg(EvaluationQuery, requestJson, 'GetEvaluations');
    const caller = await resolveCaller(ctx);
    await requireActsFor(
      ctx,
      caller,
      [query.schoolId],
      'a school sees its own evaluations, a bureau those of its schools',
    );
    const reports = await listRecords(
      ctx,
      EvaluationReport,
      K.evaluation,
      query.schoolId,
      ...(query.period ? [query.period] : []),
    );
    const periods = [...new Set(reports.map((r) => r.period))].sort();
    return canonicalJson(
      periods.map((period) => ({
        period,
        self: reports.find((r) => r.period === period && r.source === 'self') ?? null,
        external: reports.find((r) => r.period === period && r.source === 'external') ?? null,
      })),
    );
  }

  private async find(
    ctx: LedgerContext,
    inspectionId: string,
    schoolId: string | undefined,
  ): Promise<{ inspection: Inspection; inspectionKey: string }> {
    const ref = await readRecord(ctx, key(ctx, K.inspectionIndex, inspectionId), InspectionRef);
    const inspection =
      ref && (schoolId === undefined || ref.schoolId === schoolId)
        ? await readRecord(ctx, key(ctx, K.inspection, ref.schoolId, inspectionId), Inspection)
        : undefined;
    if (!inspection) throw new DomainError('NOT_FOUND', `no inspection ${inspectionId}`);
    return {
      inspection,
      inspectionKey: key(ctx, K.inspection, inspection.schoolId, inspection.inspectionId),
    };
  }

  private async forInspector(
    ctx: LedgerContext,
    inspectionId: string,
    transition: keyof typeof INSPECTION_TRANSITIONS,
  ): Promise<{ inspection: Inspection; inspectionKey: string; caller: Caller }> {
    const caller = await requireRole(ctx, ['inspector']);
    const found = await this.find(ctx, inspectionId, undefined);
    if (found.inspection.bureauId !== caller.org.orgId) {
      throw new DomainError('FORBIDDEN_ORG', 'the inspection belongs to another bureau');
    }
    requireState(found.inspection, transition);
    return { ...found, caller };
  }
}

function requireState(inspection: Inspection, transition: keyof typeof INSPECTION_TRANSITIONS): void {
  const allowed: readonly string[] = INSPECTION_TRANSITIONS[transition];
  if (!allowed.includes(inspection.state)) {
    throw new DomainError(
      'INVALID_STATE',
      `${transition} is not allowed while the inspection is ${inspection.state}`,
    );
  }
}
