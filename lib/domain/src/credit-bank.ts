import { z } from 'zod';
import { HexDigest, LocalisedText, OrgId, SubjectId, Timestamp } from './primitives.js';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and hyphens');
const Credits = z.number().positive().max(100);

/** A course in an institution's catalogue (课程目录). */
export const Course = z.object({
  orgId: OrgId,
  courseId: Slug,
  title: LocalisedText,
  credits: Credits,
  delivery: z.enum(['online', 'offline', 'blended']),
  updatedAt: Timestamp,
});
export type Course = z.infer<typeof Course>;
export const DefineCourseRequest = Course.omit({ orgId: true, updatedAt: true });

export const CourseMapping = z.object({
  fromOrg: OrgId,
  fromCourse: Slug,
  toOrg: OrgId,
  toCourse: Slug,
  /** Credits granted at the target per credit earned at the source. */
  ratio: z.number().positive().max(10),
});

/** A mutual-recognition agreement (学分互认协议): effective once both institutions approved it. */
export const Agreement = z.object({
  agreementId: Slug,
  orgs: z.tuple([OrgId, OrgId]),
  mappings: z.array(CourseMapping).min(1).max(200),
  /** Most credits one learner may have recognised under this agreement. */
  capPerLearner: Credits,
  validFrom: Timestamp,
  validUntil: Timestamp,
  approvals: z.array(z.object({ orgId: OrgId, at: Timestamp })).max(2),
  state: z.enum(['proposed', 'effective']),
});
export type Agreement = z.infer<typeof Agreement>;

export const ProposeAgreementRequest = Agreement.pick({
  agreementId: true,
  mappings: true,
  capPerLearner: true,
  validFrom: true,
  validUntil: true,
}).extend({ partnerOrgId: OrgId });
export const AgreementIdRequest = z.object({ agreementId: Slug });

/** Credits a learner earned at the teaching institution; the learner is pseudonymous. */
export const EarnedCredit = z.object({
  creditId: Slug,
  learnerId: SubjectId,
  orgId: OrgId,
  courseId: Slug,
  credits: Credits,
  term: z.string().regex(/^\d{4}-(S1|S2)$/),
  recordedAt: Timestamp,
});
export type EarnedCredit = z.infer<typeof EarnedCredit>;
export const RecordEarnedCreditRequest = EarnedCredit.omit({ orgId: true, recordedAt: true });

export const Recognition = z.object({
  recognitionId: Slug,
  learnerId: SubjectId,
  creditId: Slug,
  fromOrg: OrgId,
  toOrg: OrgId,
  toCourse: Slug,
  agreementId: Slug,
  credits: Credits,
  state: z.enum(['requested', 'approved', 'rejected']),
  requestedAt: Timestamp,
  decidedAt: Timestamp.optional(),
  /** SHA-256 of a salt and the decision's reason, which only the gateway's vault holds. */
  reasonDigest: HexDigest.optional(),
});
export type Recognition = z.infer<typeof Recognition>;
export const RequestRecognitionRequest = Recognition.pick({
  recognitionId: true,
  learnerId: true,
  creditId: true,
  toOrg: true,
  agreementId: true,
});
/** The chaincode request: the reason's digest, never its text. */
export const DecideRecognitionRequest = z.object({
  learnerId: SubjectId,
  recognitionId: Slug,
  approve: z.boolean(),
  reasonDigest: HexDigest.optional(),
});

/** Why an institution decided as it did: free text about the learner, kept only in the vault. */
export const RecognitionReason = z.string().max(500);

/** The HTTP request body of a decision; the gateway seals the reason and sends its digest on. */
export const DecideRecognitionBody = z.object({
  learnerId: SubjectId,
  approve: z.boolean(),
  reason: RecognitionReason.optional(),
});
export type DecideRecognitionBody = z.infer<typeof DecideRecognitionBody>;

/**
 * A recognition as the API returns it: with a reason on the ledger, the text from the vault and
 * whether it still matches the digest (null when it cannot be read: erased with the person).
 */
export const RecognitionView = Recognition.extend({
  reason: RecognitionReason.nullable().optional(),
  reasonMatchesLedger: z.boolean().nullable().optional(),
  reasonErased: z.literal(true).optional(),
});
export type RecognitionView = z.infer<typeof RecognitionView>;

/** Earned and recognised credits of one learner, with totals per institution. */
export const LearnerStatement = z.object({
  learnerId: SubjectId,
  earned: z.array(EarnedCredit),
  recognitions: z.array(Recognition),
  balance: z.record(OrgId, z.object({ earned: z.number(), recognised: z.number() })),
});
export type LearnerStatement = z.infer<typeof LearnerStatement>;

/** The statement as the API returns it, each recognition with its reason from the vault. */
export const LearnerStatementView = LearnerStatement.extend({ recognitions: z.array(RecognitionView) });
export type LearnerStatementView = z.infer<typeof LearnerStatementView>;

export const LearnerRequest = z.object({ learnerId: SubjectId });
