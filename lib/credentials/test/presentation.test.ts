import { expect } from 'chai';
import {
  createDocumentLoader,
  createPresentation,
  didKeyFromSeed,
  issueCredential,
  signPresentation,
  verifyPresentationProof,
} from '../src/index.js';
import type { ExportedKey, VerifiableCredential, VerifiablePresentation } from '../src/index.js';
import { achievementCredential, seed } from './fixtures.js';

describe('presentations', () => {
  const documentLoader = createDocumentLoader({});
  let issuer: { did: string; key: ExportedKey };
  let holder: { did: string; key: ExportedKey };
  let other: { did: string; key: ExportedKey };
  let credential: VerifiableCredential;
  let signed: VerifiablePresentation;

  before(async () => {
    issuer = await didKeyFromSeed(seed(21));
    holder = await didKeyFromSeed(seed(22));
    other = await didKeyFromSeed(seed(23));
    credential = await issueCredential({
      credential: achievementCredential({ issuer: issuer.did, subjectId: holder.did }),
      key: issuer.key,
      documentLoader,
    });
    signed = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [credential], holder: holder.did }),
      key: holder.key,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
  });

  it('verifies with the challenge and domain it was signed for, holder-bound', async () => {
    expect(signed.proof).to.include({ proofPurpose: 'authentication', challenge: 'c1', domain: 'd1' });
    const check = await verifyPresentationProof({
      presentation: signed,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
    expect(check.verified).to.equal(true);
    expect(check.holderBound).to.equal(true);
    expect(check.credentialResults).to.have.length(1);
    expect(check.credentialResults[0]).to.include({ verified: true, verificationMethod: issuer.key.id });
  });

  it('rejects another challenge with CHALLENGE_MISMATCH', async () => {
    const check = await verifyPresentationProof({
      presentation: signed,
      challenge: 'c2',
      domain: 'd1',
      documentLoader,
    });
    expect(check).to.include({ verified: false, holderBound: false });
    expect(check.error?.code).to.equal('CHALLENGE_MISMATCH');
  });

  it('rejects another domain with DOMAIN_MISMATCH', async () => {
    const check = await verifyPresentationProof({
      presentation: signed,
      challenge: 'c1',
      domain: 'd2',
      documentLoader,
    });
    expect(check).to.include({ verified: false, holderBound: false });
    expect(check.error?.code).to.equal('DOMAIN_MISMATCH');
  });

  it('rejects a challenge rewritten after signing as a bad signature', async () => {
    const replayed = structuredClone(signed);
    replayed.proof.challenge = 'c2';
    const check = await verifyPresentationProof({
      presentation: replayed,
      challenge: 'c2',
      domain: 'd1',
      documentLoader,
    });
    expect(check.verified).to.equal(false);
    expect(check.error?.code).to.equal('SIGNATURE_INVALID');
  });

  it('is verified but not holder-bound when the subject is someone else', async () => {
    const foreign = await issueCredential({
      credential: achievementCredential({ issuer: issuer.did, subjectId: other.did }),
      key: issuer.key,
      documentLoader,
    });
    const vp = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [credential, foreign], holder: holder.did }),
      key: holder.key,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
    const check = await verifyPresentationProof({
      presentation: vp,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
    expect(check).to.include({ verified: true, holderBound: false });
  });

  it('is not holder-bound when someone else signs a presentation naming the holder', async () => {
    // signPresentation refuses this, so the attacker's presentation is assembled by hand.
    const vp = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [credential], holder: other.did }),
      key: other.key,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
    const claimed = { ...vp, holder: holder.did };
    const check = await verifyPresentationProof({
      presentation: claimed,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
    expect(check.holderBound).to.equal(false);
    expect(check.verified).to.equal(false);
  });

  it('reports a tampered embedded credential as CREDENTIAL_INVALID with the credential result', async () => {
    const tampered = structuredClone(credential);
    tampered.name = '伪造的证书';
    const vp = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [tampered], holder: holder.did }),
      key: holder.key,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
    const check = await verifyPresentationProof({
      presentation: vp,
      challenge: 'c1',
      domain: 'd1',
      documentLoader,
    });
    expect(check.verified).to.equal(false);
    expect(check.error?.code).to.equal('CREDENTIAL_INVALID');
    expect(check.credentialResults[0]?.error?.code).to.equal('SIGNATURE_INVALID');
  });

  it('refuses to sign a presentation for a holder that does not control the key', async () => {
    let error: unknown;
    try {
      await signPresentation({
        presentation: createPresentation({ verifiableCredential: [credential], holder: holder.did }),
        key: other.key,
        challenge: 'c1',
        domain: 'd1',
        documentLoader,
      });
    } catch (e) {
      error = e;
    }
    expect(error)
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.matches(/not the key's controller/);
  });
});
