import { expect } from 'chai';
import { SCHOOL_VOC, registerOnLedger, startGateway, type Gateway } from './harness.js';

const LEARNER = `subj-${'a1'.repeat(16)}`;
const YEAR = 365 * 86_400_000;

describe('gateway: credit bank (学分银行)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let voc: string;
  let gen: string;

  before(async () => {
    gw = await startGateway();
    await registerOnLedger(gw, SCHOOL_VOC, LEARNER, 'student');
    voc = gw.tokens['school-admin@school-voc'] ?? '';
    gen = gw.tokens['school-admin@school-gen'] ?? '';
  });
  after(() => gw.close());

  const step = (
    path: string,
    token: string | undefined,
    body: unknown,
    status: number,
    code?: string,
  ): Promise<any> => gw.step('POST', path, token, body, status, code);

  it('recognises a vocational course credit at the general high school once, only under an effective agreement', async () => {
    await step(
      '/courses',
      voc,
      {
        courseId: 'cnc-basics',
        title: { zh: '数控加工基础', en: 'CNC machining basics' },
        credits: 4,
        delivery: 'online',
      },
      201,
    );
    await step(
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
    const agreement = {
      agreementId: 'gen-voc-2026',
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
    };
    await step('/agreements', gw.tokens['teacher@school-voc'], agreement, 403, 'FORBIDDEN_ROLE');
    await step(
      '/agreements',
      voc,
      { ...agreement, mappings: [{ ...agreement.mappings[0], fromCourse: 'nope' }] },
      404,
      'NOT_FOUND',
    );
    const proposed = await step('/agreements', voc, agreement, 201);
    expect(proposed.record.state).to.equal('proposed');

    await step(
      '/credit-bank/credits',
      gen,
      { creditId: 'c-1', learnerId: LEARNER, courseId: 'cnc-basics', credits: 4, term: '2026-S1' },
      404,
      'NOT_FOUND',
    );
    await step(
      '/credit-bank/credits',
      voc,
      { creditId: 'c-1', learnerId: LEARNER, courseId: 'cnc-basics', credits: 9, term: '2026-S1' },
      400,
      'INVALID_ARGUMENT',
    );
    await step(
      '/credit-bank/credits',
      gw.tokens['teacher@school-voc'],
      { creditId: 'c-1', learnerId: LEARNER, courseId: 'cnc-basics', credits: 4, term: '2026-S1' },
      201,
    );

    const request = {
      recognitionId: 'r-1',
      learnerId: LEARNER,
      creditId: 'c-1',
      toOrg: 'school-gen',
      agreementId: 'gen-voc-2026',
    };
    await step('/credit-bank/recognitions', gen, request, 403, 'FORBIDDEN_ORG');
    // Not effective yet: only the proposer approved, so nothing may be requested under it (and the
    // credit's once-per-target key stays free).
    const early = await step('/credit-bank/recognitions', voc, request, 409, 'INVALID_STATE');
    expect(early.error.message).to.contain('gen-voc-2026 is not effective').and.to.contain('尚未生效');
    const before = await gw.call('GET', `/credit-bank/learners/${LEARNER}`, { token: voc });
    expect(before.body.recognitions, JSON.stringify(before.body)).to.deep.equal([]);

    await step('/agreements/gen-voc-2026/approve', voc, undefined, 409, 'INVALID_STATE');
    const effective = await step('/agreements/gen-voc-2026/approve', gen, undefined, 200);
    expect(effective.record.state).to.equal('effective');

    const requested = await step('/credit-bank/recognitions', voc, request, 201);
    expect(requested.record).to.include({ credits: 2, toCourse: 'general-tech', state: 'requested' });
    await step(
      '/credit-bank/recognitions/r-1/decision',
      voc,
      { learnerId: LEARNER, approve: true },
      403,
      'FORBIDDEN_ORG',
    );

    const approved = await step(
      '/credit-bank/recognitions/r-1/decision',
      gen,
      { learnerId: LEARNER, approve: true },
      200,
    );
    expect(approved.record.state).to.equal('approved');
    await step(
      '/credit-bank/recognitions/r-1/decision',
      gen,
      { learnerId: LEARNER, approve: true },
      409,
      'INVALID_STATE',
    );
    await step('/credit-bank/recognitions', voc, { ...request, recognitionId: 'r-2' }, 409, 'ALREADY_EXISTS');

    const holder = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    await step(
      '/credit-bank/recognitions/r-1/credential',
      voc,
      { learnerId: LEARNER, holderDid: holder },
      403,
      'FORBIDDEN_ORG',
    );
    const issued = await step(
      '/credit-bank/recognitions/r-1/credential',
      gen,
      { learnerId: LEARNER, holderDid: holder },
      201,
    );
    // One credential per approved recognition (issue 12: 570 were issued for 4).
    await step(
      '/credit-bank/recognitions/r-1/credential',
      gen,
      { learnerId: LEARNER, holderDid: holder },
      409,
      'ALREADY_EXISTS',
    );
    expect(issued.verifiableCredential.credentialSubject).to.include({
      credits: 2,
      fromInstitution: 'school-voc',
      toInstitution: 'school-gen',
    });
    const verified = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: issued.verifiableCredential },
    });
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);

    const catalogue = await gw.call('GET', '/organizations/school-voc/courses?pageSize=1');
    expect(catalogue.body.courses.map((c: any) => c.courseId)).to.deep.equal(['cnc-basics']);
    expect(catalogue.body.bookmark).to.equal('');

    const statement = await gw.call('GET', `/credit-bank/learners/${LEARNER}`, { token: gen });
    expect(statement.body.balance).to.deep.equal({
      'school-voc': { earned: 4, recognised: 0 },
      'school-gen': { earned: 0, recognised: 2 },
    });
  });

  it('lets exactly one of two concurrent recognition requests for the same credit succeed', async () => {
    await step(
      '/credit-bank/credits',
      voc,
      { creditId: 'c-race', learnerId: LEARNER, courseId: 'cnc-basics', credits: 2, term: '2026-S2' },
      201,
    );
    const body = (n: number): unknown => ({
      recognitionId: `race-${n}`,
      learnerId: LEARNER,
      creditId: 'c-race',
      toOrg: 'school-gen',
      agreementId: 'gen-voc-2026',
    });
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => gw.call('POST', '/credit-bank/recognitions', { token: voc, body: body(n) })),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(ok, JSON.stringify(results.map((r) => r.body))).to.have.length(1);
    expect(refused).to.have.length(3);
    for (const r of refused) expect(['ALREADY_EXISTS', 'MVCC_READ_CONFLICT']).to.include(r.body.error.code);
    const statement = await gw.call('GET', `/credit-bank/learners/${LEARNER}`, { token: voc });
    expect(statement.body.recognitions.filter((r: any) => r.creditId === 'c-race')).to.have.length(1);
  });

  it('frees the credit after a rejection, and enforces the per-learner cap', async () => {
    // Whichever of the concurrent requests won is still pending: the target rejects it.
    const statement = await gw.call('GET', `/credit-bank/learners/${LEARNER}`, { token: voc });
    const pending = statement.body.recognitions.find((r: any) => r.creditId === 'c-race');
    expect(pending.state).to.equal('requested');
    const rejected = await step(
      `/credit-bank/recognitions/${pending.recognitionId}/decision`,
      gen,
      { learnerId: LEARNER, approve: false, reason: '材料不全' },
      200,
    );
    // The ledger holds the reason's salted digest; the text is in the vault and comes back on reads.
    expect(rejected.record.reasonDigest).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rejected)).not.to.contain('材料不全');
    const decided = await gw.call('GET', `/credit-bank/learners/${LEARNER}`, { token: gen });
    expect(
      decided.body.recognitions.find((r: any) => r.recognitionId === pending.recognitionId),
    ).to.deep.include({
      state: 'rejected',
      reason: '材料不全',
      reasonDigest: rejected.record.reasonDigest,
      reasonMatchesLedger: true,
    });
    const again = {
      recognitionId: 'race-again',
      learnerId: LEARNER,
      creditId: 'c-race',
      toOrg: 'school-gen',
      agreementId: 'gen-voc-2026',
    };
    await step('/credit-bank/recognitions', voc, again, 201);
    // 2 already recognised + 1 more = 3 <= cap 4: allowed.
    await step(
      '/credit-bank/recognitions/race-again/decision',
      gen,
      { learnerId: LEARNER, approve: true },
      200,
    );
    await step(
      '/credit-bank/credits',
      voc,
      { creditId: 'c-3', learnerId: LEARNER, courseId: 'cnc-basics', credits: 4, term: '2026-S2' },
      201,
    );
    await step('/credit-bank/recognitions', voc, { ...again, recognitionId: 'r-cap', creditId: 'c-3' }, 201);
    await step(
      '/credit-bank/recognitions/r-cap/decision',
      gen,
      { learnerId: LEARNER, approve: true, reason: '超出协议上限' },
      409,
      'INVALID_STATE',
    );
    // The refused decision's sealed reason was removed, so the record can still be decided with one.
    await step(
      '/credit-bank/recognitions/r-cap/decision',
      gen,
      { learnerId: LEARNER, approve: false, reason: '超出协议上限' },
      200,
    );
    await step(
      '/credit-bank/recognitions/r-cap/decision',
      gen,
      { learnerId: LEARNER, approve: false, reason: '重复提交' },
      409,
      'INVALID_STATE',
    );
  });
});
