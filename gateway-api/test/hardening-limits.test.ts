import { expect } from 'chai';
import { DEFAULT_RATE_LIMITS, loadConfig, rateLimitsOf } from '../src/config.js';
import { achievementRequest, startGateway, type Gateway } from './harness.js';
import { DIST, ensureBuilt } from '../../verifier-web/test/web-harness.js';

async function send(
  gw: Gateway,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Left as text.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

function expectLimited(res: { status: number; headers: Headers; body: any }, what: string): void {
  expect(res.status, what).to.equal(429);
  expect(Number(res.headers.get('retry-after')), `${what}: Retry-After`).to.be.within(1, 60);
  expect(res.body.error.code, what).to.equal('RATE_LIMITED');
  expect(res.body.error.message, what).to.match(/ \/ /);
}

describe('gateway hardening: rate limits', function () {
  this.timeout(60_000);
  let gw: Gateway;

  before(async () => {
    gw = await startGateway({
      rateLimits: { windowMs: 60_000, writesPerToken: 3, writesPerAddress: 12, anonymousPerAddress: 2 },
    });
  });
  after(async () => {
    await gw?.close();
  });

  it('reads limits from RATE_LIMIT_* with generous defaults, 0 meaning off', () => {
    expect(DEFAULT_RATE_LIMITS.writesPerToken).to.be.at.least(30_000);
    expect(DEFAULT_RATE_LIMITS.anonymousPerAddress).to.be.at.least(30_000);
    const low = rateLimitsOf(
      loadConfig({
        RATE_LIMIT_WINDOW_MS: '5000',
        RATE_LIMIT_WRITES_PER_TOKEN: '0',
        RATE_LIMIT_ANONYMOUS_PER_ADDRESS: '7',
      }),
    );
    expect(low).to.include({ windowMs: 5000, writesPerToken: 0, anonymousPerAddress: 7 });
    expect(() => loadConfig({ RATE_LIMIT_WRITES_PER_TOKEN: '-1' })).to.throw(/RATE_LIMIT_WRITES_PER_TOKEN/);
  });

  it('documents 429 on every write and applies no limit that is set to 0', async () => {
    const doc = (await gw.call('GET', '/openapi.json')).body;
    expect(doc.paths['/credentials/issue'].post.responses['429'].description).to.include('RATE_LIMITED');
    const open = await startGateway({
      rateLimits: { windowMs: 60_000, writesPerToken: 0, writesPerAddress: 0, anonymousPerAddress: 0 },
    });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await send(open, 'POST', '/credentials/verify', undefined, { verifiableCredential: {} });
        expect(res.status).to.equal(400);
      }
    } finally {
      await open.close();
    }
  });

  it('answers 429 with Retry-After once a token, an anonymous verifier or an address is over its limit', async () => {
    const verify = { verifiableCredential: { nonsense: true } };
    for (let i = 0; i < 2; i++)
      expect((await send(gw, 'POST', '/credentials/verify', undefined, verify)).status).to.equal(400);
    expectLimited(
      await send(gw, 'POST', '/credentials/verify', undefined, verify),
      'third anonymous verification',
    );
    const height = await gw.ledger.height();
    const verifier = gw.tokens['verifier@bureau'];
    expect(
      (await send(gw, 'POST', '/credentials/verify', verifier, verify)).status,
      'a token is not anonymous',
    ).to.equal(400);

    const school = gw.tokens['school-admin@school-gen'];
    const issued: number[] = [];
    for (let i = 0; i < 3; i++) {
      issued.push(
        (await send(gw, 'POST', '/credentials/issue', school, achievementRequest(`did:example:rl-${i}`)))
          .status,
      );
    }
    expect(issued).to.deep.equal([201, 201, 201]);
    const afterIssues = await gw.ledger.height();
    expect(afterIssues).to.be.greaterThan(height);
    expectLimited(
      await send(gw, 'POST', '/credentials/issue', school, achievementRequest('did:example:rl-4')),
      'fourth write by one token',
    );
    expect(await gw.ledger.height(), 'a throttled write writes nothing').to.equal(afterIssues);
    expect((await send(gw, 'GET', '/organizations', school)).status, 'reads are not limited').to.equal(200);

    // Other tokens from the same address: allowed until the address's own limit (12 writes) is spent.
    const others = ['school-admin@school-voc', 'school-admin@university', 'bureau-admin@bureau'];
    const statuses: number[] = [];
    for (const name of others) {
      for (let i = 0; i < 2; i++)
        statuses.push((await send(gw, 'POST', '/credentials/verify', gw.tokens[name], verify)).status);
    }
    expect(statuses.filter((s) => s === 429)).to.have.length.greaterThan(0);
    expectLimited(
      await send(gw, 'POST', '/credentials/verify', gw.tokens['verifier@university'], verify),
      'address limit',
    );
  });
});

describe('gateway hardening: security headers and caching', function () {
  this.timeout(60_000);
  let gw: Gateway;

  before(async () => {
    ensureBuilt();
    gw = await startGateway({ staticMounts: [{ path: '/verify', dir: DIST }] });
  });
  after(async () => {
    await gw?.close();
  });

  it('sends nosniff everywhere, no-store on personal data, and lets public documents be cached', async () => {
    const school = gw.tokens['school-admin@school-gen'];
    const subject = await send(gw, 'POST', '/subjects', school, {
      name: '缓存测试',
      idNumber: '110101200805019876',
      studentNumber: '20260000009876',
      birthDate: '2008-05-01',
    });
    expect(subject.status).to.equal(201);
    const { verifiableCredential } = (
      await send(gw, 'POST', '/credentials/issue', school, achievementRequest('did:example:hdr'))
    ).body;
    const statusList = new URL(String(verifiableCredential.credentialStatus.statusListCredential)).pathname;
    const personal = [
      await send(gw, 'GET', `/subjects/${subject.body.subjectId}`, school),
      await send(gw, 'GET', '/audit/schools/school-gen', gw.tokens['inspector@bureau']),
      await send(gw, 'POST', '/holder/archive', undefined, { proof: 'not-a-jwt' }),
      await send(gw, 'POST', '/credentials/verify', undefined, { verifiableCredential }),
      await send(gw, 'GET', '/no/such/route'),
    ];
    for (const res of personal) {
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('content-security-policy')).to.include("default-src 'none'");
    }
    for (const path of [statusList, '/orgs/school-gen/did.json', '/openapi.json']) {
      const res = await send(gw, 'GET', path);
      expect(res.status, path).to.equal(200);
      // A status list says for how long: as long as its `ttl` (5 minutes).
      expect(res.headers.get('cache-control'), path).to.equal(
        path === statusList ? 'public, max-age=300' : null,
      );
      expect(res.headers.get('x-content-type-options'), path).to.equal('nosniff');
    }
    const page = await fetch(`${gw.url}/verify/`);
    expect(page.status).to.equal(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp)
      .to.include("script-src 'self'")
      .and.include("object-src 'none'")
      .and.include("frame-ancestors 'none'");
    expect(csp).not.to.include('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
  });
});
