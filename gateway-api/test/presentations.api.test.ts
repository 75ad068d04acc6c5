import { expect } from 'chai';
import { didKeyFromSeed, envelopePresentationJwt, signPresentationJwt } from '@edu-ledger/credentials';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

/**
 * Issue 13: `POST /presentations/verify` refused every JWT presentation and demanded a challenge,
 * a domain and a holder-signed proof. VC 2.0 makes those optional; they are enforced when the
 * request asks for them.
 */
describe('gateway: presentations as VC 2.0 allows them (POST /presentations/verify)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let holder: Awaited<ReturnType<typeof didKeyFromSeed>>;
  let credential: Record<string, unknown>;
  let jwtCredential: Record<string, unknown>;

  before(async () => {
    gw = await startGateway();
    holder = await didKeyFromSeed(new Uint8Array(32).fill(21));
    const school = gw.tokens['school-admin@school-gen'];
    credential = (await gw.step('POST', '/credentials/issue', school, achievementRequest(holder.did), 201))
      .verifiableCredential;
    jwtCredential = (
      await gw.step(
        'POST',
        '/credentials/issue',
        school,
        { ...achievementRequest(holder.did), options: { format: 'jwt' } },
        201,
      )
    ).verifiableCredential;
  });
  after(() => gw.close());

  const verify = (verifiablePresentation: unknown, options?: Record<string, unknown>) =>
    gw.call('POST', '/presentations/verify', {
      body: { verifiablePresentation, ...(options ? { options } : {}) },
    });
  const statuses = (body: any): Record<string, string> =>
    Object.fromEntries(body.checks.map((c: any) => [c.check, c.status]));

  it('verifies a presentation without a proof when nothing was asked, and refuses it when a challenge was', async () => {
    const unsigned = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      verifiableCredential: [credential],
    };
    const open = await verify(unsigned);
    expect(open.status, JSON.stringify(open.body)).to.equal(200);
    expect(open.body).to.include({ verified: true, outcome: 'trusted' });
    expect(statuses(open.body)).to.deep.equal({ challenge: 'not-checked', 'holder-binding': 'not-checked' });
    expect(open.body.credentialResults[0].verified).to.equal(true);

    const asked = await verify(unsigned, { challenge: 'c-0123456789', domain: 'admissions.example.edu' });
    expect(asked.status).to.equal(400);
    expect(asked.body.verified).to.equal(false);
  });

  it('verifies a vp+jwt, compact or enveloped, with the ledger checks of the credentials inside', async () => {
    const challenge = 'c-9876543210';
    const domain = 'admissions.example.edu';
    const jwt = await signPresentationJwt({
      verifiableCredential: [credential, jwtCredential],
      key: holder.key,
      challenge,
      domain,
    });
    for (const form of [jwt, envelopePresentationJwt(jwt)]) {
      const res = await verify(form, { challenge, domain });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ verified: true, outcome: 'trusted' });
      expect(statuses(res.body)).to.deep.equal({ challenge: 'valid', 'holder-binding': 'valid' });
      expect(res.body.credentialResults).to.have.length(2);
      for (const result of res.body.credentialResults)
        expect(result.checks.find((c: any) => c.check === 'anchored').status).to.equal('valid');
    }
    const replayed = await verify(jwt, { challenge: 'c-another-one', domain });
    expect(replayed.status).to.equal(400);
    expect(statuses(replayed.body).challenge).to.equal('invalid');
    // Not asked: the holder's proof still has to verify, and does.
    const open = await verify(jwt);
    expect(open.status, JSON.stringify(open.body)).to.equal(200);
  });

  it('refuses a presentation by someone who is not the subject when holder binding is demanded; otherwise reports it', async () => {
    const other = await didKeyFromSeed(new Uint8Array(32).fill(22));
    const challenge = 'c-1111111111';
    const domain = 'employer.example.com';
    const signed = await signPresentationJwt({
      verifiableCredential: [credential],
      key: other.key,
      challenge,
      domain,
    });
    const demanded = await verify(signed, { challenge, domain, requireHolderBinding: true });
    expect(demanded.status).to.equal(400);
    expect(statuses(demanded.body)['holder-binding']).to.equal('invalid');
    // A challenge alone checks the challenge, not who the subjects are (VC 2.0: validation).
    const challenged = await verify(signed, { challenge, domain });
    expect(challenged.status, JSON.stringify(challenged.body)).to.equal(200);
    expect(statuses(challenged.body)).to.include({ challenge: 'valid', 'holder-binding': 'not-checked' });
    const wrongChallenge = await verify(signed, { challenge: 'c-2222222222', domain });
    expect(wrongChallenge.status).to.equal(400);
    expect(statuses(wrongChallenge.body).challenge).to.equal('invalid');

    const open = await verify(
      await signPresentationJwt({ verifiableCredential: [credential], key: other.key }),
    );
    expect(open.status, JSON.stringify(open.body)).to.equal(200);
    expect(statuses(open.body)['holder-binding']).to.equal('not-checked');
    expect(open.body.checks.find((c: any) => c.check === 'holder-binding').reason).to.include('not required');
  });

  it('verifies a presentation with no credentials (VC 2.0), unless holder binding is demanded', async () => {
    const holder = await didKeyFromSeed(new Uint8Array(32).fill(23));
    const empty = await signPresentationJwt({ verifiableCredential: [], key: holder.key });
    const open = await verify(empty);
    expect(open.status, JSON.stringify(open.body)).to.equal(200);
    expect(open.body.credentialResults).to.deep.equal([]);
    const demanded = await verify(empty, { requireHolderBinding: true });
    expect(demanded.status).to.equal(400);
  });
});
