import { expect } from 'chai';
import {
  createPresentation,
  credentialDigest,
  deriveCredential,
  didKeyFromSeed,
  signPresentation,
  type ExportedKey,
  type VerifiableCredential,
} from '@edu-ledger/credentials';
import { startGateway, type Gateway } from './harness.js';

const ACADEMIC_TEXT = '数学建模课题获校级一等奖';
const HEALTH_TEXT = '心理健康：情绪管理需要加强';
const CHALLENGE = 'sd-challenge-0001';
const DOMAIN = 'admissions.university.example';

describe('gateway: selectively disclosed growth report (ecdsa-sd-2023)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let gen: string;
  let subjectId: string;
  let holder: { did: string; key: ExportedKey };
  let report: VerifiableCredential;

  before(async () => {
    gw = await startGateway();
    gen = gw.tokens['school-admin@school-gen'] ?? '';
    holder = await didKeyFromSeed(new Uint8Array(32).fill(77));
    const reg = await gw.call('POST', '/subjects', {
      token: gen,
      body: {
        name: '李雷',
        idNumber: '310101200902022345',
        studentNumber: 'G310101200902022345',
        birthDate: '2009-02-02',
        did: holder.did,
      },
    });
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
    subjectId = reg.body.subjectId;
    const open = await gw.call('POST', '/archives', {
      token: gen,
      body: { subjectId, dimensionSetId: 'five-dimensions-a' },
    });
    expect(open.status, JSON.stringify(open.body)).to.equal(201);
    for (const [entryId, dimensionId, text] of [
      ['e-academic-1', 'academic', ACADEMIC_TEXT],
      ['e-health-1', 'health', HEALTH_TEXT],
    ] as const) {
      const res = await gw.call('POST', `/archives/${subjectId}/entries`, {
        token: gen,
        body: { entryId, term: '2026-S1', dimensionId, content: { text } },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  });
  after(() => gw.close());

  async function present(credential: VerifiableCredential): Promise<Record<string, unknown>> {
    const signed = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [credential], holder: holder.did }),
      key: holder.key,
      challenge: CHALLENGE,
      domain: DOMAIN,
      documentLoader: gw.services.documentLoader,
    });
    return signed as unknown as Record<string, unknown>;
  }

  it('issues the report with an ecdsa-sd-2023 base proof by a lazily registered P-256 key, anchored by digest', async () => {
    const issued = await gw.call('POST', `/archives/${subjectId}/reports`, {
      token: gen,
      body: { term: '2026-S1', selectiveDisclosure: true },
    });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    report = issued.body.verifiableCredential;
    expect(report.proof.cryptosuite).to.equal('ecdsa-sd-2023');
    expect(report.proof.verificationMethod).to.match(/#sd-key-1$/);
    const anchor = JSON.parse(
      await gw.ledger.evaluate(gw.services.directory.readerIdentity, 'credentials:GetCredentialAnchor', [
        JSON.stringify({ credentialId: report.id }),
      ]),
    );
    expect(anchor.digest).to.equal(credentialDigest(report));
    // The whole base credential verifies too, against its anchored digest.
    const verify = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: report } });
    expect(verify.status, JSON.stringify(verify.body)).to.equal(200);
  });

  it('verifies a presentation that discloses only the academic dimension; the health text is not in it', async () => {
    const dims = (report.credentialSubject as { dimensionResults: { dimension: string }[] }).dimensionResults;
    const academic = dims.findIndex((d) => d.dimension === 'academic');
    expect(academic).to.be.at.least(0);
    const derived = await deriveCredential({
      verifiableCredential: report,
      selectivePointers: ['/credentialSubject/id', `/credentialSubject/dimensionResults/${academic}`],
      documentLoader: gw.services.documentLoader,
    });
    const vp = await present(derived);
    const bytes = JSON.stringify(vp);
    expect(bytes).to.include(ACADEMIC_TEXT);
    expect(bytes).not.to.include(HEALTH_TEXT);
    const res = await gw.call('POST', '/presentations/verify', {
      body: { verifiablePresentation: vp, options: { challenge: CHALLENGE, domain: DOMAIN } },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const checks = res.body.credentialResults[0].checks as {
      check: string;
      status: string;
      reason: string;
    }[];
    expect(checks.every((c) => c.status === 'valid')).to.equal(true);
    expect(checks.find((c) => c.check === 'anchored')?.reason).to.match(
      /^selective disclosure of the credential/,
    );
    expect(checks.find((c) => c.check === 'key-valid')?.reason).to.match(/#sd-key-1 was valid/);
  });

  it('refuses a derived credential whose disclosed text was changed', async () => {
    const derived = await deriveCredential({
      verifiableCredential: report,
      selectivePointers: ['/credentialSubject/id', '/credentialSubject/dimensionResults/0'],
      documentLoader: gw.services.documentLoader,
    });
    const subject = derived.credentialSubject as { dimensionResults: { entries: { text: string }[] }[] };
    const entry = subject.dimensionResults[0]?.entries[0];
    if (!entry) throw new Error('no disclosed entry');
    entry.text = '伪造的内容';
    const res = await gw.call('POST', '/presentations/verify', {
      body: {
        verifiablePresentation: await present(derived),
        options: { challenge: CHALLENGE, domain: DOMAIN },
      },
    });
    expect(res.status).to.equal(400);
    const checks = res.body.credentialResults[0].checks as { check: string; status: string }[];
    expect(checks.find((c) => c.check === 'signature')?.status).to.equal('invalid');
  });

  it('leaves ordinary issuance on the Ed25519 key', async () => {
    const issued = await gw.call('POST', `/archives/${subjectId}/reports`, { token: gen, body: {} });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    expect(issued.body.verifiableCredential.proof.cryptosuite).to.equal('eddsa-rdfc-2022');
    expect(issued.body.verifiableCredential.proof.verificationMethod).to.match(/#key-1$/);
  });
});
