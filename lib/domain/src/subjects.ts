import { z } from 'zod';
import { OrgId, SubjectId, Timestamp } from './primitives.js';

/**
 * A person registered in the vault. Every field here is personal data: it is encrypted at rest and
 * never reaches the ledger, a log line or an error message.
 */
export const SubjectKind = z.enum(['student', 'teacher']);
export type SubjectKind = z.infer<typeof SubjectKind>;

export const SubjectInput = z.object({
  kind: SubjectKind.default('student'),
  name: z.string().trim().min(1).max(100),
  /** Resident identity card number (居民身份证号): 17 digits and a check character. */
  idNumber: z.string().regex(/^\d{17}[\dX]$/, 'an 18-character ID-card number'),
  /** National student number (全国学籍号) or teacher number. */
  studentNumber: z.string().regex(/^[A-Z]?\d{10,19}$/, 'a national student or teacher number'),
  birthDate: z.iso.date(),
  gender: z.enum(['female', 'male']).optional(),
  guardian: z
    .object({
      name: z.string().trim().min(1).max(100),
      relation: z.enum(['mother', 'father', 'guardian', 'other']),
      phone: z
        .string()
        .regex(/^\+?\d{6,15}$/)
        .optional(),
    })
    .optional(),
  health: z.string().max(2000).optional(),
  /** The holder's DID, when the person has a wallet. Not personal data, but kept with the record. */
  did: z.string().max(200).optional(),
});
export type SubjectInput = z.infer<typeof SubjectInput>;

export const SubjectRecordView = z.object({
  subjectId: SubjectId,
  orgId: z.string(),
  createdAt: z.string(),
  data: SubjectInput,
});
export type SubjectRecordView = z.infer<typeof SubjectRecordView>;

/**
 * A pseudonymous person as the ledger knows them: no personal data, only which organisation
 * answers for them (the registering school, then the school an archive transfer moves them to).
 */
export const RegisterSubjectRequest = z.object({ subjectId: SubjectId, kind: SubjectKind });
export type RegisterSubjectRequest = z.infer<typeof RegisterSubjectRequest>;
export const LedgerSubject = RegisterSubjectRequest.extend({
  ownerOrgId: OrgId,
  registeredAt: Timestamp,
  updatedAt: Timestamp,
});
export type LedgerSubject = z.infer<typeof LedgerSubject>;
