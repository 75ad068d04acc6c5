import { expect } from 'chai';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import {
  createDocumentLoader,
  didKeyFromSeed,
  issueCredential,
  type Credential,
} from '@edu-ledger/credentials';
import { startGateway, type Gateway } from './harness.js';

/** Issue 13: VC 1.1 credentials were refused outright; they verify, with their own validity window. */
describe('gateway: verifying VC 1.1 credentials (eddsa-rdfc-2022, Ed25519Signature2020)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let issuer: Awaited<ReturnType<typeof didKeyFromSeed>>;

  before(async () => {
    gw = await startGateway();
    issuer = await didKeyFromSeed(new Uint8Array(32).fill(41));
  });
  after(() => gw.close());

  const v11 = (extra: Record<string, unknown>): Promise<unknown> =>
    issueCredential({
      credential: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        id: 'urn:uuid:00000000-0000-4000-8000-0000000041aa',
        type: ['VerifiableCredential'],
        issuer: issuer.did,
        issuanceDate: '2024-01-01T00:00:00Z',
        credentialSubject: { id: 'did:example:learner' },
        ...extra,
      } as unknown as Credential,
      key: issuer.key,
      documentLoader: createDocumentLoader(),
    });
  const verify = (vc: unknown) =>
    gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });

  it('verifies one from an issuer outside the registry, and says so', async () => {
    const res = await verify(await v11({}));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ verified: true, outcome: 'untrusted-issuer' });
    const validity = res.body.checks.find((c: any) => c.check === 'validity-period');
    expect(validity.details).to.include({ validFrom: '2024-01-01T00:00:00Z' });
  });

  it('reads expirationDate as the end of its validity', async () => {
    const res = await verify(await v11({ expirationDate: '2025-01-01T00:00:00Z' }));
    expect(res.status).to.equal(400);
    expect(res.body.outcome).to.equal('invalid');
    expect(res.body.checks.find((c: any) => c.check === 'validity-period')).to.include({ status: 'invalid' });
  });

  describe('Ed25519Signature2020 proofs (VC 1.1 era)', () => {
    /** Signs as an older issuer would: the 2020 suite, its context, the did:key's 2020-style key. */
    const signed2020 = async (extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
      const fingerprint = issuer.did.slice('did:key:'.length);
      const pair = await Ed25519Multikey.generate({
        seed: new Uint8Array(32).fill(41),
        id: `${issuer.did}#${fingerprint}`,
        controller: issuer.did,
      });
      return (await vc.issue({
        credential: {
          '@context': [
            'https://www.w3.org/2018/credentials/v1',
            'https://w3id.org/security/suites/ed25519-2020/v1',
          ],
          id: 'urn:uuid:00000000-0000-4000-8000-0000000041bb',
          type: ['VerifiableCredential'],
          issuer: issuer.did,
          issuanceDate: '2024-01-01T00:00:00Z',
          credentialSubject: { id: 'did:example:learner' },
          ...extra,
        },
        suite: new Ed25519Signature2020({ signer: pair.signer() }),
        documentLoader: createDocumentLoader(),
      })) as Record<string, unknown>;
    };

    it('verifies one, naming the proof type', async () => {
      const credential = await signed2020();
      expect(credential.proof).to.include({ type: 'Ed25519Signature2020' });
      const res = await verify(credential);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ verified: true, outcome: 'untrusted-issuer' });
      const signature = res.body.checks.find((c: any) => c.check === 'signature');
      expect(signature).to.include({ status: 'valid' });
      expect(signature.details).to.include({ cryptosuite: 'Ed25519Signature2020' });
    });

    it('refuses one whose claims were changed after signing', async () => {
      const credential = await signed2020();
      const res = await verify({ ...credential, credentialSubject: { id: 'did:example:someone-else' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.include({ verified: false, outcome: 'invalid' });
      expect(res.body.checks.find((c: any) => c.check === 'signature')).to.include({ status: 'invalid' });
    });

    it('refuses one signed by a key that is not the issuer’s', async () => {
      const other = await didKeyFromSeed(new Uint8Array(32).fill(42));
      const credential = await signed2020({ issuer: other.did });
      const res = await verify(credential);
      expect(res.status).to.equal(400);
      expect(res.body.outcome).to.equal('invalid');
    });
  });

  describe('issuing VC 1.1 credentials (POST /credentials/issue)', () => {
    const v11Request = (extra: Record<string, unknown> = {}) => ({
      credential: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential'],
        issuer: 'did:web:edu.example.cn:orgs:school-gen',
        credentialSubject: { id: 'did:example:learner' },
        ...extra,
      },
    });
    const school = (): string => gw.tokens['school-admin@school-gen'] ?? '';

    it('signs one with issuanceDate and a status entry, and it verifies as trusted', async () => {
      const vc = (await gw.step('POST', '/credentials/issue', school(), v11Request(), 201))
        .verifiableCredential;
      expect(vc).to.have.property('issuanceDate').that.is.a('string');
      expect(vc).to.not.have.property('validFrom');
      expect(vc['@context']).to.include('https://www.w3.org/ns/credentials/status/v1');
      expect(vc.credentialStatus).to.include({ type: 'BitstringStatusListEntry' });
      const res = await verify(vc);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ verified: true, outcome: 'trusted' });
    });

    it('keeps expirationDate as the end of validity', async () => {
      const vc = (
        await gw.step(
          'POST',
          '/credentials/issue',
          school(),
          v11Request({ expirationDate: '2099-01-01T00:00:00Z' }),
          201,
        )
      ).verifiableCredential;
      expect(vc.expirationDate).to.equal('2099-01-01T00:00:00Z');
      expect((await verify(vc)).body.verified).to.equal(true);
    });

    it('refuses VC 2.0 names in a VC 1.1 credential, and vc+jwt for one', async () => {
      await gw.step(
        'POST',
        '/credentials/issue',
        school(),
        v11Request({ validFrom: '2026-01-01T00:00:00Z' }),
        400,
        'INVALID_ARGUMENT',
      );
      await gw.step(
        'POST',
        '/credentials/issue',
        school(),
        { ...v11Request(), options: { format: 'jwt' } },
        400,
        'INVALID_ARGUMENT',
      );
    });
  });
});
