import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { deriveCredential, didKeyFromSeed, type VerifiableCredential } from '@edu-ledger/credentials';
import { startGateway, type Gateway } from './harness.js';

const SECRET_TEXT = '在市级科技创新大赛中获一等奖';
const STUDENT_NAME = '王芳';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('gateway: student growth archive (学生成长档案)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let gen: string;
  let teacher: string;
  let subjectId: string;
  let holderDid: string;

  before(async () => {
    gw = await startGateway();
    gen = gw.tokens['school-admin@school-gen'] ?? '';
    teacher = gw.tokens['teacher@school-gen'] ?? '';
    holderDid = (await didKeyFromSeed(new Uint8Array(32).fill(11))).did;
    const reg = await gw.call('POST', '/subjects', {
      token: gen,
      body: {
        name: STUDENT_NAME,
        idNumber: '310101200901012345',
        studentNumber: 'G310101200901012345',
        birthDate: '2009-01-01',
        did: holderDid,
      },
    });
    subjectId = reg.body.subjectId;
  });
  after(() => gw.close());

  const step: Gateway['step'] = (...args) => gw.step(...args);

  const entry = (entryId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    entryId,
    term: '2026-S1',
    dimensionId: 'academic',
    indicatorId: 'science',
    content: { text: SECRET_TEXT, facts: { competition: '市级科技创新大赛' } },
    ...extra,
  });

  it('records entries with content in the vault and only a salted digest on the ledger', async () => {
    const sets = await gw.call('GET', '/dimension-sets');
    expect(sets.body.dimensionSets.map((s: any) => s.setId)).to.include.members([
      'five-dimensions-a',
      'five-dimensions-b',
    ]);
    await step(
      'POST',
      '/archives',
      teacher,
      { subjectId, dimensionSetId: 'five-dimensions-a' },
      403,
      'FORBIDDEN_ROLE',
    );
    await step('POST', '/archives', gen, { subjectId, dimensionSetId: 'five-dimensions-a' }, 201);
    await step(
      'POST',
      '/archives',
      gen,
      { subjectId, dimensionSetId: 'five-dimensions-a' },
      409,
      'ALREADY_EXISTS',
    );

    const added = await step('POST', `/archives/${subjectId}/entries`, teacher, entry('e-1'), 201);
    expect(added.record.contentDigest).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(added)).not.to.contain(SECRET_TEXT);
    await step(
      'POST',
      `/archives/${subjectId}/entries`,
      teacher,
      entry('e-x', { dimensionId: 'skills' }),
      400,
      'INVALID_ARGUMENT',
    );
    await step(
      'POST',
      `/archives/${subjectId}/entries`,
      gw.tokens['teacher@school-voc'],
      entry('e-2'),
      403,
      'FORBIDDEN_ORG',
    );
    await step(
      'POST',
      `/archives/${subjectId}/entries`,
      gw.tokens['verifier@university'],
      entry('e-2'),
      403,
      'FORBIDDEN_ROLE',
    );

    const files = await gw.ledgerFiles();
    expect(files.length).to.be.greaterThan(3);
    for (const file of files)
      expect(readFileSync(file).includes(Buffer.from(SECRET_TEXT)), file).to.equal(false);

    const read = await step('GET', `/archives/${subjectId}`, gen, undefined, 200);
    expect(read.entries[0].content.text).to.equal(SECRET_TEXT);
    expect(read.entries[0].contentMatchesLedger).to.equal(true);
  });

  it('corrects by superseding: both entries stay, a second correction of the same entry is refused', async () => {
    await step(
      'POST',
      `/archives/${subjectId}/entries`,
      teacher,
      entry('e-1b', { supersedes: 'e-1', content: { text: '获二等奖（更正）' } }),
      201,
    );
    await step(
      'POST',
      `/archives/${subjectId}/entries`,
      teacher,
      entry('e-1c', { supersedes: 'e-1', content: { text: '再次更正' } }),
      409,
      'INVALID_STATE',
    );
    const read = await step('GET', `/archives/${subjectId}`, gen, undefined, 200);
    const byId = Object.fromEntries(read.entries.map((e: any) => [e.entryId, e]));
    expect(byId['e-1'].supersededBy).to.equal('e-1b');
    expect(byId['e-1b'].supersedes).to.equal('e-1');
    await step(
      'POST',
      `/archives/${subjectId}/entries`,
      teacher,
      entry('e-moral', {
        dimensionId: 'moral',
        indicatorId: undefined,
        content: { text: '担任班长，组织志愿服务' },
      }),
      201,
    );
  });

  it('lets an admissions office read only consented dimensions, until consent is revoked', async () => {
    const university = gw.tokens['verifier@university'];
    await step('GET', `/archives/${subjectId}`, university, undefined, 403, 'FORBIDDEN_ORG');
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await step(
      'POST',
      `/archives/${subjectId}/consents`,
      gw.tokens['school-admin@school-voc'],
      { consentId: 'adm-1', granteeOrgId: 'university', dimensions: ['academic'], until },
      403,
      'FORBIDDEN_ORG',
    );
    await step(
      'POST',
      `/archives/${subjectId}/consents`,
      gen,
      { consentId: 'adm-1', granteeOrgId: 'university', dimensions: ['academic'], until },
      201,
    );
    const seen = await step('GET', `/archives/${subjectId}`, university, undefined, 200);
    expect(seen.visibleDimensions).to.deep.equal(['academic']);
    expect(new Set(seen.entries.map((e: any) => e.dimensionId))).to.deep.equal(new Set(['academic']));
    await step('DELETE', `/archives/${subjectId}/consents/adm-1`, gen, undefined, 200);
    await step('GET', `/archives/${subjectId}`, university, undefined, 403, 'FORBIDDEN_ORG');
  });

  it('issues a term report to the student that verifies, without superseded entries', async () => {
    const issued = await step('POST', `/archives/${subjectId}/reports`, gen, { term: '2026-S1' }, 201);
    const vc = issued.verifiableCredential;
    expect(vc.type).to.include('GrowthTermReport');
    expect(vc.credentialSubject.id).to.equal(holderDid);
    const texts = vc.credentialSubject.dimensionResults.flatMap((d: any) =>
      d.entries.map((e: any) => e.text),
    );
    expect(texts).to.include('获二等奖（更正）');
    expect(texts).not.to.include(SECRET_TEXT);
    const verify = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    expect(verify.status, JSON.stringify(verify.body)).to.equal(200);
  });

  async function expectVerified(verifiableCredential: unknown): Promise<void> {
    const verify = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential } });
    expect(verify.status, JSON.stringify(verify.body)).to.equal(200);
  }

  it('names the student (from the vault) in term, archive and CLR reports, never in clear on the ledger or in the store', async () => {
    const term = await step(
      'POST',
      `/archives/${subjectId}/reports`,
      gen,
      { term: '2026-S1', supersede: true },
      201,
    );
    expect(term.verifiableCredential.credentialSubject).to.include({ id: holderDid, name: STUDENT_NAME });
    await expectVerified(term.verifiableCredential);
    const archive = await step('POST', `/archives/${subjectId}/reports`, gen, {}, 201);
    // Checked before the CLR below supersedes (revokes) it.
    await expectVerified(archive.verifiableCredential);
    expect(archive.verifiableCredential.type).to.include('GrowthArchiveReport');
    expect(archive.verifiableCredential.credentialSubject.name).to.equal(STUDENT_NAME);
    const clr = await step(
      'POST',
      `/archives/${subjectId}/reports`,
      gen,
      { format: 'clr', supersede: true },
      201,
    );
    expect(clr.verifiableCredential.type).to.include('ClrCredential');
    expect(clr.verifiableCredential.credentialSubject.type).to.deep.equal(['ClrSubject']);
    expect(clr.verifiableCredential.credentialSubject.name).to.equal(STUDENT_NAME);
    await expectVerified(clr.verifiableCredential);
    // The ledger anchors digests, and the gateway's copies are sealed under the student's key.
    await gw.services.db.db.compactRange('\x00', '\xff');
    const files = [...new Set([...filesUnder(gw.dataDir), ...(await gw.ledgerFiles())])];
    const needles = [STUDENT_NAME, Buffer.from(STUDENT_NAME).toString('base64'), '\\u738b\\u82b3'];
    const hits = files.flatMap((file) => {
      const bytes = readFileSync(file);
      return needles.filter((n) => bytes.includes(Buffer.from(n))).map((n) => `${n} in ${file}`);
    });
    for (const needle of needles)
      if (gw.logLines.join('').includes(needle)) hits.push(`${needle} in the log`);
    expect(hits).to.deep.equal([]);
  });

  it('lets the holder withhold the name from a selectively disclosed report, which still verifies', async () => {
    const issued = await step(
      'POST',
      `/archives/${subjectId}/reports`,
      gen,
      { term: '2026-S1', selectiveDisclosure: true, supersede: true },
      201,
    );
    const report = issued.verifiableCredential as VerifiableCredential;
    expect(report.credentialSubject).to.include({ name: STUDENT_NAME });
    // What edu-wallet discloses for one dimension: the subject's id, term and that dimension.
    const withheld = await deriveCredential({
      verifiableCredential: report,
      selectivePointers: [
        '/credentialSubject/id',
        '/credentialSubject/term',
        '/credentialSubject/dimensionResults/0',
      ],
      documentLoader: gw.services.documentLoader,
    });
    expect(withheld.credentialSubject).not.to.have.property('name');
    expect(JSON.stringify(withheld)).not.to.contain(STUDENT_NAME);
    const verify = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: withheld } });
    expect(verify.status, JSON.stringify(verify.body)).to.equal(200);
    expect(verify.body.outcome).to.equal('trusted');

    const disclosed = await deriveCredential({
      verifiableCredential: report,
      selectivePointers: ['/credentialSubject/id', '/credentialSubject/name'],
      documentLoader: gw.services.documentLoader,
    });
    expect(disclosed.credentialSubject).to.include({ name: STUDENT_NAME });
    const verifyNamed = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: disclosed },
    });
    expect(verifyNamed.status, JSON.stringify(verifyNamed.body)).to.equal(200);
  });

  it('moves custody on transfer (转学): request by the holder, acceptance by the receiver, history keeps both', async () => {
    const voc = gw.tokens['school-admin@school-voc'];
    await step(
      'POST',
      `/archives/${subjectId}/transfer`,
      voc,
      { toSchoolId: 'school-voc' },
      403,
      'FORBIDDEN_ORG',
    );
    await step('POST', `/archives/${subjectId}/transfer/accept`, voc, undefined, 409, 'INVALID_STATE');
    await step('POST', `/archives/${subjectId}/transfer`, gen, { toSchoolId: 'school-voc' }, 200);
    await step(
      'POST',
      `/archives/${subjectId}/transfer/accept`,
      gw.tokens['school-admin@university'],
      undefined,
      403,
      'FORBIDDEN_ORG',
    );
    const accepted = await step('POST', `/archives/${subjectId}/transfer/accept`, voc, undefined, 200);
    expect(accepted.record.holderSchoolId).to.equal('school-voc');
    expect(accepted.record.custody.map((c: any) => c.schoolId)).to.deep.equal(['school-gen', 'school-voc']);
    expect(accepted.record.custody[0].until).to.be.a('string');
    await step('POST', `/archives/${subjectId}/entries`, teacher, entry('e-after'), 403, 'FORBIDDEN_ORG');
    await step(
      'POST',
      `/archives/${subjectId}/entries`,
      gw.tokens['teacher@school-voc'],
      entry('e-voc', { dimensionId: 'health', indicatorId: undefined, content: { text: '体测良好' } }),
      201,
    );
  });
});
