import { expect } from 'chai';
import {
  createDocumentLoader,
  didKeyFromSeed,
  generateEd25519Key,
  issueCredential,
  MULTIKEY_V1_CONTEXT,
  publicKeyOnly,
  verifyCredentialProof,
} from '../src/index.js';
import type { ExportedKey, VerifiableCredential } from '../src/index.js';
import { achievementCredential, growthTermReport, seed, statusEntry } from './fixtures.js';
import { withNetworkRecorded } from './no-network.js';

const NOW = new Date('2025-03-01T08:30:15.250Z');
const WEB_DID = 'did:web:school.example';

describe('issueCredential / verifyCredentialProof', () => {
  const documentLoader = createDocumentLoader({});
  let issuer: { did: string; key: ExportedKey };
  let student: { did: string; key: ExportedKey };
  let signed: VerifiableCredential;

  before(async () => {
    issuer = await didKeyFromSeed(seed(11));
    student = await didKeyFromSeed(seed(12));
    signed = await issueCredential({
      credential: achievementCredential({ issuer: issuer.did, subjectId: student.did }),
      key: issuer.key,
      documentLoader,
      now: NOW,
    });
  });

  it('issues an eddsa-rdfc-2022 assertion proof dated `now` and verifies it', async () => {
    expect(signed.proof).to.include({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      verificationMethod: issuer.key.id,
      created: '2025-03-01T08:30:15Z',
    });
    const check = await verifyCredentialProof({ credential: signed, documentLoader });
    expect(check).to.deep.equal({
      verified: true,
      verificationMethod: issuer.key.id,
      created: '2025-03-01T08:30:15Z',
      cryptosuite: 'eddsa-rdfc-2022',
    });
  });

  it('leaves the input credential untouched', async () => {
    const input = achievementCredential({ issuer: issuer.did, subjectId: student.did });
    const before = structuredClone(input);
    await issueCredential({ credential: input, key: issuer.key, documentLoader, now: NOW });
    expect(input).to.deep.equal(before);
  });

  it('refuses to sign for an issuer that does not control the key', async () => {
    const credential = achievementCredential({ issuer: student.did, subjectId: student.did });
    let error: unknown;
    try {
      await issueCredential({ credential, key: issuer.key, documentLoader });
    } catch (e) {
      error = e;
    }
    expect(error)
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.matches(/not the key's controller/);
  });

  it('rejects a credential whose subject changed by one character (SIGNATURE_INVALID)', async () => {
    const tampered = structuredClone(signed);
    const subject = tampered.credentialSubject;
    if (Array.isArray(subject)) throw new Error('fixture has a single subject');
    subject.term = '2024-2025学年第二学期';
    const check = await verifyCredentialProof({ credential: tampered, documentLoader });
    expect(check.verified).to.equal(false);
    expect(check.error?.code).to.equal('SIGNATURE_INVALID');
  });

  it('rejects a credential whose proofValue changed', async () => {
    const tampered = structuredClone(signed);
    const value = tampered.proof.proofValue;
    tampered.proof.proofValue = `${value.slice(0, 10)}${value[10] === 'A' ? 'B' : 'A'}${value.slice(11)}`;
    const check = await verifyCredentialProof({ credential: tampered, documentLoader });
    expect(check.verified).to.equal(false);
    expect(check.error?.code).to.equal('SIGNATURE_INVALID');
  });

  it('rejects an unknown @context with CONTEXT_NOT_ALLOWED and never touches the network', async () => {
    const credential = achievementCredential({ issuer: issuer.did, subjectId: student.did });
    credential['@context'].push('https://contexts.example/untrusted/v1');
    // Signing needs the context too, so this credential can only exist with a forged proof.
    const forged = { ...credential, proof: signed.proof };
    const { result, attempts } = await withNetworkRecorded(() =>
      verifyCredentialProof({ credential: forged, documentLoader }),
    );
    expect(attempts).to.deep.equal([]);
    expect(result.verified).to.equal(false);
    expect(result.error?.code).to.equal('CONTEXT_NOT_ALLOWED');
    expect(result.error?.message).to.match(
      /^CONTEXT_NOT_ALLOWED: https:\/\/contexts\.example\/untrusted\/v1/,
    );
  });

  it('returns MALFORMED (without throwing) for non-credentials and unsupported proofs', async () => {
    for (const credential of [
      null,
      'vc',
      { proof: {} },
      { ...signed, proof: { ...signed.proof, cryptosuite: 'x' } },
    ]) {
      const check = await verifyCredentialProof({ credential, documentLoader });
      expect(check.verified).to.equal(false);
      expect(check.error?.code).to.equal('MALFORMED');
    }
    const withoutIssuer: Record<string, unknown> = structuredClone(signed);
    delete withoutIssuer.issuer;
    const check = await verifyCredentialProof({ credential: withoutIssuer, documentLoader });
    expect(check.error?.code).to.equal('MALFORMED');
  });

  it('ignores credentialStatus and the validity period (the caller checks those)', async () => {
    const credential = achievementCredential({
      issuer: issuer.did,
      subjectId: student.did,
      validFrom: '2030-01-01T00:00:00Z',
      validUntil: '2031-01-01T00:00:00Z',
      credentialStatus: statusEntry('https://ledger.example/status/school-gen.1', 94567),
    });
    const vc = await issueCredential({ credential, key: issuer.key, documentLoader, now: NOW });
    const check = await verifyCredentialProof({
      credential: vc,
      documentLoader,
      now: new Date('2035-01-01'),
    });
    expect(check.verified).to.equal(true);
    expect(check).to.not.have.property('statusResult');
  });

  it('signs and verifies an edu-only GrowthTermReport', async () => {
    const vc = await issueCredential({
      credential: growthTermReport({ issuer: issuer.did, subjectId: student.did }),
      key: issuer.key,
      documentLoader,
    });
    expect((await verifyCredentialProof({ credential: vc, documentLoader })).verified).to.equal(true);
  });

  describe('did:web issuer resolved through resolveDid', () => {
    let webKey: ExportedKey;
    let webSigned: VerifiableCredential;
    const didDocument = (authorised: boolean): Record<string, unknown> => ({
      '@context': ['https://www.w3.org/ns/did/v1', MULTIKEY_V1_CONTEXT],
      id: WEB_DID,
      verificationMethod: [publicKeyOnly(webKey)],
      assertionMethod: authorised ? [webKey.id] : [],
    });

    before(async () => {
      webKey = await generateEd25519Key({ controller: WEB_DID, id: `${WEB_DID}#key-2025` });
      webSigned = await issueCredential({
        credential: achievementCredential({ issuer: WEB_DID, subjectId: student.did }),
        key: webKey,
        documentLoader,
        now: NOW,
      });
    });

    it('verifies when the resolver returns the key as an assertionMethod', async () => {
      const loader = createDocumentLoader({
        resolveDid: async (did) => (did === WEB_DID ? didDocument(true) : null),
      });
      const check = await verifyCredentialProof({ credential: webSigned, documentLoader: loader });
      expect(check).to.include({ verified: true, verificationMethod: `${WEB_DID}#key-2025` });
    });

    it('is KEY_NOT_FOUND when the resolver knows no such DID', async () => {
      const loader = createDocumentLoader({ resolveDid: async () => null });
      const check = await verifyCredentialProof({ credential: webSigned, documentLoader: loader });
      expect(check.verified).to.equal(false);
      expect(check.error?.code).to.equal('KEY_NOT_FOUND');
    });

    it('is KEY_NOT_AUTHORIZED when the key is listed but not as an assertionMethod', async () => {
      const loader = createDocumentLoader({ resolveDid: async () => didDocument(false) });
      const check = await verifyCredentialProof({ credential: webSigned, documentLoader: loader });
      expect(check.verified).to.equal(false);
      expect(check.error?.code).to.equal('KEY_NOT_AUTHORIZED');
    });

    it('is RESOLVER_UNAVAILABLE when the resolver fails', async () => {
      const loader = createDocumentLoader({
        resolveDid: async () => {
          throw new Error('ledger timeout');
        },
      });
      const check = await verifyCredentialProof({ credential: webSigned, documentLoader: loader });
      expect(check.error?.code).to.equal('RESOLVER_UNAVAILABLE');
    });
  });
});
