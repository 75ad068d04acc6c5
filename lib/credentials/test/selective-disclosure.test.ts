import { expect } from 'chai';
import {
  createDocumentLoader,
  createPresentation,
  deriveCredential,
  didKeyFromSeed,
  EDU_V1_CONTEXT,
  generateP256Key,
  issueSdCredential,
  ledgerStatusEntry,
  MULTIKEY_V1_CONTEXT,
  publicKeyOnly,
  sdProofKind,
  signPresentation,
  verifyCredentialProof,
  verifyPresentationProof,
  VC_V2_CONTEXT,
} from '../src/index.js';
import type { Credential, ExportedKey, VerifiableCredential } from '../src/index.js';
import { openBadgeSchemaProblems } from '../../../test/open-badges-schema.js';
import { achievementCredential, seed } from './fixtures.js';

const NOW = new Date('2025-03-01T08:30:15.250Z');
const WEB_DID = 'did:web:school-sd.example';
const HIDDEN_TEXT = '心理健康课程表现：情绪管理需要加强';
const SHOWN_TEXT = '数学建模课题获校级一等奖';

function report(subjectId: string): Credential {
  return {
    '@context': [VC_V2_CONTEXT, EDU_V1_CONTEXT],
    id: 'urn:uuid:7d3c1a9e-2b44-4f0e-9c1a-5e8b7f6a4d21',
    type: ['VerifiableCredential', 'GrowthTermReport'],
    issuer: { id: WEB_DID, name: '示范市第一高级中学' },
    validFrom: '2025-01-20T00:00:00Z',
    credentialStatus: [
      {
        id: 'https://gateway.example/status-lists/l1-revocation#7',
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '7',
        statusListCredential: 'https://gateway.example/status-lists/l1-revocation',
      },
    ],
    credentialSubject: {
      id: subjectId,
      term: '2024-2025-1',
      dimensionResults: [
        {
          type: 'GrowthDimensionResult',
          dimension: 'academic',
          label: '学业发展',
          labelEn: 'Academic development',
          entries: [{ type: 'GrowthEntryRecord', term: '2024-2025-1', text: SHOWN_TEXT }],
        },
        {
          type: 'GrowthDimensionResult',
          dimension: 'wellbeing',
          label: '身心健康',
          labelEn: 'Physical and mental health',
          entries: [{ type: 'GrowthEntryRecord', term: '2024-2025-1', text: HIDDEN_TEXT }],
        },
      ],
    },
  };
}

describe('selective disclosure (ecdsa-sd-2023)', () => {
  let key: ExportedKey;
  let holder: { did: string; key: ExportedKey };
  let base: VerifiableCredential;
  let derived: VerifiableCredential;
  const documentLoader = createDocumentLoader({
    resolveDid: async (did) =>
      did === WEB_DID
        ? {
            '@context': ['https://www.w3.org/ns/did/v1', MULTIKEY_V1_CONTEXT],
            id: WEB_DID,
            verificationMethod: [publicKeyOnly(key)],
            assertionMethod: [key.id],
          }
        : null,
  });

  before(async () => {
    key = await generateP256Key({ controller: WEB_DID, id: `${WEB_DID}#sd-key-1` });
    holder = await didKeyFromSeed(seed(41));
    base = await issueSdCredential({ credential: report(holder.did), key, documentLoader, now: NOW });
    derived = await deriveCredential({
      verifiableCredential: base,
      selectivePointers: ['/credentialSubject/id', '/credentialSubject/dimensionResults/0'],
      documentLoader,
    });
  });

  it('generates a P-256 multikey that fits the ledger key schema', () => {
    expect(key.publicKeyMultibase).to.match(/^zDn[1-9A-HJ-NP-Za-km-z]{40,60}$/);
  });

  it('issues a base proof that verifies (through a full disclosure) and is told apart from a derived one', async () => {
    expect(base.proof).to.include({ cryptosuite: 'ecdsa-sd-2023', proofPurpose: 'assertionMethod' });
    expect(sdProofKind(base)).to.equal('base');
    expect(sdProofKind(derived)).to.equal('derived');
    const check = await verifyCredentialProof({ credential: base, documentLoader });
    expect(check).to.include({ verified: true, cryptosuite: 'ecdsa-sd-2023', verificationMethod: key.id });
  });

  it('derives a credential hiding one dimension that verifies, without the hidden text in its bytes', async () => {
    const check = await verifyCredentialProof({ credential: derived, documentLoader });
    expect(check, JSON.stringify(check.error)).to.include({ verified: true, cryptosuite: 'ecdsa-sd-2023' });
    const bytes = JSON.stringify(derived);
    expect(bytes).to.include(SHOWN_TEXT);
    expect(bytes).not.to.include(HIDDEN_TEXT);
    expect(bytes).not.to.include('wellbeing');
    // Mandatory statements are always there: id (the ledger anchor key), issuer, validity and status.
    expect(derived).to.include({ id: base.id, validFrom: base.validFrom });
    expect(derived.issuer).to.deep.equal(base.issuer);
    expect(derived.credentialStatus).to.deep.equal(base.credentialStatus);
  });

  it('rejects a derived credential whose disclosed value was changed', async () => {
    const tampered = structuredClone(derived);
    const subject = tampered.credentialSubject as { dimensionResults: { entries: { text: string }[] }[] };
    const entry = subject.dimensionResults[0]?.entries[0];
    if (!entry) throw new Error('derived credential lost its entry');
    entry.text = '数学建模课题获国家级一等奖';
    const check = await verifyCredentialProof({ credential: tampered, documentLoader });
    expect(check.verified).to.equal(false);
    expect(check.error?.code).to.equal('SIGNATURE_INVALID');
  });

  it('rejects a base credential whose value was changed', async () => {
    const tampered = structuredClone(base);
    tampered.validFrom = '2020-01-01T00:00:00Z';
    const check = await verifyCredentialProof({ credential: tampered, documentLoader });
    expect(check.verified).to.equal(false);
  });

  it('embeds the derived credential in a holder-signed eddsa presentation that verifies', async () => {
    const presentation = createPresentation({ verifiableCredential: [derived], holder: holder.did });
    const signed = await signPresentation({
      presentation,
      key: holder.key,
      challenge: 'sd-challenge-1',
      domain: 'verifier.example',
      documentLoader,
      now: NOW,
    });
    expect(signed.proof.cryptosuite).to.equal('eddsa-rdfc-2022');
    const check = await verifyPresentationProof({
      presentation: signed,
      challenge: 'sd-challenge-1',
      domain: 'verifier.example',
      documentLoader,
    });
    expect(check, JSON.stringify(check)).to.include({ verified: true, holderBound: true });
    expect(JSON.stringify(signed)).not.to.include(HIDDEN_TEXT);
  });

  it('refuses to derive from a credential without a base proof', async () => {
    let error: unknown;
    try {
      await deriveCredential({ verifiableCredential: derived, selectivePointers: [], documentLoader });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/no ecdsa-sd-2023 base proof/);
  });
});

describe('selective disclosure of an Open Badges 3.0 badge', () => {
  let key: ExportedKey;
  let holder: { did: string; key: ExportedKey };
  let base: VerifiableCredential;
  const documentLoader = createDocumentLoader({
    resolveDid: async (did) =>
      did === WEB_DID
        ? {
            '@context': ['https://www.w3.org/ns/did/v1', MULTIKEY_V1_CONTEXT],
            id: WEB_DID,
            verificationMethod: [publicKeyOnly(key)],
            assertionMethod: [key.id],
          }
        : null,
  });

  before(async () => {
    key = await generateP256Key({ controller: WEB_DID, id: `${WEB_DID}#sd-key-1` });
    holder = await didKeyFromSeed(seed(43));
    const badge = achievementCredential({
      issuer: WEB_DID,
      subjectId: holder.did,
      credentialStatus: ledgerStatusEntry({
        statusListCredential: 'https://gateway.example/status-lists/school-sd.1',
        statusListIndex: 7,
      }),
    });
    expect(openBadgeSchemaProblems(badge)).to.deep.equal([]);
    base = await issueSdCredential({ credential: badge, key, documentLoader, now: NOW });
  });

  it('keeps every field OB 3.0 requires when the holder reveals nothing optional', async () => {
    const derived = await deriveCredential({
      verifiableCredential: base,
      selectivePointers: [],
      documentLoader,
    });
    const check = await verifyCredentialProof({ credential: derived, documentLoader });
    expect(check, JSON.stringify(check.error)).to.include({ verified: true, cryptosuite: 'ecdsa-sd-2023' });
    expect(openBadgeSchemaProblems(derived)).to.deep.equal([]);
    const subject = derived.credentialSubject as Record<string, unknown>;
    const { creditsAvailable: _optional, ...required } = (base.credentialSubject as Record<string, any>)
      .achievement;
    expect(subject.achievement).to.deep.equal(required);
    // What the holder did not choose stays hidden: the subject's own statements.
    for (const hidden of ['creditsEarned', 'term', 'schoolCode'])
      expect(subject).not.to.have.property(hidden);
    expect(derived.credentialStatus).to.deep.equal(base.credentialStatus);
  });

  it('reveals what the holder chooses on top', async () => {
    const derived = await deriveCredential({
      verifiableCredential: base,
      selectivePointers: ['/credentialSubject/creditsEarned'],
      documentLoader,
    });
    expect((await verifyCredentialProof({ credential: derived, documentLoader })).verified).to.equal(true);
    expect(openBadgeSchemaProblems(derived)).to.deep.equal([]);
    expect(derived.credentialSubject).to.include({ creditsEarned: 2 }).and.not.have.property('term');
  });
});
