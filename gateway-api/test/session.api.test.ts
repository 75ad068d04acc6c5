import { expect } from 'chai';
import { startGateway, type Gateway } from './harness.js';

/** Issue 14: a page checks a token before it says "signed in", and names who that is. */
describe('gateway: GET /session (who a token acts as)', function () {
  this.timeout(60_000);
  let gw: Gateway;

  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it("names the token's organisation (Chinese and English) and role, and nothing about the person", async () => {
    const res = await gw.call('GET', '/session', { token: gw.tokens['verifier@university'] });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ orgId: 'university', role: 'verifier', orgKind: 'university' });
    expect(res.body.orgName.zh).to.equal('示范大学');
    expect(res.body.orgName.en).to.be.a('string').and.not.equal('');
    expect(res.body.did).to.match(/^did:web:.*university$/);
    expect(res.body).not.to.have.property('label');
  });

  it('tells an inspector it is the bureau’s inspector', async () => {
    const res = await gw.call('GET', '/session', { token: gw.tokens['inspector@bureau'] });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ orgId: 'bureau', role: 'inspector' });
  });

  for (const [what, token] of [
    ['no token', undefined],
    ['an unknown token', 'edu_this-token-was-never-issued-0000000000'],
    ['a malformed token', 'x'],
  ] as const) {
    it(`refuses ${what} with 401 UNAUTHENTICATED and a bilingual message`, async () => {
      const res = await gw.call('GET', '/session', { token });
      expect(res.status, JSON.stringify(res.body)).to.equal(401);
      expect(res.body.error.code).to.equal('UNAUTHENTICATED');
      expect(res.body.error.message)
        .to.match(/[\u3400-\u9fff]/)
        .and.match(/[a-z]/);
    });
  }

  it('is in the OpenAPI document', async () => {
    const res = await gw.call('GET', '/openapi.json');
    expect(res.body.paths).to.have.property('/session');
  });
});
