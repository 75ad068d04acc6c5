import { DomainError, LedgerSubject, type SubjectKind } from '@edu-ledger/domain';
import type { LedgerContext } from './ledger-context.js';
import { K } from './keys.js';
import { key, readRecord, writeRecord } from './store.js';

/** The pseudonymous person as the ledger knows them, or undefined. */
export async function findSubject(ctx: LedgerContext, subjectId: string): Promise<LedgerSubject | undefined> {
  return readRecord(ctx, key(ctx, K.subject, subjectId), LedgerSubject);
}

/**
 * A registered person of this kind: records about a person name one the ledger knows, so who
 * answers for them (the owning school) is decided from the ledger, not from the request.
 * @throws DomainError SUBJECT_NOT_FOUND when nobody registered this id as such a person.
 */
export async function requireSubject(
  ctx: LedgerContext,
  subjectId: string,
  kind: SubjectKind,
): Promise<LedgerSubject> {
  const subject = await findSubject(ctx, subjectId);
  if (!subject || subject.kind !== kind)
    throw new DomainError('SUBJECT_NOT_FOUND', `no ${kind} ${subjectId} is registered on the ledger`);
  return subject;
}

/** Writes a person's new owner (an archive transfer moves the student to the receiving school). */
export async function moveSubject(
  ctx: LedgerContext,
  subject: LedgerSubject,
  ownerOrgId: string,
  at: string,
): Promise<LedgerSubject> {
  const moved: LedgerSubject = { ...subject, ownerOrgId, updatedAt: at };
  await writeRecord(ctx, key(ctx, K.subject, subject.subjectId), LedgerSubject, moved);
  return moved;
}
