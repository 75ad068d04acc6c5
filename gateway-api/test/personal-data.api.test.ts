import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

const YEAR = 365 * 86_400_000;

/** A teacher and a student as their schools register them (fictitious personal data). */
const TEACHER = {
  kind: 'teacher',
  name: '王丽华',
  idNumber: '11010519850312002X',
  studentNumber: 'T1101051985031200',
  birthDate: '1985-03-12',
  health: '甲状腺术后复查 thyroid follow-up',
};
const STUDENT = {
  kind: 'student',
  name: '陈思远',
  idNumber: '310101200805056781',
  studentNumber: 'G310101200805056781',
  birthDate: '2008-05-05',
  guardian: { name: '陈国强', relation: 'father', phone: '13912345678' },
};

/** Free text about those persons, one per route that takes such text. */
const ENTRY_TEXT = '陈思远获市级数学竞赛一等奖，近期情绪低落需要关注';
const EVALUATION_NOTE = '王丽华老师课堂管理需改进，本学期家长投诉两次';
const DECISION_REASON = '陈思远提交的成绩单疑似伪造，不予认定';
const REFUSED_REASON = '陈思远的申请材料缺少学籍证明';

const SECRETS = [
  TEACHER.name,
  TEACHER.idNumber,
  TEACHER.studentNumber,
  '甲状腺术后复查',
  STUDENT.name,
  STUDENT.idNumber,
  STUDENT.studentNumber,
  STUDENT.guardian.name,
  STUDENT.guardian.phone,
  ENTRY_TEXT,
  EVALUATION_NOTE,
  DECISION_REASON,
  REFUSED_REASON,
];

/** Each secret as written, and as a careless writer might encode it: base64, hex, JSON \u escapes. */
const NEEDLES = SECRETS.flatMap((secret) => [
  secret,
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('hex'),
  secret.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
]).filter((needle, i, all) => all.indexOf(needle) === i);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('gateway: personal data stays off the ledger and out of the log', function () {
  this.timeout(120_000);
  let gw: Gateway;

  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it('drives personal strings through every route that takes text about persons; 0 hits anywhere', async () => {
    const gen = gw.tokens['school-admin@school-gen'] ?? '';
    const voc = gw.tokens['school-admin@school-voc'] ?? '';
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(41))).did;

    // Subject registration: the teacher and the student.
    const teacherId = (await gw.step('POST', '/subjects', gen, TEACHER, 201)).subjectId as string;
    const studentId = (await gw.step('POST', '/subjects', gen, { ...STUDENT, did: holder }, 201))
      .subjectId as string;

    // Growth entry about the student.
    await gw.step(
      'POST',
      '/archives',
      gen,
      { subjectId: studentId, dimensionSetId: 'five-dimensions-a' },
      201,
    );
    await gw.step(
      'POST',
      `/archives/${studentId}/entries`,
      gw.tokens['teacher@school-gen'],
      { entryId: 'e-1', term: '2026-S1', dimensionId: 'academic', content: { text: ENTRY_TEXT } },
      201,
    );

    // Teacher evaluation with a note about the teacher.
    await gw.step(
      'POST',
      `/pd/teachers/${teacherId}/evaluations`,
      gen,
      {
        period: '2026',
        scores: [
          { dimension: 'ethics', score: 95 },
          { dimension: 'teaching-results', score: 71, note: EVALUATION_NOTE },
        ],
      },
      201,
    );

    // Credit decisions: one the ledger refuses, one it records, each with a reason about the learner.
    await gw.step(
      'POST',
      '/courses',
      voc,
      {
        courseId: 'cnc-basics',
        title: { zh: '数控加工基础', en: 'CNC basics' },
        credits: 4,
        delivery: 'online',
      },
      201,
    );
    await gw.step(
      'POST',
      '/courses',
      gen,
      {
        courseId: 'general-tech',
        title: { zh: '通用技术', en: 'General technology' },
        credits: 2,
        delivery: 'offline',
      },
      201,
    );
    await gw.step(
      'POST',
      '/agreements',
      voc,
      {
        agreementId: 'gen-voc-pd',
        partnerOrgId: 'school-gen',
        mappings: [
          {
            fromOrg: 'school-voc',
            fromCourse: 'cnc-basics',
            toOrg: 'school-gen',
            toCourse: 'general-tech',
            ratio: 0.5,
          },
        ],
        capPerLearner: 4,
        validFrom: new Date(Date.now() - YEAR).toISOString(),
        validUntil: new Date(Date.now() + YEAR).toISOString(),
      },
      201,
    );
    await gw.step('POST', '/agreements/gen-voc-pd/approve', gen, undefined, 200);
    await gw.step(
      'POST',
      '/credit-bank/credits',
      voc,
      { creditId: 'c-1', learnerId: studentId, courseId: 'cnc-basics', credits: 4, term: '2026-S1' },
      201,
    );
    await gw.step(
      'POST',
      '/credit-bank/recognitions',
      voc,
      {
        recognitionId: 'r-1',
        learnerId: studentId,
        creditId: 'c-1',
        toOrg: 'school-gen',
        agreementId: 'gen-voc-pd',
      },
      201,
    );
    await gw.step(
      'POST',
      '/credit-bank/recognitions/r-1/decision',
      voc,
      { learnerId: studentId, approve: false, reason: REFUSED_REASON },
      403,
      'FORBIDDEN_ORG',
    );
    await gw.step(
      'POST',
      '/credit-bank/recognitions/r-1/decision',
      gen,
      { learnerId: studentId, approve: false, reason: DECISION_REASON },
      200,
    );

    // Refused issuances whose credentials name the student: a type the provider is not accredited
    // for, a property no @context defines, and a subject id that is not a URI but a name and number.
    const named = (types: string[], issuerOrgId = 'school-gen'): Record<string, unknown> => {
      const request = achievementRequest(holder, `${STUDENT.name} 优秀学生`, issuerOrgId);
      const credential = request['credential'] as Record<string, unknown>;
      credential['type'] = ['VerifiableCredential', ...types];
      (credential['credentialSubject'] as Record<string, unknown>)['idNumber'] = STUDENT.idNumber;
      return request;
    };
    const refusals = await Promise.all([
      gw.call('POST', '/credentials/issue', {
        token: gw.tokens['provider-admin@provider'],
        body: named(['OpenBadgeCredential', 'ClrCredential'], 'provider'),
      }),
      gw.call('POST', '/credentials/issue', {
        token: gen,
        body: { ...named(['OpenBadgeCredential']), options: { subjectId: studentId } },
      }),
      gw.call('POST', '/credentials/issue', {
        token: gen,
        body: achievementRequest(`${STUDENT.name} ${STUDENT.idNumber}`),
      }),
    ]);
    expect(refusals[0]?.body.error.code).to.equal('NOT_ACCREDITED');
    for (const refused of refusals) {
      expect(refused.status, JSON.stringify(refused.body)).to.be.within(400, 599);
      expect(JSON.stringify(refused.body)).not.to.contain(STUDENT.idNumber);
    }

    // Reads through the API return the text, and must not write it anywhere either.
    const archive = await gw.step('GET', `/archives/${studentId}`, gen, undefined, 200);
    const evaluations = await gw.step('GET', `/pd/teachers/${teacherId}/evaluations`, gen, undefined, 200);
    const statement = await gw.step('GET', `/credit-bank/learners/${studentId}`, gen, undefined, 200);

    // LevelDB keeps superseded and deleted values in older files until compaction.
    await gw.services.db.db.compactRange('\x00', '\xff');
    const files = [...new Set([...filesUnder(gw.dataDir), ...(await gw.ledgerFiles())])];
    expect(files.length).to.be.greaterThan(5);
    const hits: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const needle of NEEDLES)
        if (bytes.includes(Buffer.from(needle))) hits.push(`${needle} in ${file}`);
    }
    const log = gw.logLines.join('');
    expect(log.length).to.be.greaterThan(100);
    for (const needle of NEEDLES) if (log.includes(needle)) hits.push(`${needle} in the log`);
    expect(hits).to.deep.equal([]);

    // The text was kept, not dropped: readers get it back, matching the ledger's digests.
    expect(archive.entries[0]).to.deep.include({ content: { text: ENTRY_TEXT }, contentMatchesLedger: true });
    expect(evaluations.evaluations[0]).to.deep.include({ notesMatchLedger: true });
    expect(evaluations.evaluations[0].scores[1]).to.deep.equal({
      dimension: 'teaching-results',
      score: 71,
      note: EVALUATION_NOTE,
    });
    expect(statement.recognitions[0]).to.deep.include({ reason: DECISION_REASON, reasonMatchesLedger: true });
  });
});
