import { expect } from 'chai';
import { startGateway, type Gateway } from './harness.js';

const V2 = 'https://www.w3.org/ns/credentials/v2';
const ISSUER = 'did:web:edu.example.cn:orgs:school-gen';

/**
 * Issue 13: issuance as broad as the VC 2.0 data model. The W3C suites send credentials of the base
 * type alone, with URL types, arrays of subjects and ids that are not `urn:uuid:`; all were refused.
 */
describe('gateway: issuing what VC 2.0 allows', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let school: string;

  before(async () => {
    gw = await startGateway();
    school = gw.tokens['school-admin@school-gen'] ?? '';
  });
  after(() => gw.close());

  async function issue(credential: Record<string, unknown>): Promise<any> {
    return (await gw.step('POST', '/credentials/issue', school, { credential }, 201)).verifiableCredential;
  }
  async function checks(vc: unknown): Promise<Record<string, string>> {
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    return Object.fromEntries(
      res.body.checks.map((c: { check: string; status: string }) => [c.check, c.status]),
    );
  }
  const allValid = (result: Record<string, string>): string[] =>
    Object.entries(result)
      .filter(([, status]) => status !== 'valid')
      .map(([check]) => check);

  it('issues a credential of the base type alone, under the generic accreditation, and it verifies', async () => {
    const vc = await issue({
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: ISSUER,
      credentialSubject: { id: 'did:example:learner-1' },
    });
    expect(vc.type).to.deep.equal(['VerifiableCredential']);
    expect(allValid(await checks(vc))).to.deep.equal([]);
  });

  it('refuses a term its contexts do not define with a 400 naming it, and writes nothing', async () => {
    const height = await gw.ledger.height();
    const res = await gw.call('POST', '/credentials/issue', {
      token: school,
      body: {
        credential: {
          '@context': [V2],
          type: ['VerifiableCredential'],
          issuer: ISSUER,
          credentialSubject: { id: 'did:example:learner-1', openDayNote: 'x' },
        },
      },
    });
    expect(res.status).to.equal(400);
    expect(res.body.error.message).to.include('openDayNote');
    expect(await gw.ledger.height()).to.equal(height);
  });

  it('takes a lone type as a string, URL types, several subjects and an https id', async () => {
    const id = 'https://school-gen.example.cn/credentials/2026/0042';
    const vc = await issue({
      '@context': [V2],
      id,
      type: 'VerifiableCredential',
      issuer: { id: ISSUER, name: '示范市第一高级中学' },
      credentialSubject: [{ id: 'did:example:learner-2' }, { id: 'did:example:learner-3' }],
    });
    expect(vc.id).to.equal(id);
    expect(vc.credentialSubject).to.have.length(2);
    expect(allValid(await checks(vc))).to.deep.equal([]);

    const typed = await issue({
      '@context': [V2],
      type: ['VerifiableCredential', 'https://school-gen.example.cn/vocab#ClubMembership'],
      issuer: ISSUER,
      credentialSubject: { id: 'did:example:learner-4' },
    });
    expect(allValid(await checks(typed))).to.deep.equal([]);

    // The copy is kept and found under its URL id.
    const copy = await gw.call('GET', `/credentials/${encodeURIComponent(id)}`, { token: school });
    expect(copy.status, JSON.stringify(copy.body)).to.equal(200);
    expect(copy.body.verifiableCredential.id).to.equal(id);
  });

  it("issues the W3C suites' example credential, under the examples context, and it verifies", async () => {
    const vc = await issue({
      '@context': [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
      id: 'http://university.example/credentials/1872',
      type: ['VerifiableCredential', 'ExampleAlumniCredential'],
      issuer: ISSUER,
      validFrom: '2023-07-01T19:23:24Z',
      credentialSubject: {
        id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
        alumniOf: { id: 'did:example:c276e12ec21ebfeb1f712ebc6f1', name: 'Example University' },
      },
    });
    expect(allValid(await checks(vc))).to.deep.equal([]);
  });

  it('still needs the named accreditation for a type the region regulates', async () => {
    const height = await gw.ledger.height();
    await gw.step(
      'POST',
      '/credentials/issue',
      school,
      {
        credential: {
          '@context': [V2],
          type: ['VerifiableCredential', 'PdCompletionCredential'],
          issuer: ISSUER,
          credentialSubject: { id: 'did:example:teacher-1' },
        },
      },
      403,
      'NOT_ACCREDITED',
    );
    expect(await gw.ledger.height()).to.equal(height);
  });

  it('refuses, as vc+jwt, a credential whose own members are JWT claim names', async () => {
    const res = await gw.call('POST', '/credentials/issue', {
      token: school,
      body: {
        credential: {
          '@context': [V2],
          type: ['VerifiableCredential'],
          issuer: ISSUER,
          credentialSubject: { id: 'did:example:x' },
          exp: 1,
        },
        options: { format: 'jwt' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error.message).to.include('exp');
  });

  it('refuses a credential without an issuer, naming the property, and writes nothing', async () => {
    const height = await gw.ledger.height();
    const res = await gw.call('POST', '/credentials/issue', {
      token: school,
      body: {
        credential: {
          '@context': [V2],
          type: ['VerifiableCredential'],
          credentialSubject: { id: 'did:example:x' },
        },
      },
    });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('INVALID_ARGUMENT');
    expect(res.body.error.message).to.include('issuer');
    expect(await gw.ledger.height()).to.equal(height);
  });

  describe('the optional members the W3C data-model suite sends', () => {
    const base = {
      '@context': [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
      type: ['VerifiableCredential'],
      issuer: ISSUER,
      credentialSubject: { id: 'did:example:learner-2' },
    };
    const refused = async (extra: Record<string, unknown>, property: string): Promise<void> => {
      const height = await gw.ledger.height();
      const res = await gw.call('POST', '/credentials/issue', {
        token: school,
        body: { credential: { ...base, ...extra } },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(res.body.error.code).to.equal('INVALID_ARGUMENT');
      expect(res.body.error.message).to.include(property);
      expect(await gw.ledger.height()).to.equal(height);
    };

    it('signs a name and description given as language value objects', async () => {
      const vc = await issue({
        ...base,
        name: { '@value': '示例凭证', '@language': 'zh' },
        description: [{ '@value': 'An example', '@language': 'en' }],
      });
      expect(vc.name).to.deep.equal({ '@value': '示例凭证', '@language': 'zh' });
      expect(allValid(await checks(vc))).to.deep.equal([]);
    });

    it('keeps a status entry of the caller’s beside its own revocation entry', async () => {
      const theirs = { id: 'https://status.example/lists/3#94567', type: 'ExampleStatusEntry' };
      const vc = await issue({ ...base, credentialStatus: theirs });
      expect(vc.credentialStatus).to.have.length(2);
      expect(vc.credentialStatus[0]).to.deep.equal(theirs);
      expect(vc.credentialStatus[1]).to.include({
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
      });
      expect(allValid(await checks(vc))).to.deep.equal([]);
    });

    it('refuses typeless or empty members with a 400 naming them, writing nothing', async () => {
      await refused({ credentialStatus: { id: 'https://status.example/lists/3#1' } }, 'credentialStatus');
      await refused({ termsOfUse: {} }, 'termsOfUse');
      await refused({ evidence: [{ id: 'https://evidence.example/1' }] }, 'evidence');
      await refused({ refreshService: { id: 'https://refresh.example/' } }, 'refreshService');
      await refused({ credentialSchema: { id: 'https://schema.example/1.json' } }, 'credentialSchema');
      await refused({ relatedResource: [{ id: 'https://www.w3.org/ns/credentials/v2' }] }, 'relatedResource');
      await refused({ credentialSubject: {} }, 'credentialSubject');
      await refused({ credentialStatus: { id: 'https ://not-a-url/4', type: 'X' } }, 'credentialStatus');
      const resource = { id: 'https://www.w3.org/ns/credentials/v2', digestSRI: 'sha384-abc' };
      await refused({ relatedResource: [resource, resource] }, 'relatedResource');
    });

    it('signs one related resource given as an object', async () => {
      const resource = { id: 'https://www.w3.org/ns/credentials/v2', digestSRI: 'sha384-abc' };
      const vc = await issue({ ...base, relatedResource: resource });
      expect(vc.relatedResource).to.deep.equal(resource);
    });
  });
});
