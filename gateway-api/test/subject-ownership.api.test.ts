import { expect } from 'chai';
import { DomainError, LedgerSubject, SubjectInput } from '@edu-ledger/domain';
import { completionRequest, type Gateway, startGateway } from './harness.js';

const MADE_UP = `subj-${'5c'.repeat(16)}`;
const person = (n: number, kind: 'student' | 'teacher'): Record<string, unknown> => ({
  kind,
  name: '王芳',
  idNumber: `11010120100101${String(1000 + n)}`,
  studentNumber: `G11010120100101${String(1000 + n)}`,
  birthDate: '2010-01-01',
});

/**
 * Issue 12: who answers for a person is decided from the ledger. `POST /subjects` registers the
 * pseudonymous id on the ledger as owned by the caller's school; only that school opens the
 * student's archive or evaluates the teacher; records name persons the ledger knows; a transfer
 * moves the owner.
 */
describe('gateway: persons are owned on the ledger by their school', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let gen: string;
  let voc: string;

  before(async () => {
    gw = await startGateway();
    gen = gw.tokens['school-admin@school-gen'] ?? '';
    voc = gw.tokens['school-admin@school-voc'] ?? '';
  });
  after(() => gw.close());

  async function ledgerSubject(subjectId: string): Promise<LedgerSubject> {
    return LedgerSubject.parse(
      await gw.services.chaincode.evaluate(gw.services.directory.readerIdentity, 'registry:GetSubject', {
        subjectId,
      }),
    );
  }

  it('registers a person on the ledger, owned by the registering school', async () => {
    const { subjectId } = await gw.step('POST', '/subjects', gen, person(1, 'student'), 201);
    expect(await ledgerSubject(subjectId)).to.include({
      subjectId,
      kind: 'student',
      ownerOrgId: 'school-gen',
    });
    await gw.step(
      'POST',
      '/subjects',
      gw.tokens['teacher@school-gen'],
      person(2, 'student'),
      403,
      'FORBIDDEN_ROLE',
    );
    const again = await gw.call('POST', '/subjects', { token: gen, body: person(1, 'student') });
    expect([again.status, again.body.error.code]).to.deep.equal([409, 'ALREADY_EXISTS']);
  });

  it('removes the vault row when the ledger refuses the registration', async () => {
    const height = await gw.ledger.height();
    // A principal whose ledger identity holds no school-admin role: the chaincode refuses.
    const stranger = { orgId: 'university', role: 'teacher' as const, label: 'test' };
    const refused = await gw.services.subjects
      .register(stranger, SubjectInput.parse(person(3, 'teacher')))
      .catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(DomainError);
    expect((refused as DomainError).code).to.equal('FORBIDDEN_ROLE');
    expect(await gw.ledger.height()).to.equal(height);
    // The national number is free again: nothing of the refused registration stayed in the vault.
    await gw.step('POST', '/subjects', gen, person(3, 'teacher'), 201);
  });

  it("lets only the student's own school open the archive", async () => {
    const { subjectId } = await gw.step('POST', '/subjects', gen, person(4, 'student'), 201);
    const open = { subjectId, dimensionSetId: 'five-dimensions-a' };
    await gw.step('POST', '/archives', voc, open, 403, 'FORBIDDEN_ORG');
    await gw.step('POST', '/archives', gen, { ...open, subjectId: MADE_UP }, 404, 'SUBJECT_NOT_FOUND');
    await gw.step('POST', '/archives', gen, open, 201);
  });

  it("lets only the teacher's own school record an evaluation", async () => {
    const { subjectId } = await gw.step('POST', '/subjects', gen, person(5, 'teacher'), 201);
    const evaluation = { period: '2026', scores: [{ dimension: 'ethics', score: 90 }] };
    await gw.step('POST', `/pd/teachers/${subjectId}/evaluations`, voc, evaluation, 403, 'FORBIDDEN_ORG');
    await gw.step('POST', `/pd/teachers/${MADE_UP}/evaluations`, gen, evaluation, 404, 'SUBJECT_NOT_FOUND');
    await gw.step('POST', `/pd/teachers/${subjectId}/evaluations`, gen, evaluation, 201);
  });

  it('refuses records about persons the ledger does not know', async () => {
    await gw.step(
      'POST',
      '/pd/completions',
      gw.tokens['provider-admin@provider'],
      completionRequest('unknown-teacher', MADE_UP),
      404,
      'SUBJECT_NOT_FOUND',
    );
    await gw.step(
      'POST',
      '/courses',
      gen,
      { courseId: 'owned-course', title: { zh: '课程', en: 'Course' }, credits: 2, delivery: 'online' },
      201,
    );
    await gw.step(
      'POST',
      '/credit-bank/credits',
      gen,
      {
        creditId: 'unknown-learner',
        learnerId: MADE_UP,
        courseId: 'owned-course',
        credits: 2,
        term: '2026-S1',
      },
      404,
      'SUBJECT_NOT_FOUND',
    );
    // A teacher's id is not a student's.
    const { subjectId: teacher } = await gw.step('POST', '/subjects', gen, person(6, 'teacher'), 201);
    await gw.step(
      'POST',
      '/credit-bank/credits',
      gen,
      {
        creditId: 'teacher-as-learner',
        learnerId: teacher,
        courseId: 'owned-course',
        credits: 2,
        term: '2026-S1',
      },
      404,
      'SUBJECT_NOT_FOUND',
    );
  });

  it('moves the owner with the archive on transfer', async () => {
    const { subjectId } = await gw.step('POST', '/subjects', gen, person(7, 'student'), 201);
    await gw.step('POST', '/archives', gen, { subjectId, dimensionSetId: 'five-dimensions-a' }, 201);
    await gw.step('POST', `/archives/${subjectId}/transfer`, gen, { toSchoolId: 'school-voc' }, 200);
    expect((await ledgerSubject(subjectId)).ownerOrgId).to.equal('school-gen');
    await gw.step('POST', `/archives/${subjectId}/transfer/accept`, voc, undefined, 200);
    expect((await ledgerSubject(subjectId)).ownerOrgId).to.equal('school-voc');
  });
});
