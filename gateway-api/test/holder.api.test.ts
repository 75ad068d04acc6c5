import { expect } from 'chai';
import { EdDSASigner, createJWT } from 'did-jwt';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { startGateway, studentWithArchive, type Gateway } from './harness.js';

const SEED = new Uint8Array(32).fill(41);

describe('gateway: the student acts with their wallet DID (holder routes)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let did: string;
  let subjectId: string;

  before(async () => {
    gw = await startGateway();
    did = (await didKeyFromSeed(SEED)).did;
    subjectId = await studentWithArchive(
      gw,
      {
        name: '赵晨',
        idNumber: '310101200803031234',
        studentNumber: 'G310101200803031234',
        birthDate: '2008-03-03',
        did,
      },
      [
        ['h-1', 'academic'],
        ['h-2', 'arts'],
      ],
    );
  });
  after(() => gw.close());

  async function proof(
    path: string,
    claims: Record<string, unknown> = {},
    opts: { seed?: Uint8Array; exp?: number; aud?: string } = {},
  ): Promise<string> {
    const seed = opts.seed ?? SEED;
    const issuer = (await didKeyFromSeed(seed)).did;
    return createJWT(
      {
        aud: opts.aud ?? `${gw.url}${path}`,
        exp: opts.exp ?? Math.floor(Date.now() / 1000) + 120,
        ...claims,
      },
      { issuer, signer: EdDSASigner(seed), alg: 'EdDSA' },
    );
  }

  it('lets the student read their whole archive with a proof of their DID, and nobody without one', async () => {
    const own = await gw.call('POST', '/holder/archive', { body: { proof: await proof('/holder/archive') } });
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
    expect(own.body.entries.map((e: any) => e.content.text)).to.have.members(['academic 记录', 'arts 记录']);

    const wrongAud = await gw.call('POST', '/holder/archive', {
      body: { proof: await proof('/holder/archive', {}, { aud: `${gw.url}/holder/consents` }) },
    });
    expect(wrongAud.status).to.equal(401);
    expect(wrongAud.body.error.code).to.equal('UNAUTHENTICATED');
    const longLived = await gw.call('POST', '/holder/archive', {
      body: { proof: await proof('/holder/archive', {}, { exp: Math.floor(Date.now() / 1000) + 24 * 3600 }) },
    });
    expect(longLived.status).to.equal(401);
    const stranger = await gw.call('POST', '/holder/archive', {
      body: { proof: await proof('/holder/archive', {}, { seed: new Uint8Array(32).fill(42) }) },
    });
    expect(stranger.status).to.equal(404);
    expect(stranger.body.error.code).to.equal('SUBJECT_NOT_FOUND');
    const forged = (await proof('/holder/archive')).replace(/\.[^.]+$/, '.AAAA');
    expect((await gw.call('POST', '/holder/archive', { body: { proof: forged } })).status).to.equal(401);
  });

  it('records a consent the student signed, marked as theirs, and a revocation they signed', async () => {
    const university = gw.tokens['verifier@university'];
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const grant = await gw.call('POST', '/holder/consents', {
      body: {
        proof: await proof('/holder/consents', {
          consent: { consentId: 'w-1', granteeOrgId: 'university', dimensions: ['academic'], until },
        }),
      },
    });
    expect(grant.status, JSON.stringify(grant.body)).to.equal(201);
    expect(grant.body.record).to.include({ grantedVia: 'holder', granteeOrgId: 'university' });
    expect(grant.body.record.holderProofDigest).to.match(/^[0-9a-f]{64}$/);

    const seen = await gw.call('GET', `/archives/${subjectId}`, { token: university });
    expect(seen.status).to.equal(200);
    expect(seen.body.entries.map((e: any) => e.dimensionId)).to.deep.equal(['academic']);

    const bad = await gw.call('POST', '/holder/consents', {
      body: { proof: await proof('/holder/consents', { consent: { consentId: 'w-2' } }) },
    });
    expect(bad.status).to.equal(400);

    const revoke = await gw.call('POST', '/holder/consents/revoke', {
      body: { proof: await proof('/holder/consents/revoke', { consentId: 'w-1' }) },
    });
    expect(revoke.status, JSON.stringify(revoke.body)).to.equal(200);
    expect((await gw.call('GET', `/archives/${subjectId}`, { token: university })).status).to.equal(403);
  });
});
