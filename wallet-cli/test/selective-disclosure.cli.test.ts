import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { startGateway, type Gateway } from '../../gateway-api/test/harness.js';
import { cli, json, makeOffer, newHome, type CliOptions } from './helpers.js';

const ACADEMIC_TEXT = '数学建模课题获校级一等奖';
const HEALTH_TEXT = '心理健康：情绪管理需要加强';

describe('edu-wallet present --disclose (ecdsa-sd-2023 selective disclosure)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let home: string;
  let reportId: string;
  let offeredId: string;
  let plainId: string;
  const as = (extra: Partial<CliOptions> = {}): CliOptions => ({ home, gateway: gw.url, ...extra });

  /** A growth term report offered with selectiveDisclosure, shaped as the report route issues it. */
  async function offerSdReport(): Promise<string> {
    const entry = (dimension: string, label: string, labelEn: string, text: string) => ({
      type: 'GrowthDimensionResult',
      dimension,
      label,
      labelEn,
      entries: [{ type: 'GrowthEntryRecord', term: '2026-S1', text, recordedAt: '2026-03-01T08:00:00.000Z' }],
    });
    const created = await gw.call('POST', '/credential-offers', {
      token: gw.tokens['school-admin@school-gen'],
      body: {
        credential: {
          '@context': ['https://www.w3.org/ns/credentials/v2', 'https://edu-ledger.example/contexts/edu/v1'],
          type: ['VerifiableCredential', 'GrowthTermReport'],
          name: '学生成长档案学期报告 Growth term report 2026-S1',
          credentialSubject: {
            term: '2026-S1',
            dimensionResults: [
              entry('academic', '学业发展', 'Academic development', ACADEMIC_TEXT),
              entry('health', '身心健康', 'Physical and mental health', HEALTH_TEXT),
            ],
          },
        },
        options: { selectiveDisclosure: true },
      },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return `${gw.url}/credential-offers/${created.body.offerId}`;
  }

  /** The school's real flow: the student's archive, two dimensions of entries, a report to the DID. */
  async function issueArchiveReport(did: string): Promise<string> {
    const gen = gw.tokens['school-admin@school-gen'];
    const call = async (path: string, body: unknown): Promise<any> => {
      const res = await gw.call('POST', path, { token: gen, body });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(201);
      return res.body;
    };
    const { subjectId } = await call('/subjects', {
      name: '韩梅梅',
      idNumber: '310101200903032345',
      studentNumber: 'G310101200903032345',
      birthDate: '2009-03-03',
      did,
    });
    await call('/archives', { subjectId, dimensionSetId: 'five-dimensions-a' });
    await call(`/archives/${subjectId}/entries`, {
      entryId: 'e-a-1',
      term: '2026-S1',
      dimensionId: 'academic',
      content: { text: ACADEMIC_TEXT },
    });
    await call(`/archives/${subjectId}/entries`, {
      entryId: 'e-h-1',
      term: '2026-S1',
      dimensionId: 'health',
      content: { text: HEALTH_TEXT },
    });
    const issued = await call(`/archives/${subjectId}/reports`, {
      term: '2026-S1',
      selectiveDisclosure: true,
    });
    const file = join(home, '..', 'report.json');
    writeFileSync(file, JSON.stringify(issued));
    return file;
  }

  before(async () => {
    gw = await startGateway();
    home = newHome();
    const [created, sdOffer, plainOffer] = await Promise.all([
      cli(['init', '--json'], { home, gateway: gw.url }).then(json),
      offerSdReport(),
      makeOffer(gw),
    ]);
    const reportFile = await issueArchiveReport(created.did);
    // Both paths check the base proof offline, against the issuer's DID document from the ledger.
    reportId = json(await cli(['add-credential', reportFile, '--json'], as())).id;
    offeredId = json(await cli(['receive', sdOffer, '--json'], as())).id;
    plainId = json(await cli(['receive', plainOffer, '--json'], as())).id;
  });
  after(() => gw.close());

  it('presents only the academic dimension; the gateway verifies it and the health text is not in the file', async () => {
    const out = join(home, '..', 'vp-sd.json');
    const presented = await cli(
      [
        'present',
        reportId,
        '--disclose',
        'academic',
        '--challenge',
        'sd-challenge-2026',
        '--domain',
        'admissions.example',
        '--out',
        out,
      ],
      as(),
    );
    expect(presented.code, presented.stderr).to.equal(0);
    const bytes = readFileSync(out, 'utf8');
    expect(bytes).to.include(ACADEMIC_TEXT);
    expect(bytes).not.to.include(HEALTH_TEXT);
    expect(bytes).not.to.include('Physical and mental health');
    const vp = JSON.parse(bytes);
    expect(vp.verifiableCredential[0].proof.cryptosuite).to.equal('ecdsa-sd-2023');
    expect(vp.proof.cryptosuite).to.equal('eddsa-rdfc-2022');
    const res = await gw.call('POST', '/presentations/verify', {
      body: {
        verifiablePresentation: vp,
        options: { challenge: 'sd-challenge-2026', domain: 'admissions.example' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.verified).to.equal(true);
    const anchored = res.body.credentialResults[0].checks.find(
      (c: { check: string }) => c.check === 'anchored',
    );
    expect(anchored.reason).to.match(/^selective disclosure of the credential/);
  });

  it('presents an offered selective-disclosure report the same way', async () => {
    const presented = await cli(
      [
        'present',
        offeredId,
        '--disclose',
        'health',
        '--challenge',
        'sd-challenge-2027',
        '--domain',
        'clinic.example',
        '--json',
      ],
      as(),
    );
    const vp = json(presented).verifiablePresentation;
    const bytes = JSON.stringify(vp);
    expect(bytes).to.include(HEALTH_TEXT);
    expect(bytes).not.to.include(ACADEMIC_TEXT);
    const res = await gw.call('POST', '/presentations/verify', {
      body: {
        verifiablePresentation: vp,
        options: { challenge: 'sd-challenge-2027', domain: 'clinic.example' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  });

  it('refuses add-credential for a credential issued to someone else (exit 4)', async () => {
    const other = newHome();
    json(await cli(['init', '--json'], { home: other, gateway: gw.url }));
    const refused = await cli(['add-credential', join(home, '..', 'report.json')], {
      home: other,
      gateway: gw.url,
    });
    expect(refused.code, refused.stderr).to.equal(4);
  });

  it('refuses --disclose for an unknown dimension and for a credential without a base proof (exit 1)', async () => {
    const base = ['--challenge', 'sd-challenge-2026', '--domain', 'admissions.example'];
    const [unknown, plain] = await Promise.all([
      cli(['present', reportId, '--disclose', 'arts', ...base], as()),
      cli(['present', plainId, '--disclose', 'academic', ...base], as()),
    ]);
    expect(unknown.code, unknown.stderr).to.equal(1);
    expect(unknown.stderr).to.contain('has no dimension arts');
    expect(plain.code, plain.stderr).to.equal(1);
    expect(plain.stderr).to.contain('does not support selective disclosure');
  });
});
