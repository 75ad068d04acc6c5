import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

describe('gateway: share links (POST /shares, GET /shares/:id, GET /s/:id)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let vc: Record<string, any>;

  before(async () => {
    gw = await startGateway();
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(9))).did;
    const issued = await gw.call('POST', '/credentials/issue', {
      token: gw.tokens['school-admin@school-gen'],
      body: achievementRequest(holder),
    });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    vc = issued.body.verifiableCredential;
  });
  after(() => gw.close());

  it('shares a signed credential without a token; the short link leads to the page, which gets it back', async () => {
    const created = await gw.step('POST', '/shares', undefined, { verifiableCredential: vc }, 201);
    expect(created.id).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(created.url).to.equal(`${gw.url}/s/${created.id}`);
    expect(created.verifyUrl).to.equal(`${gw.url}/verify/#share=${created.id}`);
    const hours = (Date.parse(created.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).to.be.within(23, 24);

    const short = await fetch(created.url, { redirect: 'manual' });
    expect(short.status).to.equal(303);
    expect(short.headers.get('location')).to.equal(created.verifyUrl);

    const back = await gw.call('GET', `/shares/${created.id}`);
    expect(back.status).to.equal(200);
    expect(back.body.verifiableCredential).to.deep.equal(vc);
    expect(back.body.expiresAt).to.equal(created.expiresAt);
  });

  it('keeps the share sealed at rest: the stored row holds neither the link id nor the content', async () => {
    const created = await gw.step('POST', '/shares', undefined, { verifiableCredential: vc }, 201);
    const rows = await gw.services.db.db
      .sublevel<string, string>('shares', { valueEncoding: 'utf8' })
      .values()
      .all();
    const dump = rows.join('\n');
    expect(rows.length).to.be.greaterThan(0);
    expect(dump).not.to.include(created.id);
    expect(dump).not.to.include(String(vc.credentialSubject.achievement.name));
    expect(dump).not.to.include(String(vc.id));
  });

  it('answers an expired share, an unknown one and a malformed id with 404 NOT_FOUND, in both languages', async () => {
    const created = await gw.step('POST', '/shares', undefined, { verifiableCredential: vc }, 201);
    const realNow = gw.services.now;
    // The gateway's own clock, 25 hours on: the share's 24 hours are over.
    gw.services.now = () => new Date(realNow().getTime() + 25 * 3_600_000);
    let expired;
    try {
      expired = await gw.call('GET', `/shares/${created.id}`);
    } finally {
      gw.services.now = realNow;
    }
    expect(expired.status).to.equal(404);
    expect(expired.body.error.code).to.equal('NOT_FOUND');
    expect(expired.body.error.message).to.match(/已过期.*expired/);
    // Removed when found expired: back on the real clock it stays gone.
    expect((await gw.call('GET', `/shares/${created.id}`)).status).to.equal(404);

    const unknown = await gw.call('GET', `/shares/${'A'.repeat(22)}`);
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('NOT_FOUND');
    const malformed = await gw.call('GET', '/s/not-a-share');
    expect(malformed.status).to.equal(404);
    expect(malformed.body.error.code).to.equal('NOT_FOUND');
  });

  it('refuses what is not a signed credential, a tampered one, two documents and an oversized body', async () => {
    const tampered = { ...vc, name: 'Forged name' };
    const refusals: [unknown, string][] = [
      [{ verifiableCredential: tampered }, 'tampered'],
      [{ verifiableCredential: { hello: 'world' } }, 'not a credential'],
      [{ verifiableCredential: vc, verifiablePresentation: { type: 'VerifiablePresentation' } }, 'two'],
      [{}, 'none'],
      [{ verifiableCredential: { ...vc, padding: 'x'.repeat(70_000) } }, 'too large'],
      [{ verifiableCredential: vc, extra: 1 }, 'unknown field'],
    ];
    for (const [body, why] of refusals) {
      const res = await gw.call('POST', '/shares', { body });
      expect(res.status, `${why}: ${JSON.stringify(res.body)}`).to.equal(400);
      expect(res.body.error.code, why).to.equal('INVALID_ARGUMENT');
      expect(res.body.error.message, why).to.match(/[\u4e00-\u9fff].* \/ /);
    }
  });
});
