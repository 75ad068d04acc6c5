import { z } from 'zod';
import { HexDigest, LocalisedText, OrgId, Timestamp } from './primitives.js';

/** Inspection workflow states (教育督导). Moves only along INSPECTION_TRANSITIONS. */
export const INSPECTION_STATES = [
  'planned',
  'actions-required',
  'responded',
  'reinspected',
  'closed',
] as const;
export const InspectionState = z.enum(INSPECTION_STATES);
export type InspectionState = z.infer<typeof InspectionState>;

/** Which transaction may move an inspection from which state. */
export const INSPECTION_TRANSITIONS = {
  RecordVisit: ['planned'],
  RespondToActions: ['actions-required'],
  Reinspect: ['responded'],
  CloseInspection: ['planned', 'reinspected', 'actions-required'],
} as const satisfies Record<string, readonly InspectionState[]>;

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and hyphens');

export const IndicatorScore = z.object({
  indicator: Slug,
  label: LocalisedText.optional(),
  score: z.number().min(0).max(1000),
  maxScore: z.number().positive().max(1000),
});

export const CorrectiveAction = z.object({
  actionId: Slug,
  description: z.string().min(1).max(1000),
  deadline: Timestamp,
  status: z.enum(['open', 'responded', 'resolved']),
  response: z
    .object({
      respondedAt: Timestamp,
      note: z.string().max(2000),
      /** Digests of evidence files kept by the school; the files never go on the ledger. */
      evidenceDigests: z.array(HexDigest).max(20),
    })
    .optional(),
});
export type CorrectiveAction = z.infer<typeof CorrectiveAction>;

export const Inspection = z.object({
  inspectionId: Slug,
  schoolId: OrgId,
  bureauId: OrgId,
  indicatorSystem: Slug,
  title: LocalisedText,
  plannedFor: Timestamp,
  state: InspectionState,
  visit: z
    .object({
      visitedAt: Timestamp,
      scores: z.array(IndicatorScore).max(100),
      findings: z.string().max(4000),
    })
    .optional(),
  actions: z.array(CorrectiveAction).max(50),
  reinspections: z
    .array(z.object({ at: Timestamp, passed: z.boolean(), notes: z.string().max(4000) }))
    .max(20),
  closedAt: Timestamp.optional(),
  updatedAt: Timestamp,
});
export type Inspection = z.infer<typeof Inspection>;

export const PlanInspectionRequest = Inspection.pick({
  inspectionId: true,
  schoolId: true,
  indicatorSystem: true,
  title: true,
  plannedFor: true,
});

export const RecordVisitRequest = z.object({
  inspectionId: Slug,
  scores: z.array(IndicatorScore).min(1).max(100),
  findings: z.string().max(4000),
  actions: z
    .array(CorrectiveAction.pick({ actionId: true, description: true, deadline: true }))
    .max(50)
    .refine((a) => new Set(a.map((x) => x.actionId)).size === a.length, 'action ids must be unique'),
});

export const RespondToActionsRequest = z.object({
  inspectionId: Slug,
  responses: z
    .array(
      z.object({
        actionId: Slug,
        note: z.string().max(2000),
        evidenceDigests: z.array(HexDigest).max(20),
      }),
    )
    .min(1),
});

export const ReinspectRequest = z.object({
  inspectionId: Slug,
  passed: z.boolean(),
  notes: z.string().max(4000),
  /** New corrective actions when the re-inspection fails. */
  actions: RecordVisitRequest.shape.actions.default([]),
});

export const CloseInspectionRequest = z.object({
  inspectionId: Slug,
  notes: z.string().max(4000).default(''),
});
export const InspectionIdRequest = z.object({ inspectionId: Slug });
export const OverdueQuery = z.object({ at: Timestamp, schoolId: OrgId.optional() });

/** School development evaluation (学校发展性评价): self and external scores per period. */
export const EvaluationReport = z.object({
  schoolId: OrgId,
  period: z.string().regex(/^\d{4}(-(S1|S2|Q[1-4]))?$/, 'a year, or year-S1/S2, or year-Q1..Q4'),
  source: z.enum(['self', 'external']),
  scores: z.array(IndicatorScore).min(1).max(100),
  summary: z.string().max(4000),
  submittedBy: OrgId,
  submittedAt: Timestamp,
});
export type EvaluationReport = z.infer<typeof EvaluationReport>;

export const SubmitEvaluationRequest = EvaluationReport.pick({
  schoolId: true,
  period: true,
  scores: true,
  summary: true,
});
export const EvaluationQuery = z.object({
  schoolId: OrgId,
  period: EvaluationReport.shape.period.optional(),
});
