import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { SCHOOL_GEN, registerOnLedger, startGateway, type Gateway } from './harness.js';

const TEACHER = `subj-${'7e'.repeat(16)}`;
const daysAgo = (n: number): string => new Date(Date.now() - n * 86_400_000).toISOString();

describe('gateway: teacher professional development (教师继续教育学分)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let provider: string;
  let gen: string;

  before(async () => {
    gw = await startGateway();
    await registerOnLedger(gw, SCHOOL_GEN, TEACHER, 'teacher');
    provider = gw.tokens['provider-admin@provider'] ?? '';
    gen = gw.tokens['school-admin@school-gen'] ?? '';
  });
  after(() => gw.close());

  const step: Gateway['step'] = (...args) => gw.step(...args);

  const completion = (
    completionId: string,
    activityKind: string,
    hours: number,
  ): Record<string, unknown> => ({
    completionId,
    teacherId: TEACHER,
    schoolId: 'school-gen',
    activityKind,
    title: { zh: '新课标教学设计研修', en: 'Curriculum standards workshop' },
    hours,
    completedOn: daysAgo(10),
  });

  it('accrues credits only after the school confirms, with per-kind caps, and issues a credential that verifies', async () => {
    const rules = await step('GET', '/pd/rules', undefined, undefined, 200);
    expect(rules.rules[0].kinds.map((k: any) => k.kind)).to.include.members(['online', 'open-lesson']);

    await step(
      'POST',
      '/pd/completions',
      gw.tokens['school-admin@school-voc'],
      completion('c-0', 'online', 30),
      403,
      'NOT_ACCREDITED',
    );
    await step(
      'POST',
      '/pd/completions',
      gw.tokens['teacher@provider'],
      completion('c-0', 'online', 30),
      403,
      'FORBIDDEN_ROLE',
    );
    await step(
      'POST',
      '/pd/completions',
      provider,
      { ...completion('c-0', 'online', 30), completedOn: daysAgo(-5) },
      400,
      'INVALID_ARGUMENT',
    );
    // The teacher is on school-gen's staff: a completion cannot be sent to another school to confirm.
    const elsewhere = await step(
      'POST',
      '/pd/completions',
      provider,
      { ...completion('c-0', 'online', 30), schoolId: 'school-voc' },
      400,
      'INVALID_ARGUMENT',
    );
    expect(elsewhere.error.message).to.include('staff');

    const online = await step('POST', '/pd/completions', provider, completion('c-1', 'online', 300), 201);
    expect(online.record).to.include({ credits: 30, state: 'recorded' });
    await step('POST', '/pd/completions', provider, completion('c-2', 'open-lesson', 10), 201);
    await step(
      'POST',
      '/pd/completions',
      provider,
      completion('c-2', 'open-lesson', 10),
      409,
      'ALREADY_EXISTS',
    );

    let progress = await step('GET', `/pd/teachers/${TEACHER}/progress`, gen, undefined, 200);
    expect(progress).to.include({ total: 0, required: 72, pending: 2, creditUnit: '学分' });

    await step(
      'POST',
      `/pd/completions/${TEACHER}/c-1/decision`,
      gw.tokens['school-admin@school-voc'],
      { confirm: true },
      403,
      'FORBIDDEN_ORG',
    );
    await step(
      'POST',
      `/pd/completions/${TEACHER}/c-1/credential`,
      provider,
      { holderDid: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' },
      409,
      'INVALID_STATE',
    );
    await step('POST', `/pd/completions/${TEACHER}/c-1/decision`, gen, { confirm: true }, 200);
    await step(
      'POST',
      `/pd/completions/${TEACHER}/c-1/decision`,
      gen,
      { confirm: true },
      409,
      'INVALID_STATE',
    );
    await step('POST', `/pd/completions/${TEACHER}/c-2/decision`, gen, { confirm: false }, 200);

    progress = await step('GET', `/pd/teachers/${TEACHER}/progress`, gen, undefined, 200);
    const online2 = progress.byKind.find((k: any) => k.kind === 'online');
    expect(online2).to.include({ earned: 30, counted: 24, cap: 24 });
    expect(progress.byKind.find((k: any) => k.kind === 'open-lesson').earned).to.equal(0);
    expect(progress).to.include({ total: 24, pending: 0 });
    expect(progress.progress).to.be.closeTo(24 / 72, 0.001);

    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(21))).did;
    await step(
      'POST',
      `/pd/completions/${TEACHER}/c-1/credential`,
      gen,
      { holderDid: holder },
      403,
      'FORBIDDEN_ORG',
    );
    const issued = await step(
      'POST',
      `/pd/completions/${TEACHER}/c-1/credential`,
      provider,
      { holderDid: holder },
      201,
    );
    const vc = issued.verifiableCredential;
    expect(vc.type).to.include.members(['OpenBadgeCredential', 'PdCompletionCredential']);
    expect(vc.credentialSubject).to.include({ creditsEarned: 30, creditUnit: '学分', hours: 300 });
    const verify = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    expect(verify.status, JSON.stringify(verify.body)).to.equal(200);
  });

  it('issues a cycle summary credential from the school that confirmed the credits', async () => {
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(22))).did;
    await step(
      'POST',
      `/pd/teachers/${TEACHER}/cycle-summary`,
      gw.tokens['school-admin@school-voc'],
      { holderDid: holder },
      403,
      'FORBIDDEN_ORG',
    );
    const issued = await step(
      'POST',
      `/pd/teachers/${TEACHER}/cycle-summary`,
      gen,
      { holderDid: holder },
      201,
    );
    const subject = issued.verifiableCredential.credentialSubject;
    expect(subject).to.include({ totalCredits: 24, requiredCredits: 72, creditUnit: '学分' });
    expect(subject.creditsByKind).to.deep.equal([
      { activityKind: 'online', credits: 24, label: '远程（网络）培训', labelEn: 'Online training' },
    ]);
    const verify = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: issued.verifiableCredential },
    });
    expect(verify.status, JSON.stringify(verify.body)).to.equal(200);
  });

  it('records teacher evaluations once per period, notes in the vault and only their digest on the ledger', async () => {
    const note = '课堂组织有序，作业批改及时';
    const body = {
      period: '2026',
      scores: [
        { dimension: 'ethics', score: 95 },
        { dimension: 'teaching-results', score: 88, note },
      ],
    };
    await step(
      'POST',
      `/pd/teachers/${TEACHER}/evaluations`,
      gw.tokens['teacher@school-gen'],
      body,
      403,
      'FORBIDDEN_ROLE',
    );
    // Refused by the ledger after the note was sealed: the note is removed again, so the
    // corrected request below is not taken for a second evaluation.
    await step(
      'POST',
      `/pd/teachers/${TEACHER}/evaluations`,
      gen,
      { ...body, scores: [...body.scores, { dimension: 'ethics', score: 1 }] },
      400,
      'INVALID_ARGUMENT',
    );
    const recorded = await step('POST', `/pd/teachers/${TEACHER}/evaluations`, gen, body, 201);
    expect(recorded.record.notesDigest).to.match(/^[0-9a-f]{64}$/);
    expect(recorded.record.scores).to.deep.equal([
      { dimension: 'ethics', score: 95 },
      { dimension: 'teaching-results', score: 88 },
    ]);
    expect(JSON.stringify(recorded)).not.to.contain(note);
    await step('POST', `/pd/teachers/${TEACHER}/evaluations`, gen, body, 409, 'ALREADY_EXISTS');
    await step(
      'POST',
      `/pd/teachers/${TEACHER}/evaluations`,
      gen,
      { period: '2026', scores: [{ dimension: 'ethics', score: 10 }] },
      409,
      'ALREADY_EXISTS',
    );
    // Without notes nothing goes to the vault and the ledger record has no digest.
    const plain = await step(
      'POST',
      `/pd/teachers/${TEACHER}/evaluations`,
      gen,
      { period: '2025', scores: [{ dimension: 'research', score: 70 }] },
      201,
    );
    expect(plain.record).not.to.have.property('notesDigest');

    const list = await step('GET', `/pd/teachers/${TEACHER}/evaluations`, gen, undefined, 200);
    const byPeriod = new Map(list.evaluations.map((e: any) => [e.period, e]));
    expect(byPeriod.get('2026')).to.deep.include({
      scores: body.scores,
      notesDigest: recorded.record.notesDigest,
      notesMatchLedger: true,
    });
    expect(byPeriod.get('2025')).to.deep.equal(plain.record);
  });

  it("seals a registered teacher's notes under the teacher's own key: erasing the teacher erases them", async () => {
    const teacherId = (
      await step(
        'POST',
        '/subjects',
        gen,
        {
          kind: 'teacher',
          name: '赵敏',
          idNumber: '110105198001010021',
          studentNumber: 'T1101051980010100',
          birthDate: '1980-01-01',
        },
        201,
      )
    ).subjectId as string;
    const note = '师德表现突出';
    await step(
      'POST',
      `/pd/teachers/${teacherId}/evaluations`,
      gen,
      { period: '2026', scores: [{ dimension: 'ethics', score: 99, note }] },
      201,
    );
    let list = await step('GET', `/pd/teachers/${teacherId}/evaluations`, gen, undefined, 200);
    expect(list.evaluations[0]).to.deep.include({ notesMatchLedger: true });
    expect(list.evaluations[0].scores[0].note).to.equal(note);

    await step('DELETE', `/subjects/${teacherId}/key`, gen, undefined, 200);
    list = await step('GET', `/pd/teachers/${teacherId}/evaluations`, gen, undefined, 200);
    expect(list.evaluations[0]).to.deep.include({ notesMatchLedger: null, notesErased: true });
    expect(list.evaluations[0].scores).to.deep.equal([{ dimension: 'ethics', score: 99 }]);
    await step(
      'POST',
      `/pd/teachers/${teacherId}/evaluations`,
      gen,
      { period: '2027', scores: [{ dimension: 'ethics', score: 90, note }] },
      410,
      'SUBJECT_KEY_DESTROYED',
    );
  });
});
