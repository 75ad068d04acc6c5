import { expect } from 'chai';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const UNKNOWN_CONTEXT = 'https://unknown.example/contexts/v1';

type Credential = Record<string, any>;

/** The two JSON-LD mistakes a new issuer makes, and what the refusal must name. */
const MISTAKES: readonly { name: string; spoil: (c: Credential) => Credential; named: string }[] = [
  {
    name: 'an unknown @context',
    spoil: (c) => ({ ...c, '@context': [...c['@context'], UNKNOWN_CONTEXT] }),
    named: UNKNOWN_CONTEXT,
  },
  {
    name: 'an undeclared subject field',
    spoil: (c) => ({ ...c, credentialSubject: { ...c.credentialSubject, favouriteColour: 'blue' } }),
    named: '"favouriteColour"',
  },
  {
    name: 'an undeclared top-level field',
    spoil: (c) => ({ ...c, schoolMotto: '求实' }),
    named: '"schoolMotto"',
  },
];

/** A submitted credential the bundled contexts do not describe is the caller's mistake: 400, named. */
describe('journey: bad JSON-LD in a submitted credential is a 400 that names it', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let school: string;

  before(async () => {
    gw = await startGateway();
    school = gw.tokens['school-admin@school-gen'] ?? '';
  });
  after(() => gw.close());

  const expectNamedRefusal = (res: { status: number; body: any }, named: string): void => {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error.code).to.equal('INVALID_ARGUMENT');
    expect(res.body.error.message)
      .to.contain(named)
      .and.to.match(/[\u4e00-\u9fff]/);
  };

  for (const mistake of MISTAKES) {
    it(`POST /credentials/issue refuses ${mistake.name}`, async () => {
      const request = achievementRequest(HOLDER) as { credential: Credential };
      const res = await gw.call('POST', '/credentials/issue', {
        token: school,
        body: { credential: mistake.spoil(request.credential) },
      });
      expectNamedRefusal(res, mistake.named);
    });

    it(`POST /credential-offers refuses ${mistake.name} when offered, not when claimed`, async () => {
      const request = achievementRequest(HOLDER) as { credential: Credential };
      const { id: _holder, ...subject } = request.credential.credentialSubject;
      const credential = mistake.spoil({ ...request.credential, credentialSubject: subject });
      const res = await gw.call('POST', '/credential-offers', { token: school, body: { credential } });
      expectNamedRefusal(res, mistake.named);
    });
  }

  it('POST /credential-offers still takes a well-formed offer', async () => {
    const request = achievementRequest(HOLDER) as { credential: Credential };
    const { id: _holder, ...subject } = request.credential.credentialSubject;
    const res = await gw.call('POST', '/credential-offers', {
      token: school,
      body: { credential: { ...request.credential, credentialSubject: subject } },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  it('POST /credentials/verify answers 400 with a stable code for each, never a 500', async () => {
    const issued = await gw.step('POST', '/credentials/issue', school, achievementRequest(HOLDER), 201);
    const credential = issued.verifiableCredential as Credential;
    for (const mistake of MISTAKES) {
      const res = await gw.call('POST', '/credentials/verify', {
        body: { verifiableCredential: mistake.spoil(credential) },
      });
      expect(res.status, `${mistake.name}: ${JSON.stringify(res.body)}`).to.equal(400);
      expect(res.body.verified).to.equal(false);
      const signature = res.body.checks.find((c: any) => c.check === 'signature');
      expect(signature.status).to.equal('invalid');
      // A stable code first, then what is wrong: CONTEXT_NOT_ALLOWED names the URL, MALFORMED the
      // undeclared term.
      expect(signature.reason).to.match(/^(CONTEXT_NOT_ALLOWED|MALFORMED): /);
      expect(signature.reason).to.contain(mistake.named);
    }
  });
});
