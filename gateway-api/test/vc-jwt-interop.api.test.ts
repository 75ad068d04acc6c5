import { expect } from 'chai';
import { verifyCredential, verifyPresentation } from 'did-jwt-vc';
import { importJWK, jwtVerify } from 'jose';
import {
  createDocumentLoader,
  didKeyFromSeed,
  signPresentationJwt,
  verifyPresentationJwt,
} from '@edu-ledger/credentials';
import { didResolver, ed25519Jwk, jwtParts, methodIn } from '../../lib/credentials/test/support/interop.js';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

const ISSUER = 'did:web:edu.example.cn:orgs:school-gen';
const ENVELOPE = 'data:application/vc+jwt,';

/**
 * Issue 13: the gateway's vc+jwt credentials, checked by verifiers that are not ours: did-jwt-vc
 * (which needs `iss` and resolves the issuer's did:web document, here from the gateway's
 * `/orgs/<orgId>/did.json`) and jose (with the issuer's public key as a JWK).
 */
describe('gateway: vc+jwt for independent verifiers (did-jwt-vc, jose)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let school: string;
  let holder: Awaited<ReturnType<typeof didKeyFromSeed>>;
  let jwt: string;

  before(async () => {
    gw = await startGateway();
    school = gw.tokens['school-admin@school-gen'] ?? '';
    holder = await didKeyFromSeed(new Uint8Array(32).fill(77));
    const issued = await gw.step(
      'POST',
      '/credentials/issue',
      school,
      { ...achievementRequest(holder.did), options: { format: 'jwt' } },
      201,
    );
    expect(issued.verifiableCredential.type).to.equal('EnvelopedVerifiableCredential');
    jwt = issued.verifiableCredential.id.slice(ENVELOPE.length);
  });
  after(() => gw.close());

  it('carries iss, jti and sub beside the credential, and a kid that resolves in the served did.json', async () => {
    const { header, payload } = jwtParts(jwt);
    expect(header).to.include({ alg: 'EdDSA', typ: 'vc+jwt', kid: `${ISSUER}#key-1` });
    expect(payload.iss).to.equal(ISSUER);
    expect(payload.issuer.id).to.equal(ISSUER);
    expect(payload.jti)
      .to.equal(payload.id)
      .and.match(/^urn:uuid:/);
    expect(payload.sub).to.equal(holder.did).and.equal(payload.credentialSubject.id);
    expect(payload).not.to.have.property('vc');

    const didJson = await gw.call('GET', '/orgs/school-gen/did.json');
    expect(didJson.status).to.equal(200);
    expect(didJson.body.id).to.equal(ISSUER);
    expect(methodIn(didJson.body, header.kid).controller).to.equal(ISSUER);
    expect(didJson.body.assertionMethod).to.include(header.kid);

    // And the gateway still verifies it, every check valid.
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: jwt } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  });

  it('did-jwt-vc verifies it with a did:web resolver reading the gateway (it refused it without iss)', async () => {
    const verified = await verifyCredential(jwt, didResolver(gw.url), {
      proofPurpose: 'assertionMethod',
      // did-jwt-vc's format policy is the VC 1.1 data model (the 2018 context); the rest is checked.
      policies: { format: false },
    });
    expect(verified.issuer).to.equal(ISSUER);
    expect(verified.signer.id).to.equal(`${ISSUER}#key-1`);
    expect(verified.payload.sub).to.equal(holder.did);
  });

  it("jose verifies it with the issuer's public key from the did.json as a JWK", async () => {
    const { header } = jwtParts(jwt);
    const didJson = await gw.call('GET', '/orgs/school-gen/did.json');
    const jwk = ed25519Jwk(methodIn(didJson.body, header.kid).publicKeyMultibase);
    const { payload } = await jwtVerify(jwt, await importJWK(jwk, 'EdDSA'), {
      typ: 'vc+jwt',
      issuer: ISSUER,
      subject: holder.did,
      algorithms: ['EdDSA'],
    });
    expect(payload.jti).to.equal((payload as { id?: string }).id);
  });

  it('leaves sub out for a credential with several subjects; did-jwt-vc still verifies it', async () => {
    const issued = await gw.step(
      'POST',
      '/credentials/issue',
      school,
      {
        credential: {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiableCredential'],
          issuer: ISSUER,
          credentialSubject: [{ id: 'did:example:learner-a' }, { id: 'did:example:learner-b' }],
        },
        options: { format: 'jwt' },
      },
      201,
    );
    const several: string = issued.verifiableCredential.id.slice(ENVELOPE.length);
    const { payload } = jwtParts(several);
    expect(payload).to.include({ iss: ISSUER, jti: payload.id });
    expect(payload).not.to.have.property('sub');
    const verified = await verifyCredential(several, didResolver(gw.url), { policies: { format: false } });
    expect(verified.issuer).to.equal(ISSUER);
  });

  it("a holder's vp+jwt with the gateway's vc+jwt inside verifies in did-jwt-vc and in verifyPresentationJwt", async () => {
    const vp = await signPresentationJwt({
      verifiableCredential: [jwt],
      key: holder.key,
      challenge: 'interop-challenge-1',
      domain: 'admissions.example',
    });
    const resolver = didResolver(gw.url);
    const verified = await verifyPresentation(vp, resolver, {
      challenge: 'interop-challenge-1',
      domain: 'admissions.example',
      proofPurpose: 'authentication',
      policies: { format: false },
    });
    expect(verified.issuer).to.equal(holder.did);
    // did-jwt-vc verifies the credential inside on its own too.
    const inner = verified.payload.verifiableCredential[0].id.slice(ENVELOPE.length);
    expect((await verifyCredential(inner, resolver, { policies: { format: false } })).issuer).to.equal(
      ISSUER,
    );

    // Ours, with the issuer's DID document served by the gateway.
    const documentLoader = createDocumentLoader({
      resolveDid: async (did) => {
        const orgId = did.split(':').at(-1);
        const res = await gw.call('GET', `/orgs/${orgId}/did.json`);
        return res.status === 200 ? res.body : null;
      },
    });
    const check = await verifyPresentationJwt({
      presentation: vp,
      challenge: 'interop-challenge-1',
      domain: 'admissions.example',
      documentLoader,
    });
    expect(check.verified, JSON.stringify(check.error)).to.equal(true);
    expect(check.holderBound).to.equal(true);
    expect(check.credentialResults[0]).to.include({ verified: true, verificationMethod: `${ISSUER}#key-1` });
    // Each credential as presented, ready for the gateway's ledger checks.
    const ledger = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: check.credentials[0] },
    });
    expect(ledger.status, JSON.stringify(ledger.body)).to.equal(200);
  });
});
