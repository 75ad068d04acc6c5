import { expect } from 'chai';
import { createJWT, EdDSASigner } from 'did-jwt';
import { createVerifiablePresentationJwt, verifyPresentation } from 'did-jwt-vc';
import { importJWK, jwtVerify } from 'jose';
import {
  createDocumentLoader,
  didKeyFromSeed,
  envelopePresentationJwt,
  issueCredential,
  issueCredentialJwt,
  presentationJwtOf,
  signPresentationJwt,
  verifyPresentationJwt,
} from '../src/index.js';
import type { ExportedKey, VerifiableCredential } from '../src/index.js';
import { achievementCredential, seed } from './fixtures.js';
import { didResolver, ed25519Jwk, jwtParts } from './support/interop.js';

/** did-jwt types the header's typ as 'JWT' only; it signs any value. */
const VP_JWT = 'vp+jwt' as 'JWT';

/** vp+jwt (VC-JOSE-COSE): a presentation secured as a compact JWS by the holder's did:key. */
describe('vp+jwt presentations', () => {
  const documentLoader = createDocumentLoader({});
  let issuer: { did: string; key: ExportedKey };
  let holder: { did: string; key: ExportedKey };
  let other: { did: string; key: ExportedKey };
  let dataIntegrity: VerifiableCredential;
  let vcJwt: string;
  let vpJwt: string;

  const holderSigner = () => EdDSASigner(seed(32));

  before(async () => {
    issuer = await didKeyFromSeed(seed(31));
    holder = await didKeyFromSeed(seed(32));
    other = await didKeyFromSeed(seed(33));
    dataIntegrity = await issueCredential({
      credential: achievementCredential({ issuer: issuer.did, subjectId: holder.did }),
      key: issuer.key,
      documentLoader,
    });
    vcJwt = await issueCredentialJwt({
      credential: achievementCredential({
        issuer: issuer.did,
        subjectId: holder.did,
        id: 'urn:uuid:7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
      }),
      key: issuer.key,
    });
    vpJwt = await signPresentationJwt({
      verifiableCredential: [vcJwt, dataIntegrity],
      key: holder.key,
      id: 'urn:uuid:11111111-2222-4333-8444-555555555555',
      challenge: 'challenge-2026-01',
      domain: 'hr.example',
    });
  });

  const verify = (presentation: unknown, options: { challenge?: string; domain?: string; now?: Date } = {}) =>
    verifyPresentationJwt({ presentation, documentLoader, ...options });

  it('signs the VC 2.0 presentation itself as the payload, with iss, nonce, aud, jti, iat and exp', () => {
    const { header, payload } = jwtParts(vpJwt);
    expect(header).to.deep.equal({ alg: 'EdDSA', kid: holder.key.id, typ: 'vp+jwt', cty: 'vp' });
    expect(payload).to.include({
      iss: holder.did,
      holder: holder.did,
      nonce: 'challenge-2026-01',
      aud: 'hr.example',
      jti: 'urn:uuid:11111111-2222-4333-8444-555555555555',
    });
    expect(payload.exp - payload.iat).to.equal(600);
    expect(payload).not.to.have.property('vp');
    expect(payload.type).to.deep.equal(['VerifiablePresentation']);
    // A vc+jwt travels as an EnvelopedVerifiableCredential, a Data Integrity credential as it is.
    expect(payload.verifiableCredential[0]).to.deep.equal({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: `data:application/vc+jwt,${vcJwt}`,
      type: 'EnvelopedVerifiableCredential',
    });
    expect(payload.verifiableCredential[1].proof.cryptosuite).to.equal('eddsa-rdfc-2022');
  });

  it('verifies, compact or enveloped, with the challenge and domain it was made for: holder-bound, credentials returned', async () => {
    expect(presentationJwtOf(envelopePresentationJwt(vpJwt))).to.equal(vpJwt);
    for (const form of [vpJwt, envelopePresentationJwt(vpJwt)]) {
      const check = await verify(form, { challenge: 'challenge-2026-01', domain: 'hr.example' });
      expect(check.verified, JSON.stringify(check.error)).to.equal(true);
      expect(check.holderBound).to.equal(true);
      expect(check).to.include({ holder: holder.did, verificationMethod: holder.key.id });
      expect(check.claims).to.include({
        nonce: 'challenge-2026-01',
        jti: 'urn:uuid:11111111-2222-4333-8444-555555555555',
      });
      expect(check.claims?.aud).to.deep.equal(['hr.example']);
      // The entries as presented, for the gateway's ledger checks, and each one's own proof.
      expect(check.credentials).to.have.length(2);
      expect(check.credentials[0]).to.include({ type: 'EnvelopedVerifiableCredential' });
      expect(check.credentials[1]).to.deep.equal(dataIntegrity);
      expect(check.credentialResults.map((r) => r.verified)).to.deep.equal([true, true]);
      expect(check.credentialResults[0]?.credential?.id).to.equal(
        'urn:uuid:7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
      );
      expect(check.presentation).to.include({ holder: holder.did });
      expect(check.presentation).not.to.have.any.keys('iss', 'nonce', 'aud', 'exp', 'iat', 'jti');
    }
  });

  it('leaves challenge and domain unchecked when the caller does not ask for them (VC 2.0 makes them optional)', async () => {
    const unbound = await signPresentationJwt({ verifiableCredential: [vcJwt], key: holder.key });
    const { payload } = jwtParts(unbound);
    expect(payload).not.to.have.any.keys('nonce', 'aud', 'jti');
    const check = await verify(unbound);
    expect(check.verified, JSON.stringify(check.error)).to.equal(true);
    expect(check.holderBound).to.equal(true);
    // Asked for, a challenge the presentation does not carry is a mismatch.
    expect((await verify(unbound, { challenge: 'challenge-2026-01' })).error?.code).to.equal(
      'CHALLENGE_MISMATCH',
    );
  });

  it('rejects another challenge with CHALLENGE_MISMATCH, without looking at the credentials', async () => {
    const check = await verify(vpJwt, { challenge: 'challenge-2026-02', domain: 'hr.example' });
    expect(check).to.include({ verified: false, holderBound: false });
    expect(check.error?.code).to.equal('CHALLENGE_MISMATCH');
    expect(check.credentials).to.deep.equal([]);
    expect(check.credentialResults).to.deep.equal([]);
  });

  it('rejects another domain with DOMAIN_MISMATCH', async () => {
    const check = await verify(vpJwt, { challenge: 'challenge-2026-01', domain: 'other.example' });
    expect(check).to.include({ verified: false, holderBound: false });
    expect(check.error?.code).to.equal('DOMAIN_MISMATCH');
  });

  it('rejects a tampered signature, and a nonce rewritten after signing, as SIGNATURE_INVALID', async () => {
    const [h, p, s] = vpJwt.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    const bad = await verify(flipped, { challenge: 'challenge-2026-01', domain: 'hr.example' });
    expect(bad).to.include({ verified: false, holderBound: false });
    expect(bad.error?.code).to.equal('SIGNATURE_INVALID');
    expect(bad.credentials).to.deep.equal([]);

    const payload = jwtParts(vpJwt).payload;
    payload.nonce = 'challenge-replayed';
    const replayed = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const check = await verify(replayed, { challenge: 'challenge-replayed', domain: 'hr.example' });
    expect(check.error?.code).to.equal('SIGNATURE_INVALID');
  });

  it('rejects an expired presentation with EXPIRED, and one from the future with NOT_YET_VALID', async () => {
    const madeAt = new Date(Date.now() - 3600_000);
    const old = await signPresentationJwt({ verifiableCredential: [vcJwt], key: holder.key, now: madeAt });
    const expired = await verify(old);
    expect(expired.verified).to.equal(false);
    expect(expired.error?.code).to.equal('EXPIRED');
    expect(expired.error?.message).to.contain(
      new Date(madeAt.getTime() + 600_000).toISOString().slice(0, 16),
    );
    // It was fine while it lasted.
    expect((await verify(old, { now: new Date(madeAt.getTime() + 60_000) })).verified).to.equal(true);

    const future = await signPresentationJwt({
      verifiableCredential: [vcJwt],
      key: holder.key,
      now: new Date(Date.now() + 3600_000),
    });
    expect((await verify(future)).error?.code).to.equal('NOT_YET_VALID');
  });

  it('rejects a holder that is not the signer or not iss with HOLDER_MISMATCH', async () => {
    const now = Math.floor(Date.now() / 1000);
    const presentation = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      verifiableCredential: [dataIntegrity],
    };
    // Signed by the holder's key, but claiming to be someone else's presentation.
    const claimsOther = await createJWT(
      { ...presentation, holder: other.did, iat: now, exp: now + 600 },
      { issuer: holder.did, signer: holderSigner(), alg: 'EdDSA' },
      { alg: 'EdDSA', kid: holder.key.id, typ: VP_JWT },
    );
    const mismatch = await verify(claimsOther);
    expect(mismatch).to.include({ verified: false, holderBound: false });
    expect(mismatch.error?.code).to.equal('HOLDER_MISMATCH');

    // iss and holder agree, but the key is another DID's.
    const otherKey = await createJWT(
      { ...presentation, holder: holder.did, iat: now, exp: now + 600 },
      { issuer: holder.did, signer: EdDSASigner(seed(33)), alg: 'EdDSA' },
      { alg: 'EdDSA', kid: other.key.id, typ: VP_JWT },
    );
    expect((await verify(otherKey)).error?.code).to.equal('HOLDER_MISMATCH');

    // Right names, wrong key bytes: the signature gives it away.
    const forged = await createJWT(
      { ...presentation, holder: holder.did, iat: now, exp: now + 600 },
      { issuer: holder.did, signer: EdDSASigner(seed(33)), alg: 'EdDSA' },
      { alg: 'EdDSA', kid: holder.key.id, typ: VP_JWT },
    );
    expect((await verify(forged)).error?.code).to.equal('SIGNATURE_INVALID');
  });

  it('is verified but not holder-bound when the credential is about someone else', async () => {
    const aboutOther = await issueCredentialJwt({
      credential: achievementCredential({ issuer: issuer.did, subjectId: other.did }),
      key: issuer.key,
    });
    const check = await verify(
      await signPresentationJwt({ verifiableCredential: [aboutOther], key: holder.key }),
    );
    expect(check.verified, JSON.stringify(check.error)).to.equal(true);
    expect(check.holderBound).to.equal(false);
  });

  it('reports a tampered vc+jwt inside as CREDENTIAL_INVALID, with its result', async () => {
    const [h, p, s] = vcJwt.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.credentialSubject.creditsEarned = 20;
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const check = await verify(
      await signPresentationJwt({ verifiableCredential: [tampered], key: holder.key }),
    );
    expect(check.verified).to.equal(false);
    expect(check.error?.code).to.equal('CREDENTIAL_INVALID');
    expect(check.error?.message).to.contain('verifiableCredential[0]: SIGNATURE_INVALID');
    expect(check.credentials).to.have.length(1);
    expect(check.credentialResults[0]?.verified).to.equal(false);
  });

  it('refuses what is not a vp+jwt as MALFORMED: a vc+jwt, a Data Integrity presentation, a vp claim under typ vp+jwt', async () => {
    expect((await verify(vcJwt)).error?.code).to.equal('MALFORMED');
    expect((await verify({ type: ['VerifiablePresentation'] })).error?.code).to.equal('MALFORMED');
    const now = Math.floor(Date.now() / 1000);
    const mixed = await createJWT(
      {
        vp: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'] },
        iat: now,
      },
      { issuer: holder.did, signer: holderSigner(), alg: 'EdDSA' },
      { alg: 'EdDSA', kid: holder.key.id, typ: VP_JWT },
    );
    expect((await verify(mixed)).error?.code).to.equal('MALFORMED');
  });

  it('did-jwt-vc and jose verify our vp+jwt (challenge = nonce, domain = aud)', async () => {
    const verified = await verifyPresentation(vpJwt, didResolver(), {
      challenge: 'challenge-2026-01',
      domain: 'hr.example',
      proofPurpose: 'authentication',
      // did-jwt-vc's format policy is the VC 1.1 data model (the 2018 context); VC 2.0 is checked above.
      policies: { format: false },
    });
    expect(verified.issuer).to.equal(holder.did);
    expect(verified.signer.id).to.equal(holder.key.id);
    let refused: unknown;
    try {
      await verifyPresentation(vpJwt, didResolver(), {
        challenge: 'another',
        domain: 'hr.example',
        policies: { format: false },
      });
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.contain('challenge');

    const key = await importJWK(ed25519Jwk(holder.did.slice('did:key:'.length)), 'EdDSA');
    const { payload } = await jwtVerify(vpJwt, key, {
      typ: 'vp+jwt',
      issuer: holder.did,
      audience: 'hr.example',
      algorithms: ['EdDSA'],
    });
    expect(payload.nonce).to.equal('challenge-2026-01');
  });

  it('accepts a JWT VP that did-jwt-vc makes (VC 1.1 encoding: vp claim, no kid)', async () => {
    const made = await createVerifiablePresentationJwt(
      {
        vp: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiablePresentation'],
          verifiableCredential: [vcJwt],
        },
      },
      { did: holder.did, signer: holderSigner(), alg: 'EdDSA' },
      { challenge: 'challenge-2026-03', domain: 'hr.example' },
    );
    expect(jwtParts(made).header).not.to.have.property('kid');
    const check = await verify(made, { challenge: 'challenge-2026-03', domain: 'hr.example' });
    expect(check.verified, JSON.stringify(check.error)).to.equal(true);
    expect(check).to.include({ holder: holder.did, holderBound: true, verificationMethod: holder.key.id });
    expect(check.credentials).to.deep.equal([vcJwt]);
  });
});
