import { expect } from 'chai';
import { RegistryClient } from '@digitalcredentials/issuer-registry-client';
import { TEST_LEDGER } from '../../test/ledgers.js';
import { addSecondBureau, startGateway, type Gateway } from './harness.js';

const did = (orgId: string): string => `did:web:edu.example.cn:orgs:${orgId}`;
const yearsFromNow = (n: number): string => new Date(Date.now() + n * 365 * 86_400_000).toISOString();

describe('gateway: a registry others can read (DCC issuer registry, trust chains)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let registryUrl: string;

  before(async () => {
    gw = await startGateway();
    registryUrl = `${gw.url}/registry/dcc.json`;
  });
  after(() => gw?.close());

  const bureauAdmin = () => gw.ledger.identity('BureauMSP', 'admin@bureau', 'admin');
  const registry = async (): Promise<any> => {
    const res = await gw.call('GET', '/registry/dcc.json');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const trust = (orgDid: string) => gw.call('GET', `/registry/issuers/${encodeURIComponent(orgDid)}`);

  it("publishes the ledger's accredited issuers so @digitalcredentials/issuer-registry-client finds them", async () => {
    const client = new RegistryClient();
    const loaded = await client.load({
      config: [{ name: '示范市教育凭证账本 Demo City ledger', url: registryUrl }],
    });
    expect(loaded).to.deep.equal([
      { name: '示范市教育凭证账本 Demo City ledger', url: registryUrl, loaded: true },
    ]);

    const school = client.didEntry(did('school-gen'));
    expect(school, 'school-gen').to.not.equal(undefined);
    expect(school?.name).to.equal('示范市第一高级中学 / Demo City No.1 High School');
    expect(school?.url).to.equal(`${gw.url}/organizations/school-gen`);
    expect([...(school?.inRegistries ?? [])].map((r) => r.name)).to.deep.equal([
      '示范市教育凭证账本 Demo City ledger',
    ]);
    expect(client.didEntry(did('school-voc'))?.name).to.include('示范市职业技术学校');
    expect(client.didEntry(did('provider'))?.name).to.include('Demo City Teacher Training School');
    // Registered, but accredited for nothing: not an issuer anyone should trust for a credential.
    expect(client.didEntry(did('bureau'))).to.equal(undefined);
    expect(client.didEntry(did('university'))).to.equal(undefined);
    expect(client.didEntry('did:web:edu.example.cn:orgs:nobody')).to.equal(undefined);
  });

  it('keeps the DCC shape: {meta: {created, updated}, registry: {<DID>: {name, url, …}}}, with our facts beside it', async () => {
    const body = await registry();
    expect(body).to.have.keys(['meta', 'registry']);
    expect(Object.keys(body.registry).sort()).to.deep.equal(
      [did('provider'), did('school-gen'), did('school-voc')].sort(),
    );
    expect(Date.parse(body.meta.created)).to.be.a('number').and.not.NaN;
    expect(Date.parse(body.meta.updated)).to.be.at.least(Date.parse(body.meta.created));
    expect(body.meta.names).to.deep.equal({
      zh: '示范市教育局教育凭证账本认可的发证机构',
      en: 'Issuers accredited on the Demo City Education Bureau education credential ledger',
    });
    expect(body.meta.url).to.equal(registryUrl);
    const entry = body.registry[did('school-gen')];
    expect(entry).to.include({ name: '示范市第一高级中学 / Demo City No.1 High School', kind: 'school' });
    expect(entry.names).to.deep.equal({ zh: '示范市第一高级中学', en: 'Demo City No.1 High School' });
    expect(entry.schoolCode).to.equal('3101010001');
    expect(entry.credentialTypes).to.include.members(['OpenBadgeCredential', 'GrowthTermReport']);
    expect(entry.accreditations).to.have.length(1);
    expect(entry.accreditations[0]).to.include({
      accreditationId: 'school-gen-ob3',
      accreditedBy: did('bureau'),
    });
    expect(entry.trustChain).to.equal(`${gw.url}/registry/issuers/${encodeURIComponent(did('school-gen'))}`);
    for (const value of Object.values(body.registry) as any[]) {
      expect(value.name).to.be.a('string').and.match(/ \/ /);
      expect(value.url).to.be.a('string');
    }
  });

  it('is public and cacheable: Cache-Control with max-age, a strong ETag answered with 304, CORS open', async () => {
    const res = await fetch(registryUrl);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.headers.get('cache-control')).to.match(/^public, max-age=\d+$/);
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    const etag = res.headers.get('etag') ?? '';
    expect(etag).to.match(/^"sha256-[A-Za-z0-9_-]{43}"$/);
    const again = await fetch(registryUrl, {
      headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
    });
    expect(again.status).to.equal(304);
    const openapi = await gw.call('GET', '/openapi.json');
    expect(openapi.body.paths).to.have.property('/registry/dcc.json');
    expect(openapi.body.paths).to.have.property('/registry/issuers/{did}');
  });

  it('lists only issuers accredited now: a suspension removes one at once, a reinstatement brings it back', async () => {
    const admin = await bureauAdmin();
    const before = await registry();
    await gw.services.chaincode.submit(admin, 'registry:SuspendAccreditation', {
      orgId: 'school-voc',
      accreditationId: 'school-voc-ob3',
      reasonCode: 'under-review',
    });
    const suspended = await registry();
    expect(suspended.registry).to.not.have.property(did('school-voc'));
    expect(suspended.registry).to.have.property(did('school-gen'));
    expect(Date.parse(suspended.meta.updated)).to.be.above(Date.parse(before.meta.updated));
    const chain = (await trust(did('school-voc'))).body;
    expect(chain.inRegistry).to.equal(false);
    const badge = chain.credentialTypes.find((t: any) => t.credentialType === 'OpenBadgeCredential');
    expect(badge).to.include({ accredited: false });
    expect(badge.accreditations[0]).to.include({ state: 'suspended' });
    expect(badge.accreditations[0].suspensions[0]).to.include({ reasonCode: 'under-review' });

    await gw.services.chaincode.submit(admin, 'registry:ReinstateAccreditation', {
      orgId: 'school-voc',
      accreditationId: 'school-voc-ob3',
    });
    expect((await registry()).registry).to.have.property(did('school-voc'));
  });

  it('leaves out accreditations that have not begun or have ended', async () => {
    const admin = await bureauAdmin();
    await gw.services.chaincode.submit(admin, 'registry:Accredit', {
      accreditationId: 'university-future',
      orgId: 'university',
      credentialTypes: ['AchievementCredential'],
      validFrom: yearsFromNow(1),
      validUntil: yearsFromNow(2),
    });
    await gw.services.chaincode.submit(admin, 'registry:Accredit', {
      accreditationId: 'university-past',
      orgId: 'university',
      credentialTypes: ['OpenBadgeCredential'],
      validFrom: yearsFromNow(-3),
      validUntil: yearsFromNow(-1),
    });
    expect((await registry()).registry).to.not.have.property(did('university'));
    const chain = (await trust(did('university'))).body;
    expect(chain.inRegistry).to.equal(false);
    const states = Object.fromEntries(
      chain.credentialTypes.map((t: any) => [t.credentialType, t.accreditations.map((a: any) => a.state)]),
    );
    expect(states).to.deep.equal({
      AchievementCredential: ['not-yet-valid'],
      OpenBadgeCredential: ['expired'],
    });
  });

  it('gives each issuer its trust chain per credential type: bureau → school, with validity', async () => {
    const res = await trust(did('school-gen'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const body = res.body;
    expect(body.issuer).to.include({ did: did('school-gen'), orgId: 'school-gen', kind: 'school' });
    expect(body.issuer.name).to.deep.equal({ zh: '示范市第一高级中学', en: 'Demo City No.1 High School' });
    expect(body.inRegistry).to.equal(true);
    expect(body.registry).to.equal(registryUrl);
    const types = body.credentialTypes.map((t: any) => t.credentialType);
    expect(types).to.include.members(['OpenBadgeCredential', 'AchievementCredential', 'GrowthTermReport']);
    const badge = body.credentialTypes.find((t: any) => t.credentialType === 'OpenBadgeCredential');
    expect(badge.accredited).to.equal(true);
    const [accreditation] = badge.accreditations;
    expect(accreditation).to.include({ accreditationId: 'school-gen-ob3', state: 'active' });
    expect(Date.parse(accreditation.validFrom)).to.be.below(Date.now());
    expect(Date.parse(accreditation.validUntil)).to.be.above(Date.now());
    expect(accreditation.chain.map((l: any) => [l.orgId, l.relation])).to.deep.equal([
      ['bureau', 'root'],
      ['school-gen', 'accredited'],
    ]);
    expect(accreditation.chain[0].name).to.deep.equal({
      zh: '示范市教育局',
      en: 'Demo City Education Bureau',
    });

    expect((await trust('did:web:edu.example.cn:orgs:nobody')).status).to.equal(404);
    expect((await trust('did:web:edu.example.cn:orgs:nobody')).body.error.code).to.equal('ORG_NOT_FOUND');
    expect((await trust('not-a-did')).status).to.equal(400);
  });

  it('follows a second bureau up to the root: root bureau → registered bureau → its school', async function () {
    // A second bureau needs an MSP of its own, which the Fabric test network does not define.
    if (TEST_LEDGER === 'fabric') this.skip();
    await addSecondBureau(gw);
    const bureauTwo = await gw.ledger.identity('BureauTwoMSP', 'admin@bureau-two', 'admin');
    await gw.services.chaincode.submit(bureauTwo, 'registry:Accredit', {
      accreditationId: 'school-two-ob3',
      orgId: 'school-two',
      credentialTypes: ['OpenBadgeCredential'],
      validFrom: yearsFromNow(-1),
      validUntil: yearsFromNow(3),
    });
    const entry = (await registry()).registry[did('school-two')];
    expect(entry).to.include({ name: '第二区实验学校 / Second District School' });
    expect(entry.accreditations[0].accreditedBy).to.equal(did('bureau-two'));
    const chain = (await trust(did('school-two'))).body.credentialTypes[0].accreditations[0].chain;
    expect(chain.map((l: any) => [l.orgId, l.relation])).to.deep.equal([
      ['bureau', 'root'],
      ['bureau-two', 'registered'],
      ['school-two', 'accredited'],
    ]);
  });
});
