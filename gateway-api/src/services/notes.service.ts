import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  DomainError,
  LearnerStatement,
  TeacherEvaluation,
  TeacherEvaluationNotes,
  canonicalJson,
  type DecideRecognitionBody,
  type LearnerStatementView,
  type RecognitionView,
  type RecordTeacherEvaluationBody,
  type TeacherEvaluationView,
} from '@edu-ledger/domain';
import { mayHaveCommitted } from '@edu-ledger/ledger-port';
import type { GatewayDb } from '../stores/gateway-db.js';
import { deriveKey, seal, unseal, type Sealed } from '../stores/sealed.js';
import type { Principal } from '../stores/tokens.js';
import type { Vault } from '../stores/vault.js';
import type { RecordsService } from './records.js';
import { isRetriedRequest, repeatableBytes } from './request-scope.js';

const StoredNote = z.object({
  salt: z.string(),
  sealed: z.object({ iv: z.string(), tag: z.string(), ct: z.string() }),
  /** Whose key sealed it: the person's vault key, or the gateway's when the person is not in the vault. */
  keyedBy: z.enum(['subject', 'gateway']),
});

/** A note read back: its value and whether it matches the ledger's digest, or why it cannot be shown. */
type NoteRead<T> =
  | { value: T; matchesLedger: boolean }
  | { value: null; matchesLedger: false }
  | { value: null; matchesLedger: null; erased: true };

type Submitted = Awaited<ReturnType<RecordsService['submit']>>;

/** Salted digest: the ledger can prove a note was not altered without ever holding its text. */
export function noteDigest(salt: string, note: unknown): string {
  return createHash('sha256').update(salt).update(canonicalJson(note)).digest('hex');
}

/**
 * Free text about persons that records carry beside their ledger data: teacher-evaluation notes
 * and credit-recognition reasons. The text is sealed under the person's own vault key (so erasing
 * the person erases it too) before the ledger sees its salted digest; if the ledger refuses the
 * record, the sealed text is removed again. Persons not registered in the vault (their ids are
 * still pseudonymous) get the gateway's own key, derived from the master key.
 */
export class NotesService {
  private readonly notes;
  private readonly gatewayKey: Buffer;
  /** Record keys being written now: a concurrent second write must not overwrite the first one's text. */
  private readonly writing = new Set<string>();

  constructor(
    private readonly db: GatewayDb,
    private readonly vault: Vault,
    private readonly records: RecordsService,
    masterKey: Buffer,
  ) {
    this.notes = db.personNotes;
    this.gatewayKey = deriveKey(masterKey, 'person-notes');
  }

  /** Records an evaluation: notes to the vault, their digest (if any notes) with the scores to the ledger. */
  async recordEvaluation(
    principal: Principal,
    teacherId: string,
    body: RecordTeacherEvaluationBody,
  ): Promise<Submitted> {
    const notes: TeacherEvaluationNotes = {};
    for (const s of body.scores) if (s.note !== undefined) notes[s.dimension] = s.note;
    const request = {
      teacherId,
      period: body.period,
      scores: body.scores.map(({ dimension, score }) => ({ dimension, score })),
    };
    if (Object.keys(notes).length === 0)
      return this.records.submit(principal, 'pd:RecordTeacherEvaluation', request);
    return this.withSealedNote(
      teacherId,
      evaluationKey(teacherId, body.period),
      notes,
      new DomainError('ALREADY_EXISTS', `该期评价已存在 / an evaluation for ${body.period} exists`),
      (notesDigest) =>
        this.records.submit(principal, 'pd:RecordTeacherEvaluation', { ...request, notesDigest }),
    );
  }

  /** A teacher's evaluations, each score with its note from the vault. */
  async listEvaluations(principal: Principal, teacherId: string): Promise<TeacherEvaluationView[]> {
    const evaluations = TeacherEvaluation.array().parse(
      await this.records.query(principal, 'pd:ListTeacherEvaluations', { teacherId }),
    );
    return Promise.all(
      evaluations.map(async (evaluation): Promise<TeacherEvaluationView> => {
        if (evaluation.notesDigest === undefined) return evaluation;
        const read = await this.open(
          teacherId,
          evaluationKey(teacherId, evaluation.period),
          TeacherEvaluationNotes,
          evaluation.notesDigest,
        );
        const notes = read.value ?? {};
        return {
          ...evaluation,
          scores: evaluation.scores.map((s) => {
            const note = notes[s.dimension];
            return note === undefined ? s : { ...s, note };
          }),
          notesMatchLedger: read.matchesLedger,
          ...('erased' in read ? { notesErased: true as const } : {}),
        };
      }),
    );
  }

  /** Decides a recognition: a non-empty reason goes to the vault, its digest to the ledger. */
  async decideRecognition(
    principal: Principal,
    recognitionId: string,
    body: DecideRecognitionBody,
  ): Promise<Submitted> {
    const request = { learnerId: body.learnerId, recognitionId, approve: body.approve };
    if (body.reason === undefined || body.reason.trim() === '')
      return this.records.submit(principal, 'creditbank:DecideRecognition', request);
    return this.withSealedNote(
      body.learnerId,
      reasonKey(body.learnerId, recognitionId),
      body.reason,
      new DomainError('INVALID_STATE', `认定已作出 / recognition ${recognitionId} is already decided`),
      (reasonDigest) =>
        this.records.submit(principal, 'creditbank:DecideRecognition', { ...request, reasonDigest }),
    );
  }

  /** A learner's statement, each decided recognition with its reason from the vault. */
  async learnerStatement(principal: Principal, learnerId: string): Promise<LearnerStatementView> {
    const statement = LearnerStatement.parse(
      await this.records.query(principal, 'creditbank:GetLearnerStatement', { learnerId }),
    );
    const recognitions = await Promise.all(
      statement.recognitions.map(async (recognition): Promise<RecognitionView> => {
        if (recognition.reasonDigest === undefined) return recognition;
        const read = await this.open(
          learnerId,
          reasonKey(learnerId, recognition.recognitionId),
          z.string(),
          recognition.reasonDigest,
        );
        return {
          ...recognition,
          reason: read.value,
          reasonMatchesLedger: read.matchesLedger,
          ...('erased' in read ? { reasonErased: true as const } : {}),
        };
      }),
    );
    return { ...statement, recognitions };
  }

  /**
   * Seals `note` about `personId`, stores it under `recordKey`, then submits the record with the
   * note's salted digest; `conflict` is thrown when the record already has a note. The order matters: the text is safe in the vault before any ledger entry
   * points at it, and a record the ledger refused leaves no orphaned text behind.
   */
  private async withSealedNote(
    personId: string,
    recordKey: string,
    note: unknown,
    conflict: DomainError,
    submit: (digest: string) => Promise<Submitted>,
  ): Promise<Submitted> {
    // The same answer the ledger gives a second write of the record, before any text is sealed.
    // The key is claimed before the first await, so two concurrent writes cannot both pass.
    if (this.writing.has(recordKey)) throw conflict;
    this.writing.add(recordKey);
    try {
      // A retry of an Idempotency-Key may follow its own committed write: the ledger judges it, and
      // the repeatable salt writes the text exactly as that write's digest expects.
      const previous = await this.notes.get(recordKey);
      if (previous !== undefined && !isRetriedRequest()) throw conflict;
      const salt = repeatableBytes('note-salt', 16).toString('hex');
      const { sealed, keyedBy } = await this.seal(personId, note, recordKey);
      await this.db.put(this.notes, recordKey, JSON.stringify({ salt, sealed, keyedBy }));
      try {
        return await submit(noteDigest(salt, note));
      } catch (error) {
        // A record whose commit outcome is unknown may be on the ledger: its text must stay.
        if (!mayHaveCommitted(error)) {
          if (previous === undefined) await this.db.del(this.notes, recordKey);
          else await this.db.put(this.notes, recordKey, previous);
        }
        throw error;
      }
    } finally {
      this.writing.delete(recordKey);
    }
  }

  private async seal(
    personId: string,
    note: unknown,
    aad: string,
  ): Promise<{ sealed: Sealed; keyedBy: 'subject' | 'gateway' }> {
    try {
      return { sealed: await this.vault.sealForSubject(personId, note, aad), keyedBy: 'subject' };
    } catch (error) {
      // An erased person (SUBJECT_KEY_DESTROYED) gets no new notes: only an unknown id falls back.
      if (!(error instanceof DomainError && error.code === 'SUBJECT_NOT_FOUND')) throw error;
      return { sealed: seal(this.gatewayKey, canonicalJson(note), aad), keyedBy: 'gateway' };
    }
  }

  private async open<T>(
    personId: string,
    recordKey: string,
    schema: z.ZodType<T>,
    ledgerDigest: string,
  ): Promise<NoteRead<T>> {
    const raw = await this.notes.get(recordKey);
    if (raw === undefined) return { value: null, matchesLedger: false };
    const stored = StoredNote.parse(JSON.parse(raw));
    let plain: unknown;
    try {
      plain =
        stored.keyedBy === 'subject'
          ? await this.vault.unsealForSubject(personId, stored.sealed, recordKey)
          : (JSON.parse(unseal(this.gatewayKey, stored.sealed, recordKey).toString('utf8')) as unknown);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'SUBJECT_KEY_DESTROYED') {
        return { value: null, matchesLedger: null, erased: true };
      }
      throw error;
    }
    const value = schema.parse(plain);
    return { value, matchesLedger: noteDigest(stored.salt, value) === ledgerDigest };
  }
}

function evaluationKey(teacherId: string, period: string): string {
  return `teacher-evaluation/${teacherId}/${period}`;
}

function reasonKey(learnerId: string, recognitionId: string): string {
  return `recognition-reason/${learnerId}/${recognitionId}`;
}
