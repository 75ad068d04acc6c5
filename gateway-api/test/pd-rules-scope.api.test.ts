import { expect } from 'chai';
import { TEST_LEDGER } from '../../test/ledgers.js';
import { demoPdRules } from '../src/seed.js';
import { addSecondBureau, completionRequest, startGateway, type Gateway } from './harness.js';

const DAY = 86_400_000;

/** Issue 12: PD conversion rules bind the defining bureau's schools only. */
describe('gateway: PD rules are scoped to their bureau', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let other: Record<string, string>;

  before(async function () {
    // A second bureau needs an MSP of its own, which the test network does not define: on Fabric
    // these rules are covered by the conformance and API suites, not by this two-bureau table.
    if (TEST_LEDGER === 'fabric') this.skip();
    gw = await startGateway();
    other = await addSecondBureau(gw);
  });
  after(() => gw?.close());

  async function teacherOf(token: string | undefined, idNumber: string, number: string): Promise<string> {
    const body = {
      kind: 'teacher',
      name: '韩梅梅',
      idNumber,
      studentNumber: number,
      birthDate: '1980-01-01',
    };
    return (await gw.step('POST', '/subjects', token, body, 201)).subjectId;
  }

  const completion = (completionId: string, teacherId: string, schoolId: string) =>
    completionRequest(completionId, teacherId, { schoolId, hours: 60 });

  it("measures each completion by its school's bureau's rules, whatever another bureau defines", async () => {
    const year = new Date().getUTCFullYear();
    const genesis = demoPdRules(year);
    // Same version name, a day ago, twice the hours per credit: it would win "the latest in force".
    const stricter = {
      ...genesis,
      effectiveFrom: new Date(Date.now() - 2 * DAY).toISOString(),
      kinds: genesis.kinds.map((k) => ({ ...k, hoursPerCredit: k.hoursPerCredit * 2 })),
    };
    const defined = await gw.step('POST', '/pd/rules', other['bureau-admin@bureau-two'], stricter, 201);
    expect(defined.record.definedBy).to.equal('bureau-two');
    await gw.step('POST', '/pd/rules', other['bureau-admin@bureau-two'], stricter, 409, 'ALREADY_EXISTS');

    const provider = gw.tokens['provider-admin@provider'];
    const genTeacher = await teacherOf(
      gw.tokens['school-admin@school-gen'],
      '110105198001010021',
      'T1101051980010101',
    );
    const twoTeacher = await teacherOf(
      other['school-admin@school-two'],
      '110105198001010039',
      'T1101051980010102',
    );
    const gen = await gw.step(
      'POST',
      '/pd/completions',
      provider,
      completion('scope-1', genTeacher, 'school-gen'),
      201,
    );
    expect(gen.record).to.include({ rulesVersion: genesis.version, credits: 6 });
    const two = await gw.step(
      'POST',
      '/pd/completions',
      provider,
      completion('scope-2', twoTeacher, 'school-two'),
      201,
    );
    expect(two.record).to.include({ rulesVersion: genesis.version, credits: 3 });

    const progress = await gw.step(
      'GET',
      `/pd/teachers/${genTeacher}/progress`,
      gw.tokens['school-admin@school-gen'],
      undefined,
      200,
    );
    expect(progress).to.include({
      rulesVersion: genesis.version,
      required: genesis.requiredCredits,
      pending: 1,
    });
    const rules = (await gw.step('GET', '/pd/rules', undefined, undefined, 200)).rules;
    expect(rules.map((r: { definedBy: string }) => r.definedBy).sort()).to.deep.equal([
      'bureau',
      'bureau-two',
    ]);
  });
});
