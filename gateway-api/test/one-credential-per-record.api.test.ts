import { expect } from 'chai';
import { CredentialAnchor, IssuedForRecord } from '@edu-ledger/domain';
import { startGateway, type Gateway } from './harness.js';

const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

/**
 * Issue 12: 596 PD completion credentials were issued for 4 completions. The ledger records which
 * credential stands for which record and refuses another until that one is revoked.
 */
describe('gateway: one live credential per record', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let provider: string;
  let teacherId: string;

  before(async () => {
    gw = await startGateway();
    provider = gw.tokens['provider-admin@provider'] ?? '';
    const gen = gw.tokens['school-admin@school-gen'];
    teacherId = (
      await gw.step(
        'POST',
        '/subjects',
        gen,
        {
          kind: 'teacher',
          name: '陈静',
          idNumber: '110105198001010047',
          studentNumber: 'T1101051980010147',
          birthDate: '1980-01-01',
        },
        201,
      )
    ).subjectId;
    await gw.step(
      'POST',
      '/pd/completions',
      provider,
      {
        completionId: 'once',
        teacherId,
        schoolId: 'school-gen',
        activityKind: 'centralised',
        title: { zh: '集中培训', en: 'Training' },
        hours: 20,
        completedOn: new Date(Date.now() - 86_400_000).toISOString(),
      },
      201,
    );
    await gw.step('POST', `/pd/completions/${teacherId}/once/decision`, gen, { confirm: true }, 200);
  });
  after(() => gw.close());

  const path = (): string => `/pd/completions/${teacherId}/once/credential`;

  async function liveFor(): Promise<IssuedForRecord> {
    return IssuedForRecord.parse(
      await gw.services.chaincode.evaluate(gw.services.directory.readerIdentity, 'credentials:GetIssuedFor', {
        kind: 'pd-completion',
        recordId: `${teacherId}/once`,
      }),
    );
  }

  it('issues once, even when asked concurrently; refuses another until the first is revoked', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => gw.call('POST', path(), { token: provider, body: { holderDid: HOLDER } })),
    );
    const issued = results.filter((r) => r.status === 201);
    expect(issued, JSON.stringify(results.map((r) => r.body))).to.have.length(1);
    for (const r of results.filter((x) => x.status !== 201))
      expect([r.status, r.body.error.code]).to.deep.equal([409, 'ALREADY_EXISTS']);
    const first = issued[0]?.body.verifiableCredential;
    await gw.step('POST', path(), provider, { holderDid: HOLDER }, 409, 'ALREADY_EXISTS');

    const anchor = CredentialAnchor.parse(
      await gw.services.chaincode.evaluate(
        gw.services.directory.readerIdentity,
        'credentials:GetCredentialAnchor',
        {
          credentialId: first.id,
        },
      ),
    );
    expect(anchor.issuedFor).to.deep.equal({ kind: 'pd-completion', recordId: `${teacherId}/once` });
    expect(await liveFor())
      .to.include({ credentialId: first.id })
      .and.not.have.property('replaces');

    await gw.step(
      'POST',
      '/credentials/status',
      provider,
      {
        credentialId: first.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
        options: { reasonCode: 'superseded' },
      },
      200,
    );
    const second = (await gw.step('POST', path(), provider, { holderDid: HOLDER }, 201)).verifiableCredential;
    expect(second.id).to.not.equal(first.id);
    // Re-issuing is recorded as the replacement of the revoked credential.
    expect(await liveFor()).to.include({ credentialId: second.id, replaces: first.id });
    await gw.step('POST', path(), provider, { holderDid: HOLDER }, 409, 'ALREADY_EXISTS');
  });
});
