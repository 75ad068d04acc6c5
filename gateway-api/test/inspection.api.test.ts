import { expect } from 'chai';
import { startGateway, type Gateway } from './harness.js';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('gateway: inspection workflow (教育督导)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let inspector: string;
  let schoolAdmin: string;

  before(async () => {
    gw = await startGateway();
    inspector = gw.tokens['inspector@bureau'] ?? '';
    schoolAdmin = gw.tokens['school-admin@school-gen'] ?? '';
  });
  after(() => gw.close());

  /** Calls a route and asserts the status; on a refusal also asserts the code and that nothing was written. */
  const expectStep: Gateway['step'] = (...args) => gw.step(...args);

  it('walks plan -> visit -> response -> failed and passed re-inspection -> close, refusing every wrong step', async () => {
    const id = 'insp-2026-smart-campus';
    const plan = {
      inspectionId: id,
      schoolId: 'school-gen',
      indicatorSystem: 'smart-campus',
      title: { zh: '智慧校园建设专项督导', en: 'Smart campus inspection' },
      plannedFor: iso(Date.now() + 7 * DAY),
    };
    await expectStep('POST', '/inspections', schoolAdmin, plan, 403, 'FORBIDDEN_ROLE');
    await expectStep('POST', '/inspections', gw.tokens['bureau-admin@bureau'], plan, 403, 'FORBIDDEN_ROLE');
    await expectStep(
      'POST',
      '/inspections',
      inspector,
      { ...plan, schoolId: 'university-x' },
      404,
      'ORG_NOT_FOUND',
    );
    const planned = await expectStep('POST', '/inspections', inspector, plan, 201);
    expect(planned.record.state).to.equal('planned');
    await expectStep('POST', '/inspections', inspector, plan, 409, 'ALREADY_EXISTS');

    // The school cannot respond before a visit; nobody can re-inspect a planned inspection.
    const response = { responses: [{ actionId: 'a1', note: '已整改', evidenceDigests: ['ab'.repeat(32)] }] };
    await expectStep('POST', `/inspections/${id}/response`, schoolAdmin, response, 409, 'INVALID_STATE');
    await expectStep(
      'POST',
      `/inspections/${id}/reinspection`,
      inspector,
      { passed: true, notes: '' },
      409,
      'INVALID_STATE',
    );

    const visit = {
      scores: [
        { indicator: 'network', score: 7, maxScore: 10 },
        { indicator: 'data-governance', score: 4, maxScore: 10 },
      ],
      findings: '数据治理制度不健全 Data governance rules incomplete',
      actions: [{ actionId: 'a1', description: '建立数据分类分级制度', deadline: iso(Date.now() - DAY) }],
    };
    await expectStep('POST', `/inspections/${id}/visit`, schoolAdmin, visit, 403, 'FORBIDDEN_ROLE');
    const visited = await expectStep('POST', `/inspections/${id}/visit`, inspector, visit, 200);
    expect(visited.record.state).to.equal('actions-required');
    await expectStep('POST', `/inspections/${id}/close`, inspector, {}, 409, 'INVALID_STATE');

    const overdue = await expectStep('GET', '/inspections/overdue', inspector, undefined, 200);
    expect(overdue.overdue.map((a: any) => `${a.inspectionId}/${a.actionId}`)).to.deep.equal([`${id}/a1`]);
    await expectStep('GET', '/inspections/overdue', schoolAdmin, undefined, 403, 'FORBIDDEN_ROLE');

    await expectStep(
      'POST',
      `/inspections/${id}/response`,
      gw.tokens['school-admin@school-voc'],
      response,
      404,
      'NOT_FOUND',
    );
    const responded = await expectStep('POST', `/inspections/${id}/response`, schoolAdmin, response, 200);
    expect(responded.record.state).to.equal('responded');
    expect(responded.record.actions[0].response.evidenceDigests).to.have.length(1);

    const failed = await expectStep(
      'POST',
      `/inspections/${id}/reinspection`,
      inspector,
      {
        passed: false,
        notes: '制度未落实',
        actions: [{ actionId: 'a2', description: '落实制度并培训', deadline: iso(Date.now() + 30 * DAY) }],
      },
      200,
    );
    expect(failed.record.state).to.equal('actions-required');
    await expectStep(
      'POST',
      `/inspections/${id}/response`,
      schoolAdmin,
      { responses: [{ actionId: 'a2', note: '已培训', evidenceDigests: [] }] },
      200,
    );
    const passed = await expectStep(
      'POST',
      `/inspections/${id}/reinspection`,
      inspector,
      { passed: true, notes: '合格' },
      200,
    );
    expect(passed.record.actions.map((a: any) => a.status)).to.deep.equal(['resolved', 'resolved']);
    await expectStep('POST', `/inspections/${id}/close`, schoolAdmin, {}, 403, 'FORBIDDEN_ROLE');
    const closed = await expectStep(
      'POST',
      `/inspections/${id}/close`,
      inspector,
      { notes: '督导结束' },
      200,
    );
    expect(closed.record.state).to.equal('closed');
    await expectStep('POST', `/inspections/${id}/visit`, inspector, visit, 409, 'INVALID_STATE');

    const seenBySchool = await expectStep('GET', `/inspections/${id}`, schoolAdmin, undefined, 200);
    expect(seenBySchool.state).to.equal('closed');
    await expectStep(
      'GET',
      `/schools/school-gen/inspections`,
      gw.tokens['school-admin@school-voc'],
      undefined,
      403,
      'FORBIDDEN_ORG',
    );

    const audit = await expectStep(
      'GET',
      '/audit/schools/school-gen?kind=inspection',
      inspector,
      undefined,
      200,
    );
    const record = audit.records.find((r: any) => r.record.inspectionId === id);
    expect(record.history.map((h: any) => h.record.state)).to.deep.equal([
      'planned',
      'actions-required',
      'responded',
      'actions-required',
      'responded',
      'reinspected',
      'closed',
    ]);
  });

  it('keeps self and external school evaluations side by side, once per period and source', async () => {
    const scores = [{ indicator: 'teaching-quality', score: 85, maxScore: 100 }];
    await expectStep(
      'POST',
      '/evaluations',
      schoolAdmin,
      { schoolId: 'school-voc', period: '2026-S1', scores, summary: '' },
      403,
      'FORBIDDEN_ORG',
    );
    await expectStep(
      'POST',
      '/evaluations',
      schoolAdmin,
      { schoolId: 'school-gen', period: '2026-S1', scores, summary: '自评' },
      201,
    );
    await expectStep(
      'POST',
      '/evaluations',
      schoolAdmin,
      { schoolId: 'school-gen', period: '2026-S1', scores, summary: '' },
      409,
      'ALREADY_EXISTS',
    );
    await expectStep(
      'POST',
      '/evaluations',
      inspector,
      { schoolId: 'school-gen', period: '2026-S1', scores: [{ ...scores[0], score: 80 }], summary: '外评' },
      201,
    );
    await expectStep(
      'POST',
      '/evaluations',
      inspector,
      { schoolId: 'school-gen', period: '2026-X', scores, summary: '' },
      400,
      'INVALID_ARGUMENT',
    );
    const both = await expectStep('GET', '/schools/school-gen/evaluations', schoolAdmin, undefined, 200);
    expect(both.evaluations).to.have.length(1);
    expect(both.evaluations[0].self.scores[0].score).to.equal(85);
    expect(both.evaluations[0].external.scores[0].score).to.equal(80);
    expect(both.evaluations[0].external.submittedBy).to.equal('bureau');
  });
});
