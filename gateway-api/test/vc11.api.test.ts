import { expect } from 'chai';
import {
  createDocumentLoader,
  didKeyFromSeed,
  issueCredential,
  type Credential,
} from '@edu-ledger/credentials';
import { startGateway, type Gateway } from './harness.js';

/** Issue 13: VC 1.1 credentials were refused outright; they verify, with their own validity window. */
describe('gateway: verifying VC 1.1 credentials (eddsa-rdfc-2022)', function () {
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
});
