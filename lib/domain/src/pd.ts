import { z } from 'zod';
import { LocalisedText, OrgId, SubjectId, Timestamp } from './primitives.js';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and hyphens');

/** Kinds of professional-development activity that count (教师继续教育). */
export const PD_ACTIVITY_KINDS = [
  'centralised',
  'online',
  'school-based-research',
  'informal-learning',
  'resource-building',
  'open-lesson',
] as const;
export const PdActivityKind = z.enum(PD_ACTIVITY_KINDS);
export type PdActivityKind = z.infer<typeof PdActivityKind>;

/** A bureau's conversion rules (学分转换办法), versioned; a completion uses the rules in force then. */
export const PdRules = z.object({
  version: Slug,
  effectiveFrom: Timestamp,
  cycleYears: z.number().int().min(1).max(10),
  requiredCredits: z.number().positive().max(1000),
  creditUnit: z.string().min(1).max(10),
  kinds: z
    .array(
      z.object({
        kind: PdActivityKind,
        label: LocalisedText,
        hoursPerCredit: z.number().positive().max(100),
        capCredits: z.number().positive().max(1000),
      }),
    )
    .min(1)
    .max(PD_ACTIVITY_KINDS.length),
  definedBy: OrgId,
  definedAt: Timestamp,
});
export type PdRules = z.infer<typeof PdRules>;
export const DefinePdRulesRequest = PdRules.omit({ definedBy: true, definedAt: true });

export const PdCompletion = z.object({
  completionId: Slug,
  teacherId: SubjectId,
  providerId: OrgId,
  schoolId: OrgId,
  activityKind: PdActivityKind,
  title: LocalisedText,
  hours: z.number().positive().max(500),
  completedOn: Timestamp,
  rulesVersion: Slug,
  credits: z.number().min(0),
  state: z.enum(['recorded', 'confirmed', 'rejected']),
  recordedAt: Timestamp,
  decidedAt: Timestamp.optional(),
});
export type PdCompletion = z.infer<typeof PdCompletion>;
export const RecordCompletionRequest = PdCompletion.pick({
  completionId: true,
  teacherId: true,
  schoolId: true,
  activityKind: true,
  title: true,
  hours: true,
  completedOn: true,
});
export const ConfirmCompletionRequest = z.object({
  teacherId: SubjectId,
  completionId: Slug,
  confirm: z.boolean(),
});
export const TeacherProgressQuery = z.object({ teacherId: SubjectId, at: Timestamp });
export const TeacherRequest = TeacherProgressQuery.pick({ teacherId: true });
export const CompletionRef = z.object({ teacherId: SubjectId, completionId: Slug });

/** Teacher archive dimensions (教师专业发展评价). */
export const TEACHER_DIMENSIONS = [
  'ethics',
  'teaching-results',
  'research',
  'professional-growth',
  'health',
] as const;
export const TeacherEvaluation = z.object({
  teacherId: SubjectId,
  period: z.string().regex(/^\d{4}$/, 'a year'),
  scores: z
    .array(
      z.object({
        dimension: z.enum(TEACHER_DIMENSIONS),
        score: z.number().min(0).max(100),
        note: z.string().max(500).optional(),
      }),
    )
    .min(1)
    .max(TEACHER_DIMENSIONS.length),
  schoolId: OrgId,
  evaluatedAt: Timestamp,
});
export type TeacherEvaluation = z.infer<typeof TeacherEvaluation>;
export const RecordTeacherEvaluationRequest = TeacherEvaluation.pick({
  teacherId: true,
  period: true,
  scores: true,
});
