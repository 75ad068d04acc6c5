import { expect } from 'chai';
import { createJWT, EdDSASigner } from 'did-jwt';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

/** The body of an offer: the usual issue request without the holder's DID. */
function offerBody(name = '三好学生 Merit Student'): Record<string, any> {
  const request = achievementRequest('did:key:placeholder', name) as { credential: Record<string, any> };
  const { id: _id, ...subject } = request.credential.credentialSubject;
  return { credential: { ...request.credential, credentialSubject: subject } };
}

interface Holder {
  did: string;
  kid: string;
  seed: Uint8Array;
}

async function holder(fill: number): Promise<Holder> {
  const seed = new Uint8Array(32).fill(fill);
  const { did, key } = await didKeyFromSeed(seed);
  return { did, kid: key.id, seed };
}

/** A claim proof as a wallet makes it; `overrides` replace payload claims to build bad proofs. */
async function proofFor(
  h: Holder,
  offer: { challenge: string; offerUrl: string },
  overrides: Record<string, unknown> = {},
  signer: Holder = h,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return createJWT(
    { nonce: offer.challenge, aud: offer.offerUrl, iat: now, exp: now + 120, ...overrides },
    { issuer: h.did, signer: EdDSASigner(signer.seed), alg: 'EdDSA' },
    { alg: 'EdDSA', kid: h.kid },
  );
}

describe('gateway: credential offers', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let schoolAdmin: string;

  before(async () => {
    gw = await startGateway();
    schoolAdmin = gw.tokens['school-admin@school-gen'] ?? '';
  });
  after(() => gw.close());

  async function makeOffer(body: Record<string, unknown> = offerBody()): Promise<any> {
    const created = await gw.call('POST', '/credential-offers', { token: schoolAdmin, body });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const view = await gw.call('GET', new URL(created.body.offerUrl).pathname);
    expect(view.status, JSON.stringify(view.body)).to.equal(200);
    return { ...created.body, ...view.body };
  }

  it('offers, shows and issues to the DID that proves control, exactly once', async () => {
    const created = await gw.call('POST', '/credential-offers', { token: schoolAdmin, body: offerBody() });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.offerId).to.match(/^[A-Za-z0-9_-]{22}$/);
    // The base is PUBLIC_URL when the services carry one, else the address the issuer called.
    expect(new URL(created.body.offerUrl).pathname).to.equal(`/credential-offers/${created.body.offerId}`);
    const ttl = Date.parse(created.body.expiresAt) - Date.now();
    expect(ttl).to.be.within(6.9 * 86_400_000, 7 * 86_400_000);

    const view = await gw.call('GET', `/credential-offers/${created.body.offerId}`);
    expect(view.status).to.equal(200);
    expect(view.body).to.include({ offerId: created.body.offerId, status: 'open' });
    expect(view.body.issuer).to.deep.equal({
      orgId: 'school-gen',
      name: view.body.issuer.name,
    });
    expect(view.body.issuer.name.zh).to.be.a('string');
    expect(view.body.types).to.deep.equal(['OpenBadgeCredential']);
    expect(view.body.challenge).to.match(/^[A-Za-z0-9_-]{22}$/);

    const alice = await holder(11);
    const claimPath = `/credential-offers/${created.body.offerId}/claim`;
    const claimed = await gw.call('POST', claimPath, {
      body: { proof: await proofFor(alice, view.body) },
    });
    expect(claimed.status, JSON.stringify(claimed.body)).to.equal(201);
    const vc = claimed.body.verifiableCredential;
    expect(vc.credentialSubject.id).to.equal(alice.did);
    expect(vc.credentialSubject.creditsEarned).to.equal(2);
    const verified = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);

    const again = await gw.call('POST', claimPath, { body: { proof: await proofFor(alice, view.body) } });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('INVALID_STATE');
    expect(again.body.error.message).to.contain('already claimed');
    const after = await gw.call('GET', `/credential-offers/${created.body.offerId}`);
    expect(after.body.status).to.equal('claimed');
  });

  it('refuses proofs with the wrong nonce, audience, signer or lifetime, and malformed ones', async () => {
    const offer = await makeOffer();
    const alice = await holder(12);
    const mallory = await holder(13);
    const claimPath = `/credential-offers/${offer.offerId}/claim`;
    const cases: [string, string][] = [
      ['wrong nonce', await proofFor(alice, offer, { nonce: 'not-the-challenge' })],
      ['wrong audience', await proofFor(alice, offer, { aud: `${gw.url}/credential-offers/other` })],
      ['no audience', await proofFor(alice, offer, { aud: undefined })],
      ['signed by another key', await proofFor(alice, offer, {}, mallory)],
      ['expired', await proofFor(alice, offer, { iat: 1_000, exp: 2_000 })],
      ['no expiry', await proofFor(alice, offer, { exp: undefined })],
      ['too long-lived', await proofFor(alice, offer, { exp: Math.floor(Date.now() / 1000) + 86_400 })],
    ];
    for (const [label, proof] of cases) {
      const res = await gw.call('POST', claimPath, { body: { proof } });
      expect(res.status, `${label}: ${JSON.stringify(res.body)}`).to.equal(401);
      expect(res.body.error.code, label).to.equal('UNAUTHENTICATED');
    }
    const malformed = await gw.call('POST', claimPath, { body: { proof: 'not a jwt' } });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.equal('INVALID_ARGUMENT');
    // None of the refusals used the offer up.
    const good = await gw.call('POST', claimPath, { body: { proof: await proofFor(alice, offer) } });
    expect(good.status, JSON.stringify(good.body)).to.equal(201);
  });

  it('refuses an expired offer with INVALID_STATE', async () => {
    const offer = await makeOffer({ ...offerBody(), expiresInSeconds: 60 });
    const realNow = gw.services.now;
    gw.services.now = () => new Date(Date.now() + 61_000);
    try {
      const view = await gw.call('GET', `/credential-offers/${offer.offerId}`);
      expect(view.body.status).to.equal('expired');
      const res = await gw.call('POST', `/credential-offers/${offer.offerId}/claim`, {
        body: { proof: await proofFor(await holder(14), offer) },
      });
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('INVALID_STATE');
      expect(res.body.error.message).to.contain('expired');
    } finally {
      gw.services.now = realNow;
    }
  });

  it('checks who may offer what, and the shape of the offer', async () => {
    const anonymous = await gw.call('POST', '/credential-offers', { body: offerBody() });
    expect(anonymous.status).to.equal(401);
    const verifier = await gw.call('POST', '/credential-offers', {
      token: gw.tokens['verifier@university'],
      body: offerBody(),
    });
    expect(verifier.status).to.equal(403);
    const withHolder = await gw.call('POST', '/credential-offers', {
      token: schoolAdmin,
      body: achievementRequest('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'),
    });
    expect(withHolder.status).to.equal(400);
    expect(withHolder.body.error.message).to.contain('credentialSubject.id');
    const body = offerBody();
    // A type the region regulates and the school is not accredited for (others count as generic).
    body.credential.type = ['VerifiableCredential', 'PdCompletionCredential'];
    const notAccredited = await gw.call('POST', '/credential-offers', { token: schoolAdmin, body });
    expect(notAccredited.status).to.equal(403);
    expect(notAccredited.body.error.code).to.equal('NOT_ACCREDITED');
    const unknown = await gw.call('GET', '/credential-offers/AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).to.equal(404);
    const unknownClaim = await gw.call('POST', '/credential-offers/nope/claim', {
      body: { proof: await proofFor(await holder(15), { challenge: 'x', offerUrl: 'y' }) },
    });
    expect(unknownClaim.status).to.equal(404);
  });

  it('keeps neither usable offer ids nor pending offer contents readable in the database', async () => {
    const name = '独特的荣誉名称 Unique Honour Name';
    const offer = await makeOffer(offerBody(name));
    const stored: string[] = [];
    for await (const [key, value] of gw.services.db.offers.iterator()) stored.push(key, value);
    const all = stored.join('\n');
    expect(all).not.to.contain(offer.offerId);
    expect(all).not.to.contain(name);
    expect(all).not.to.contain('creditsEarned');
  });
});
