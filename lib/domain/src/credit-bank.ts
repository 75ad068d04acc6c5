import { z } from 'zod';
import { LocalisedText, OrgId, SubjectId, Timestamp } from './primitives.js';

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
  reason: z.string().max(500).optional(),
});
export type Recognition = z.infer<typeof Recognition>;
export const RequestRecognitionRequest = Recognition.pick({
  recognitionId: true,
  learnerId: true,
  creditId: true,
  toOrg: true,
  agreementId: true,
});
export const DecideRecognitionRequest = z.object({
  learnerId: SubjectId,
  recognitionId: Slug,
  approve: z.boolean(),
  reason: z.string().max(500).default(''),
});
export const LearnerRequest = z.object({ learnerId: SubjectId });
