import { expect } from 'chai';
import { TEST_LEDGER } from '../../test/ledgers.js';
import { demoPdRules } from '../src/seed.js';
import { addSecondBureau, completionRequest, type Gateway, startGateway } from './harness.js';

const DAY = 86_400_000;
const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const MADE_UP = `subj-${'9d'.repeat(16)}`;

interface Row {
  /** `<role>@<orgId>` */
  who: string;
  method: 'POST';
  path: string;
  body: unknown;
  status: number;
  code: string;
}

/**
 * Issue 12, as a table: every write route the issue touched, tried by each role of the wrong
 * organisation (another school of the same bureau, a second bureau and its school) and by the
 * wrong role of the right one. Each refusal has its status and stable code, and writes nothing.
 */
describe('gateway: authorisation matrix (role x route x organisation)', function () {
  this.timeout(120_000);
  let gw: Gateway;
  let tokens: Record<string, string>;
  let student: string;
  let teacher: string;

  before(async function () {
    // A second bureau needs an MSP of its own, which the test network does not define: on Fabric
    // these rules are covered by the conformance and API suites, not by this two-bureau table.
    if (TEST_LEDGER === 'fabric') this.skip();
    gw = await startGateway();
    tokens = { ...gw.tokens, ...(await addSecondBureau(gw)) };
    const gen = tokens['school-admin@school-gen'];
    const person = (kind: string, n: string): Record<string, unknown> => ({
      kind,
      name: '张伟',
      idNumber: `1101051980010100${n}`,
      studentNumber: `T11010519800101${n}`,
      birthDate: '1980-01-01',
    });
    student = (await gw.step('POST', '/subjects', gen, person('student', '51'), 201)).subjectId;
    teacher = (await gw.step('POST', '/subjects', gen, person('teacher', '52'), 201)).subjectId;
    await gw.step(
      'POST',
      '/pd/completions',
      tokens['provider-admin@provider'],
      completionRequest('matrix', teacher, {
        activityKind: 'centralised',
        title: { zh: '集中培训', en: 'Training' },
        hours: 20,
      }),
      201,
    );
    await gw.step('POST', `/pd/completions/${teacher}/matrix/decision`, gen, { confirm: true }, 200);
    await gw.step(
      'POST',
      `/pd/completions/${teacher}/matrix/credential`,
      tokens['provider-admin@provider'],
      { holderDid: HOLDER },
      201,
    );
    await gw.step(
      'POST',
      '/courses',
      gen,
      { courseId: 'matrix-course', title: { zh: '课程', en: 'Course' }, credits: 2, delivery: 'online' },
      201,
    );
  });
  after(() => gw?.close());

  const rows = (): Row[] => {
    const open = { subjectId: student, dimensionSetId: 'five-dimensions-a' };
    const evaluation = { period: '2026', scores: [{ dimension: 'ethics', score: 90 }] };
    const credit = {
      creditId: 'matrix-credit',
      learnerId: student,
      courseId: 'matrix-course',
      credits: 2,
      term: '2026-S1',
    };
    const schoolEval = {
      schoolId: 'school-gen',
      period: '2026-S1',
      scores: [{ indicator: 'teaching-quality', score: 85, maxScore: 100 }],
      summary: '',
    };
    const plan = {
      inspectionId: 'matrix-insp',
      schoolId: 'school-gen',
      indicatorSystem: 'smart-campus',
      title: { zh: '督导', en: 'Inspection' },
      plannedFor: new Date(Date.now() + 7 * DAY).toISOString(),
    };
    const row = (who: string, path: string, body: unknown, status: number, code: string): Row => ({
      who,
      method: 'POST',
      path,
      body,
      status,
      code,
    });
    const notOwner = ['school-admin@school-voc', 'school-admin@school-two'];
    const bureaus = ['bureau-admin@bureau', 'bureau-admin@bureau-two'];
    return [
      // Registering a person: a school admin's act.
      ...['teacher@school-gen', 'provider-admin@provider', ...bureaus].map((who) =>
        row(
          who,
          '/subjects',
          {
            kind: 'student',
            name: '某',
            idNumber: '110105198001010999',
            studentNumber: 'G1101051980010999',
            birthDate: '2010-01-01',
          },
          403,
          'FORBIDDEN_ROLE',
        ),
      ),
      // Opening a student's archive: the student's own school only.
      ...notOwner.map((who) => row(who, '/archives', open, 403, 'FORBIDDEN_ORG')),
      ...['teacher@school-gen', ...bureaus].map((who) => row(who, '/archives', open, 403, 'FORBIDDEN_ROLE')),
      row('school-admin@school-gen', '/archives', { ...open, subjectId: MADE_UP }, 404, 'SUBJECT_NOT_FOUND'),
      // A teacher's evaluation: the teacher's own school only.
      ...notOwner.map((who) =>
        row(who, `/pd/teachers/${teacher}/evaluations`, evaluation, 403, 'FORBIDDEN_ORG'),
      ),
      ...['teacher@school-gen', ...bureaus].map((who) =>
        row(who, `/pd/teachers/${teacher}/evaluations`, evaluation, 403, 'FORBIDDEN_ROLE'),
      ),
      row(
        'school-admin@school-gen',
        `/pd/teachers/${MADE_UP}/evaluations`,
        evaluation,
        404,
        'SUBJECT_NOT_FOUND',
      ),
      // PD rules: bureaus only; a bureau's version name is its own (the genesis one is taken).
      ...['school-admin@school-gen', 'provider-admin@provider', 'inspector@bureau-two'].map((who) =>
        row(who, '/pd/rules', demoPdRules(new Date().getUTCFullYear()), 403, 'FORBIDDEN_ROLE'),
      ),
      row(
        'bureau-admin@bureau',
        '/pd/rules',
        demoPdRules(new Date().getUTCFullYear()),
        409,
        'ALREADY_EXISTS',
      ),
      // Records name persons the ledger knows.
      row(
        'school-admin@school-gen',
        '/credit-bank/credits',
        { ...credit, learnerId: MADE_UP },
        404,
        'SUBJECT_NOT_FOUND',
      ),
      row(
        'school-admin@school-gen',
        '/credit-bank/credits',
        { ...credit, learnerId: teacher },
        404,
        'SUBJECT_NOT_FOUND',
      ),
      ...bureaus.map((who) => row(who, '/credit-bank/credits', credit, 403, 'FORBIDDEN_ROLE')),
      row(
        'provider-admin@provider',
        '/pd/completions',
        completionRequest('matrix-unknown', MADE_UP),
        404,
        'SUBJECT_NOT_FOUND',
      ),
      // One credential per completion; another organisation cannot even read the completion.
      row(
        'provider-admin@provider',
        `/pd/completions/${teacher}/matrix/credential`,
        { holderDid: HOLDER },
        409,
        'ALREADY_EXISTS',
      ),
      row(
        'school-admin@school-two',
        `/pd/completions/${teacher}/matrix/credential`,
        { holderDid: HOLDER },
        403,
        'FORBIDDEN_ORG',
      ),
      // Another bureau neither evaluates nor inspects school-gen.
      row('inspector@bureau-two', '/evaluations', schoolEval, 403, 'FORBIDDEN_ORG'),
      row('inspector@bureau-two', '/inspections', plan, 403, 'FORBIDDEN_ORG'),
      ...notOwner.map((who) => row(who, '/evaluations', schoolEval, 403, 'FORBIDDEN_ORG')),
    ];
  };

  it('refuses every wrong (role, organisation) with its code and writes nothing', async () => {
    for (const r of rows()) {
      const token = tokens[r.who];
      expect(token, r.who).to.be.a('string');
      const height = await gw.ledger.height();
      const res = await gw.call(r.method, r.path, { token, body: r.body });
      expect([r.who, r.path, res.status, res.body?.error?.code], JSON.stringify(res.body)).to.deep.equal([
        r.who,
        r.path,
        r.status,
        r.code,
      ]);
      expect(await gw.ledger.height(), `${r.who} ${r.path} wrote to the ledger`).to.equal(height);
    }
  });

  it('then lets the right organisation do each of them', async () => {
    const gen = tokens['school-admin@school-gen'];
    await gw.step('POST', '/archives', gen, { subjectId: student, dimensionSetId: 'five-dimensions-a' }, 201);
    await gw.step(
      'POST',
      `/pd/teachers/${teacher}/evaluations`,
      gen,
      { period: '2026', scores: [{ dimension: 'ethics', score: 90 }] },
      201,
    );
    await gw.step(
      'POST',
      '/credit-bank/credits',
      gen,
      {
        creditId: 'matrix-credit',
        learnerId: student,
        courseId: 'matrix-course',
        credits: 2,
        term: '2026-S1',
      },
      201,
    );
    await gw.step(
      'POST',
      '/evaluations',
      tokens['inspector@bureau'],
      {
        schoolId: 'school-gen',
        period: '2026-S1',
        scores: [{ indicator: 'teaching-quality', score: 80, maxScore: 100 }],
        summary: '',
      },
      201,
    );
  });
});
