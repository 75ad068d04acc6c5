import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { CredentialAnchor, IssuedForRecord, type AnchorItem, type IssuedForClaim } from '@edu-ledger/domain';
import { SCHOOL_VOC, startGateway, studentWithArchive, type Gateway } from './harness.js';

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

describe('gateway: growth reports, one live report per term and per archive; supersede', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let gen: string;
  let student: string;

  before(async () => {
    gw = await startGateway();
    gen = gw.tokens['school-admin@school-gen'] ?? '';
    student = await studentWithArchive(
      gw,
      {
        name: '韩梅梅',
        idNumber: '110101201002021236',
        studentNumber: 'G1101012010020212',
        birthDate: '2010-02-02',
        did: HOLDER,
      },
      [
        ['r-1', 'moral'],
        ['r-2', 'academic'],
      ],
    );
  });
  after(() => gw.close());

  const live = async (recordId: string): Promise<IssuedForRecord> =>
    IssuedForRecord.parse(
      await gw.services.chaincode.evaluate(gw.services.directory.readerIdentity, 'credentials:GetIssuedFor', {
        kind: 'growth-report',
        recordId,
      }),
    );
  const verify = async (vc: unknown): Promise<{ check: string; status: string; reason: string }[]> =>
    (await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } })).body.checks;

  it('refuses a second report of the same term, and supersedes it on request, revoking the first', async () => {
    const path = `/archives/${student}/reports`;
    const term = (await gw.step('POST', path, gen, { term: '2026-S1' }, 201)).verifiableCredential;
    await gw.step('POST', path, gen, { term: '2026-S1' }, 409, 'ALREADY_EXISTS');
    // The whole-archive report is a record of its own.
    const archive = (await gw.step('POST', path, gen, {}, 201)).verifiableCredential;
    expect(await live(`${student}/archive`)).to.include({ credentialId: archive.id });

    // The published status list (cached once read) learns of the revocation at once: the
    // anchoring event drops the cache.
    const entry = term.credentialStatus as { statusListCredential: string; statusListIndex: string };
    const revokedBit = async (): Promise<number> => {
      const list = (await gw.step(
        'GET',
        new URL(entry?.statusListCredential ?? '').pathname,
        undefined,
        undefined,
        200,
      )) as {
        credentialSubject: { encodedList: string };
      };
      const bits = gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1), 'base64url'));
      // Two bits per credential; a revoked one has both set (0x3), so its first bit tells.
      const index = Number(entry.statusListIndex) * 2;
      return (bits[index >> 3] ?? 0) & (0x80 >> (index & 7));
    };
    expect(await revokedBit()).to.equal(0);

    const replacement = (await gw.step('POST', path, gen, { term: '2026-S1', supersede: true }, 201))
      .verifiableCredential;
    expect(await live(`${student}/2026-s1`)).to.include({ credentialId: replacement.id, replaces: term.id });

    const statusOf = (checks: { check: string; status: string; reason: string }[]) =>
      checks.find((c) => c.check === 'status');
    expect(statusOf(await verify(term))).to.include({ status: 'invalid' });
    expect(statusOf(await verify(term))?.reason).to.include('superseded');
    expect(statusOf(await verify(replacement))).to.include({ status: 'valid' });
    expect(statusOf(await verify(archive))).to.include({ status: 'valid' });
    expect(await revokedBit(), 'revoked bit').to.not.equal(0);
  });

  it('is decided by the chaincode: another school cannot anchor a credential for records it does not hold', async () => {
    const voc = await gw.ledger.identity(SCHOOL_VOC.mspId, `admin@${SCHOOL_VOC.orgId}`, 'admin');
    const item = (issuedFor: IssuedForClaim, n: number): AnchorItem => ({
      credentialId: `urn:uuid:00000000-0000-4000-8000-00000000000${n}`,
      digest: 'ab'.repeat(32),
      credentialTypes: ['VerifiableCredential', 'OpenBadgeCredential'],
      statusListId: 'school-voc.0',
      statusIndex: 131_000 + n,
      issuedFor,
    });
    const refusal = async (issuedFor: IssuedForClaim, n: number): Promise<string> => {
      try {
        await gw.services.chaincode.submit(voc, 'credentials:AnchorCredentials', {
          items: [item(issuedFor, n)],
        });
        return 'anchored';
      } catch (error) {
        return (error as { code?: string }).code ?? String(error);
      }
    };
    const before = await gw.ledger.height();
    expect(
      await refusal({ kind: 'growth-report', recordId: `${student}/archive`, supersede: true }, 1),
    ).to.equal('FORBIDDEN_ORG');
    expect(await refusal({ kind: 'growth-report', recordId: `${student}/2031-s1` }, 2)).to.equal(
      'FORBIDDEN_ORG',
    );
    expect(await refusal({ kind: 'growth-report', recordId: `${student}/summer` }, 3)).to.equal(
      'INVALID_ARGUMENT',
    );
    expect(await refusal({ kind: 'credit-recognition', recordId: `${student}/none` }, 4)).to.equal(
      'NOT_FOUND',
    );
    expect(await refusal({ kind: 'pd-completion', recordId: `${student}/none` }, 5)).to.equal('NOT_FOUND');
    // Nothing was written, and the holding school's live report is untouched.
    expect(await gw.ledger.height()).to.equal(before);
    expect(await live(`${student}/archive`)).to.not.have.property('replaces');
  });
});
