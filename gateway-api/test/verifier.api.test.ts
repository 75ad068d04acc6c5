import { expect } from 'chai';
import {
  createPresentation,
  didKeyFromSeed,
  signPresentation,
  verifyCredentialProof,
} from '@edu-ledger/credentials';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

describe('gateway: verification requests and receipts', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let holder: Awaited<ReturnType<typeof didKeyFromSeed>>;
  let verifier: string;

  before(async () => {
    gw = await startGateway();
    holder = await didKeyFromSeed(new Uint8Array(32).fill(11));
    verifier = gw.tokens['verifier@university'] ?? '';
  });
  after(() => gw.close());

  async function issue(): Promise<any> {
    const res = await gw.call('POST', '/credentials/issue', {
      token: gw.tokens['school-admin@school-gen'],
      body: achievementRequest(holder.did),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.verifiableCredential;
  }

  async function present(vcs: any[], challenge: string, domain: string): Promise<any> {
    return signPresentation({
      presentation: createPresentation({ verifiableCredential: vcs, holder: holder.did }),
      key: holder.key,
      challenge,
      domain,
      documentLoader: gw.services.documentLoader,
    });
  }

  async function createRequest(token = verifier, types = ['OpenBadgeCredential']): Promise<any> {
    const res = await gw.call('POST', '/verification-requests', { token, body: { types } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  it('creates a request with a fresh 128-bit challenge and the verifier org as default domain', async () => {
    const a = await createRequest();
    const b = await createRequest();
    expect(a.challenge).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(a.challenge).not.to.equal(b.challenge);
    expect(a.domain).to.equal('did:web:edu.example.cn:orgs:university');
    expect(a.types).to.deep.equal(['OpenBadgeCredential']);
    expect(a.responseUrl).to.equal(`${gw.url}/verification-requests/${a.id}/response`);
    expect(Date.parse(a.expiresAt)).to.be.greaterThan(Date.now());

    const view = await gw.call('GET', `/verification-requests/${a.id}`, { token: verifier });
    expect(view.status).to.equal(200);
    expect(view.body.status).to.equal('pending');
    expect(view.body.result).to.equal(undefined);
  });

  it('refuses a request body that is not valid, and anyone who is not a verifier', async () => {
    const bad = await gw.call('POST', '/verification-requests', { token: verifier, body: { types: [] } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('INVALID_ARGUMENT');
    const school = await gw.call('POST', '/verification-requests', {
      token: gw.tokens['school-admin@school-gen'],
      body: { types: ['OpenBadgeCredential'] },
    });
    expect(school.status).to.equal(403);
    const anonymous = await gw.call('POST', '/verification-requests', {
      body: { types: ['OpenBadgeCredential'] },
    });
    expect(anonymous.status).to.equal(401);
  });

  it("takes the holder's answer once, refuses a wrong challenge, and shows the result to its verifier only", async () => {
    const vc = await issue();
    const request = await createRequest();
    const path = `/verification-requests/${request.id}/response`;

    // Signed for another challenge: refused, and the request stays open for the real holder.
    const wrong = await gw.call('POST', path, {
      body: { verifiablePresentation: await present([vc], 'someone-elses-challenge', request.domain) },
    });
    expect(wrong.status).to.equal(400);
    expect(wrong.body.checks[0]).to.include({ check: 'challenge', status: 'invalid' });
    expect(wrong.body.checks[0].reason).to.match(/CHALLENGE_MISMATCH/);
    const stillPending = await gw.call('GET', `/verification-requests/${request.id}`, { token: verifier });
    expect(stillPending.body.status).to.equal('pending');

    const vp = await present([vc], request.challenge, request.domain);
    const ok = await gw.call('POST', path, { body: { verifiablePresentation: vp } });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.verified).to.equal(true);
    expect(ok.body.checks.map((c: any) => [c.check, c.status])).to.deep.equal([
      ['challenge', 'valid'],
      ['holder-binding', 'valid'],
    ]);

    const again = await gw.call('POST', path, { body: { verifiablePresentation: vp } });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('INVALID_STATE');

    const view = await gw.call('GET', `/verification-requests/${request.id}`, { token: verifier });
    expect(view.status).to.equal(200);
    expect(view.body.status).to.equal('answered');
    expect(view.body.result.verified).to.equal(true);
    expect(view.body.result.credentialResults[0].verified).to.equal(true);
    expect(view.body.holder).to.equal(holder.did);
    expect(view.body.missingTypes).to.deep.equal([]);
    expect(view.body.verifiablePresentation.verifiableCredential[0].id).to.equal(vc.id);

    const otherOrg = await gw.call('GET', `/verification-requests/${request.id}`, {
      token: gw.tokens['verifier@school-gen'],
    });
    expect(otherOrg.status).to.equal(403);
    expect(otherOrg.body.error.code).to.equal('FORBIDDEN_ORG');

    const unknown = await gw.call('GET', '/verification-requests/00000000-0000-4000-8000-000000000000', {
      token: verifier,
    });
    expect(unknown.status).to.equal(404);

    // Anyone holding the link (the holder's wallet) reads the request and its state, never the answer.
    const byLink = await gw.call('GET', `/verification-requests/${request.id}`);
    expect(byLink.status).to.equal(200);
    expect(byLink.body).to.deep.equal({ request, status: 'answered' });
    const school = await gw.call('GET', `/verification-requests/${request.id}`, {
      token: gw.tokens['school-admin@school-gen'],
    });
    expect(school.status).to.equal(403);
  });

  it('stores requests in their own sublevel, and refuses answers once a request has expired', async () => {
    const request = await createRequest();
    const sublevel = gw.services.db.db.sublevel<string, string>('verification-requests', {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
    });
    const stored = JSON.parse((await sublevel.get(request.id)) ?? '{}');
    expect(stored).to.include({ id: request.id, challenge: request.challenge, orgId: 'university' });

    // Age the request past its lifetime rather than wait 15 minutes.
    await sublevel.put(
      request.id,
      JSON.stringify({ ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() }),
    );
    const view = await gw.call('GET', `/verification-requests/${request.id}`, { token: verifier });
    expect(view.body.status).to.equal('expired');
    const vp = await present([await issue()], request.challenge, request.domain);
    const late = await gw.call('POST', `/verification-requests/${request.id}/response`, {
      body: { verifiablePresentation: vp },
    });
    expect(late.status).to.equal(409);
    expect(late.body.error).to.deep.include({ code: 'INVALID_STATE' });
    expect(late.body.error.message).to.match(/expired/);
  });

  it('lets exactly one of two concurrent answers win', async () => {
    const request = await createRequest();
    const vp = await present([await issue()], request.challenge, request.domain);
    const path = `/verification-requests/${request.id}/response`;
    const answers = await Promise.all([
      gw.call('POST', path, { body: { verifiablePresentation: vp } }),
      gw.call('POST', path, { body: { verifiablePresentation: vp } }),
    ]);
    expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 409]);
  });

  it('records which wanted credential types the holder did not present', async () => {
    const request = await createRequest(verifier, ['OpenBadgeCredential', 'GrowthTermReport']);
    const vp = await present([await issue()], request.challenge, request.domain);
    const res = await gw.call('POST', `/verification-requests/${request.id}/response`, {
      body: { verifiablePresentation: vp },
    });
    expect(res.status).to.equal(200);
    const view = await gw.call('GET', `/verification-requests/${request.id}`, { token: verifier });
    expect(view.body.missingTypes).to.deep.equal(['GrowthTermReport']);
  });

  it('signs a receipt that verifies, recording the credential id, digest, checks and time', async () => {
    const vc = await issue();
    const verified = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    const res = await gw.call('POST', '/verification-receipts', {
      token: verifier,
      body: { verifiableCredential: vc, result: verified.body },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const receipt = res.body.verifiableCredential;
    expect(receipt.type).to.deep.equal(['VerifiableCredential', 'VerificationReceipt']);
    expect(receipt.issuer.id).to.equal('did:web:edu.example.cn:orgs:university');
    expect(receipt.credentialSubject.id).to.equal(vc.id);
    expect(receipt.credentialSubject.credentialDigest).to.match(/^[0-9a-f]{64}$/);
    expect(receipt.credentialSubject.verified).to.equal(true);
    expect(receipt.credentialSubject.verificationChecks.map((c: any) => c.check)).to.include('anchored');
    expect(Date.parse(receipt.credentialSubject.verifiedAt)).to.be.closeTo(Date.now(), 60_000);
    expect(res.body.postedResultDiffers).to.equal(false);

    const proof = await verifyCredentialProof({
      credential: receipt,
      documentLoader: gw.services.documentLoader,
    });
    expect(proof.verified, JSON.stringify(proof.error)).to.equal(true);

    // Changing the receipt breaks its signature.
    const forged = structuredClone(receipt);
    forged.credentialSubject.verified = false;
    const broken = await verifyCredentialProof({
      credential: forged,
      documentLoader: gw.services.documentLoader,
    });
    expect(broken.verified).to.equal(false);
  });

  it('re-verifies a tampered credential posted with a forged "verified: true" and records it as invalid', async () => {
    const vc = await issue();
    const tampered = structuredClone(vc);
    tampered.credentialSubject.creditsEarned = 30;
    const res = await gw.call('POST', '/verification-receipts', {
      token: verifier,
      body: { verifiableCredential: tampered, result: { verified: true, checks: [] } },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.postedResultDiffers).to.equal(true);
    expect(res.body.result.verified).to.equal(false);
    const subject = res.body.verifiableCredential.credentialSubject;
    expect(subject.verified).to.equal(false);
    expect(subject.verificationChecks.find((c: any) => c.check === 'signature').status).to.equal('invalid');
  });

  it('signs a receipt for a presentation, re-verified with its challenge and domain', async () => {
    const vc = await issue();
    const vp = await present([vc], 'receipt-challenge-0001', 'did:web:edu.example.cn:orgs:university');
    const res = await gw.call('POST', '/verification-receipts', {
      token: verifier,
      body: {
        verifiablePresentation: vp,
        options: { challenge: 'receipt-challenge-0001', domain: 'did:web:edu.example.cn:orgs:university' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const subject = res.body.verifiableCredential.credentialSubject;
    expect(subject.id).to.equal(vc.id);
    expect(subject.verified).to.equal(true);
    expect(subject.verificationChecks.map((c: any) => c.check).slice(0, 2)).to.deep.equal([
      'challenge',
      'holder-binding',
    ]);

    const noOptions = await gw.call('POST', '/verification-receipts', {
      token: verifier,
      body: { verifiablePresentation: vp },
    });
    expect(noOptions.status).to.equal(400);
    const notVerifier = await gw.call('POST', '/verification-receipts', {
      token: gw.tokens['inspector@bureau'],
      body: { verifiableCredential: vc },
    });
    expect(notVerifier.status).to.equal(403);
  });
});
