import { z } from 'zod';
import { HexDigest, LocalisedText, OrgId, SubjectId, Timestamp } from './primitives.js';

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
export const TeacherDimension = z.enum(TEACHER_DIMENSIONS);
export type TeacherDimension = z.infer<typeof TeacherDimension>;

/** What an evaluator writes about a teacher in one dimension: personal data, kept only in the vault. */
export const TeacherEvaluationNote = z.string().min(1).max(500);

/** Per-dimension notes as sealed in the vault; their salted digest is what the ledger holds. */
export const TeacherEvaluationNotes = z.partialRecord(TeacherDimension, TeacherEvaluationNote);
export type TeacherEvaluationNotes = z.infer<typeof TeacherEvaluationNotes>;

/** An evaluation as the ledger keeps it: scores and, when there are notes, only their salted digest. */
export const TeacherEvaluation = z.object({
  teacherId: SubjectId,
  period: z.string().regex(/^\d{4}$/, 'a year'),
  scores: z
    .array(z.object({ dimension: TeacherDimension, score: z.number().min(0).max(100) }))
    .min(1)
    .max(TEACHER_DIMENSIONS.length),
  /** SHA-256 of a salt and the canonical JSON of the notes; absent when the evaluation has none. */
  notesDigest: HexDigest.optional(),
  schoolId: OrgId,
  evaluatedAt: Timestamp,
});
export type TeacherEvaluation = z.infer<typeof TeacherEvaluation>;
/** The chaincode request: the notes' digest, never their text. */
export const RecordTeacherEvaluationRequest = TeacherEvaluation.pick({
  teacherId: true,
  period: true,
  scores: true,
  notesDigest: true,
});

/** The HTTP request body: scores with optional notes, which the gateway seals before the ledger sees a digest. */
export const RecordTeacherEvaluationBody = z.object({
  period: TeacherEvaluation.shape.period,
  scores: z
    .array(
      z.object({
        dimension: TeacherDimension,
        score: z.number().min(0).max(100),
        note: TeacherEvaluationNote.optional(),
      }),
    )
    .min(1)
    .max(TEACHER_DIMENSIONS.length),
});
export type RecordTeacherEvaluationBody = z.infer<typeof RecordTeacherEvaluationBody>;

/**
 * An evaluation as the API returns it: each score with its note from the vault, and whether the
 * notes still match the ledger's digest (null when they cannot be read: erased with the person).
 */
export const TeacherEvaluationView = TeacherEvaluation.extend({
  scores: RecordTeacherEvaluationBody.shape.scores,
  notesMatchLedger: z.boolean().nullable().optional(),
  notesErased: z.literal(true).optional(),
});
export type TeacherEvaluationView = z.infer<typeof TeacherEvaluationView>;
