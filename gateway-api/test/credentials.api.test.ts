import { expect } from 'chai';
import { decodeStatusList, didKeyFromSeed, statusEntryValue } from '@edu-ledger/credentials';
import {
  achievementRequest,
  CREDENTIAL_CHECK_ORDER as CHECKS,
  startGateway,
  type Gateway,
} from './harness.js';

describe('gateway: credentials over HTTP', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let holder: string;
  let schoolAdmin: string;

  before(async () => {
    gw = await startGateway();
    holder = (await didKeyFromSeed(new Uint8Array(32).fill(7))).did;
    schoolAdmin = gw.tokens['school-admin@school-gen'] ?? '';
  });
  after(() => gw.close());

  async function issue(token = schoolAdmin, body: unknown = achievementRequest(holder)): Promise<any> {
    const res = await gw.call('POST', '/credentials/issue', { token, body });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.verifiableCredential;
  }

  const failed = (result: any): string[] =>
    result.checks.filter((c: any) => c.status !== 'valid').map((c: any) => c.check);

  it('issues an AchievementCredential that verifies with every check valid', async () => {
    const vc = await issue();
    expect(vc.id).to.match(/^urn:uuid:/);
    expect(vc.issuer).to.include({
      id: 'did:web:edu.example.cn:orgs:school-gen',
      name: '示范市第一高级中学',
    });
    // One proof, as an array: the Open Badges 3.0 JSON Schema wants one.
    expect(vc.proof).to.be.an('array').with.length(1);
    expect(vc.proof[0]).to.include({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' });
    // One status entry (Open Badges 3.0 allows no more): revocation, which every checker reads.
    expect(vc.credentialStatus).to.include({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    expect(vc.credentialStatus.statusListCredential).to.match(/\/status-lists\/school-gen\.\d+-revocation$/);
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    expect(res.status).to.equal(200);
    expect(res.body.verified).to.equal(true);
    expect(res.body.checks.map((c: any) => c.check)).to.deep.equal(CHECKS);
    expect(failed(res.body)).to.deep.equal([]);
    const anchored = res.body.checks.find((c: any) => c.check === 'anchored');
    expect(anchored.details.blockNumber).to.be.a('number');
    expect(anchored.details.txId).to.match(/^[0-9a-f]{64}$/);
  });

  it('names the signature check when any byte of the subject changes', async () => {
    const vc = await issue();
    const tampered = structuredClone(vc);
    tampered.credentialSubject.creditsEarned = 3;
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: tampered } });
    expect(res.status).to.equal(400);
    expect(res.body.verified).to.equal(false);
    expect(failed(res.body)).to.include.members(['signature', 'anchored']);
    expect(res.body.checks.find((c: any) => c.check === 'signature').reason).to.match(/SIGNATURE_INVALID/);
  });

  it('names the status check once revoked, and keeps the revocation in history and the status list', async () => {
    const vc = await issue();
    const revoke = await gw.call('POST', '/credentials/status', {
      token: schoolAdmin,
      body: {
        credentialId: vc.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
        options: { reasonCode: 'issued-in-error' },
      },
    });
    expect(revoke.status, JSON.stringify(revoke.body)).to.equal(200);
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    expect(res.status).to.equal(400);
    expect(failed(res.body)).to.deep.equal(['status']);
    expect(res.body.checks.find((c: any) => c.check === 'status').reason).to.match(
      /^revoked since .*issued-in-error/,
    );

    const entry = vc.credentialStatus;
    const listPath = new URL(entry.statusListCredential).pathname;
    const list = await gw.call('GET', listPath);
    expect(list.status).to.equal(200);
    expect(list.body.type).to.include('BitstringStatusListCredential');
    expect(list.body.credentialSubject.statusPurpose).to.equal('revocation');
    const bits = await decodeStatusList(list.body.credentialSubject.encodedList);
    expect(statusEntryValue(bits, Number(entry.statusListIndex), 1)).to.equal(1);
    const listCheck = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: list.body },
    });
    expect(failed(listCheck.body)).to.include('anchored');
    expect(listCheck.body.checks.find((c: any) => c.check === 'signature').status).to.equal('valid');

    const again = await gw.call('POST', '/credentials/status', {
      token: schoolAdmin,
      body: {
        credentialId: vc.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'active' }],
      },
    });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('STATUS_TRANSITION_FORBIDDEN');
    const history = await gw.call('GET', `/credentials/${vc.id}/status-history`);
    expect(history.body.history.map((h: any) => h.record.status)).to.deep.equal(['active', 'revoked']);
  });

  it('suspends and reinstates', async () => {
    const vc = await issue();
    const set = (status: string): Promise<{ status: number; body: any }> =>
      gw.call('POST', '/credentials/status', {
        token: schoolAdmin,
        body: { credentialId: vc.id, credentialStatus: [{ type: 'BitstringStatusListCredential', status }] },
      });
    expect((await set('suspended')).status).to.equal(200);
    const suspended = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    expect(suspended.body.checks.find((c: any) => c.check === 'status').reason).to.match(/^suspended/);
    expect((await set('active')).status).to.equal(200);
    expect(
      (await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } })).status,
    ).to.equal(200);
  });

  it('refuses a status change by another issuer with 403 and writes nothing', async () => {
    const vc = await issue();
    const height = await gw.ledger.height();
    const res = await gw.call('POST', '/credentials/status', {
      token: gw.tokens['school-admin@school-voc'],
      body: {
        credentialId: vc.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
      },
    });
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal('ISSUER_MISMATCH');
    expect(await gw.ledger.height()).to.equal(height);
  });

  describe('refusals write nothing', () => {
    async function refused(
      token: string | undefined,
      body: unknown,
      status: number,
      code: string,
    ): Promise<void> {
      const height = await gw.ledger.height();
      const res = await gw.call('POST', '/credentials/issue', { token, body });
      expect(res.status, JSON.stringify(res.body)).to.equal(status);
      expect(res.body.error.code).to.equal(code);
      expect(JSON.stringify(res.body)).not.to.match(/at .*\.ts:\d+/);
      expect(await gw.ledger.height(), 'ledger must not grow').to.equal(height);
    }

    it('an organisation not accredited for the type: 403 NOT_ACCREDITED', async () => {
      await refused(
        gw.tokens['school-admin@university'],
        achievementRequest(holder, undefined, 'university'),
        403,
        'NOT_ACCREDITED',
      );
    });

    it('a token of the wrong role: 403 FORBIDDEN_ROLE', async () => {
      await refused(gw.tokens['teacher@school-gen'], achievementRequest(holder), 403, 'FORBIDDEN_ROLE');
      await refused(gw.tokens['inspector@bureau'], achievementRequest(holder), 403, 'FORBIDDEN_ROLE');
    });

    it('no token or an unknown token: 401 UNAUTHENTICATED', async () => {
      await refused(undefined, achievementRequest(holder), 401, 'UNAUTHENTICATED');
      await refused('edu_not-a-real-token-at-all', achievementRequest(holder), 401, 'UNAUTHENTICATED');
    });

    it('another issuer named in the credential: 403 ISSUER_MISMATCH', async () => {
      const body: any = achievementRequest(holder);
      body.credential.issuer = 'did:web:edu.example.cn:orgs:school-voc';
      await refused(schoolAdmin, body, 403, 'ISSUER_MISMATCH');
    });

    it('a malformed body or bad JSON: 400 INVALID_ARGUMENT naming the field', async () => {
      const body: any = achievementRequest(holder);
      body.credential.type = ['OpenBadgeCredential'];
      await refused(schoolAdmin, body, 400, 'INVALID_ARGUMENT');
      await refused(schoolAdmin, '{"credential": ', 400, 'INVALID_ARGUMENT');
      const withProof: any = achievementRequest(holder);
      withProof.credential.proof = { type: 'DataIntegrityProof' };
      await refused(schoolAdmin, withProof, 400, 'INVALID_ARGUMENT');
    });
  });

  it('issues a vc+jwt credential when asked, verifies it bare or enveloped, and names tampering and revocation', async () => {
    const body: any = { ...achievementRequest(holder), options: { format: 'jwt' } };
    const enveloped = await issue(schoolAdmin, body);
    expect(enveloped.type).to.equal('EnvelopedVerifiableCredential');
    expect(enveloped.id).to.match(/^data:application\/vc\+jwt,[\w-]+\.[\w-]+\.[\w-]+$/);
    const jwt: string = enveloped.id.slice('data:application/vc+jwt,'.length);
    const [h, p, sig] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).to.include({ alg: 'EdDSA', typ: 'vc+jwt' });
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    expect(payload.issuer.id).to.equal('did:web:edu.example.cn:orgs:school-gen');

    for (const form of [enveloped, jwt]) {
      const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: form } });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(failed(res.body)).to.deep.equal([]);
    }

    payload.credentialSubject.creditsEarned = 9;
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
    const tampered = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: forged } });
    expect(tampered.status).to.equal(400);
    expect(failed(tampered.body)).to.include.members(['signature', 'anchored']);

    const revoke = await gw.call('POST', '/credentials/status', {
      token: schoolAdmin,
      body: {
        credentialId: payload.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
      },
    });
    expect(revoke.status).to.equal(200);
    const revoked = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: jwt } });
    expect(failed(revoked.body)).to.deep.equal(['status']);

    const notJwt = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: 'this is not a credential' },
    });
    expect(notJwt.status).to.equal(400);
    expect(notJwt.body.checks[0]).to.include({ check: 'format', status: 'invalid' });
  });

  it('keeps the anchor when a tool writes the one proof as an object instead of an array', async () => {
    const vc = await issue();
    const rewritten = { ...vc, proof: vc.proof[0] };
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: rewritten } });
    expect(failed(res.body)).to.deep.equal([]);
    expect(res.body.checks.find((c: any) => c.check === 'anchored')).to.include({ status: 'valid' });
  });

  it('keeps old credentials verifiable across a key rotation', async () => {
    const before = await issue();
    const org = await gw.services.directory.org('school-gen');
    await gw.services.keys.createKey(org);
    const after = await issue();
    expect(after.proof[0].verificationMethod).to.match(/#key-2$/);
    for (const vc of [before, after]) {
      const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } });
      expect(failed(res.body), vc.proof[0].verificationMethod).to.deep.equal([]);
    }
  });

  it('tells a genuine credential from an issuer outside the registry apart from an invalid one', async () => {
    const stranger = (await didKeyFromSeed(new Uint8Array(32).fill(9))).key;
    const { issueCredential, createDocumentLoader } = await import('@edu-ledger/credentials');
    const req: any = achievementRequest(holder);
    const selfIssued = await issueCredential({
      credential: {
        ...req.credential,
        id: 'urn:uuid:00000000-0000-4000-8000-000000000000',
        issuer: stranger.controller,
      },
      key: stranger,
      documentLoader: createDocumentLoader(),
    });
    // Genuine (well formed, signed, valid now) from an issuer outside the registry: verified, and
    // said plainly; the ledger's checks are not run for it.
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: selfIssued } });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ verified: true, outcome: 'untrusted-issuer', issuerInRegistry: false });
    expect(res.body.checks.find((c: any) => c.check === 'signature').status).to.equal('valid');
    const notChecked = res.body.checks
      .filter((c: any) => c.status === 'not-checked')
      .map((c: any) => c.check);
    expect(notChecked).to.include.members(['issuer-accredited', 'key-valid', 'anchored']);
    expect(res.body.checks.find((c: any) => c.check === 'issuer-accredited').reason).to.include('registry');
    // A caller who demands registry trust gets it refused.
    const strict = await gw.call('POST', '/credentials/verify', {
      body: { verifiableCredential: selfIssued, options: { requireTrustedIssuer: true } },
    });
    expect(strict.status).to.equal(400);
    expect(strict.body).to.include({ verified: false, outcome: 'untrusted-issuer' });
    // Altered after signing: invalid, whoever the issuer.
    const altered = { ...selfIssued, name: 'altered' };
    const bad = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: altered } });
    expect(bad.status).to.equal(400);
    expect(bad.body).to.include({ verified: false, outcome: 'invalid' });
  });

  it("refuses a registry member's credential that the ledger never anchored: a forgery", async () => {
    // Signed with school-gen's own current key, but never anchored (as a stolen key would sign).
    const { issueCredential } = await import('@edu-ledger/credentials');
    const req: any = achievementRequest(holder);
    const forged = await issueCredential({
      credential: {
        ...req.credential,
        id: 'urn:uuid:00000000-0000-4000-8000-00000000f0f0',
        validFrom: new Date().toISOString(),
      },
      key: await gw.services.keys.current('school-gen'),
      documentLoader: gw.services.documentLoader,
    });
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: forged } });
    expect(res.status).to.equal(400);
    expect(res.body).to.include({ verified: false, outcome: 'invalid', issuerInRegistry: true });
    expect(res.body.checks.find((c: any) => c.check === 'signature').status).to.equal('valid');
    expect(failed(res.body)).to.include('anchored');
  });

  it('lets inspectors check the chain, and nobody else', async () => {
    const ok = await gw.call('GET', '/ledger/verify', { token: gw.tokens['inspector@bureau'] });
    expect(ok.status).to.equal(200);
    expect(ok.body).to.include({ ok: true });
    expect(ok.body.height).to.be.greaterThan(10);
    const no = await gw.call('GET', '/ledger/verify', { token: gw.tokens['teacher@school-gen'] });
    expect(no.status).to.equal(403);
    expect(no.body.error.code).to.equal('FORBIDDEN_ROLE');
  });

  it('serves did:web documents from the ledger and an OpenAPI document listing every route', async () => {
    const did = await gw.call('GET', '/orgs/school-gen/did.json');
    expect(did.body.id).to.equal('did:web:edu.example.cn:orgs:school-gen');
    const doc = await gw.call('GET', '/openapi.json');
    expect(doc.body.openapi).to.equal('3.1.0');
    for (const path of [
      '/credentials/issue',
      '/credentials/verify',
      '/presentations/verify',
      '/credentials/status',
      '/status-lists/{id}',
      '/subjects',
      '/subjects/{id}',
      '/subjects/{id}/key',
      '/ledger/verify',
      '/health',
    ]) {
      expect(doc.body.paths, path).to.have.property(path);
    }
    expect(
      doc.body.paths['/credentials/issue'].post.requestBody.content['application/json'].schema.properties,
    ).to.have.property('credential');
  });

  it('shows inspectors every record of a school by kind, with history, paginated', async () => {
    const vc = await issue();
    await gw.call('POST', '/credentials/status', {
      token: schoolAdmin,
      body: {
        credentialId: vc.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'suspended' }],
      },
    });
    const inspector = gw.tokens['inspector@bureau'];
    const all = await gw.call('GET', '/audit/schools/school-gen', { token: inspector });
    expect(all.status, JSON.stringify(all.body)).to.equal(200);
    expect(all.body.chain.ok).to.equal(true);
    expect(all.body.organization.orgId).to.equal('school-gen');
    const kinds = new Set(all.body.records.map((r: any) => r.kind));
    expect([...kinds]).to.include.members(['organization', 'accreditation', 'key', 'credential']);
    const mine = all.body.records.find(
      (r: any) => r.kind === 'credential' && r.record.anchor.credentialId === vc.id,
    );
    expect(mine.history.map((h: any) => h.record.status)).to.deep.equal(['active', 'suspended']);

    const page1 = await gw.call('GET', '/audit/schools/school-gen?kind=credential&pageSize=2', {
      token: inspector,
    });
    expect(page1.body.records).to.have.length(2);
    expect(page1.body.bookmark).to.be.a('string').and.not.equal('');
    const page2 = await gw.call(
      'GET',
      `/audit/schools/school-gen?kind=credential&pageSize=2&bookmark=${page1.body.bookmark}`,
      {
        token: inspector,
      },
    );
    const ids = (p: any): string[] => p.body.records.map((r: any) => r.record.anchor.credentialId);
    expect(ids(page2)).to.have.length.greaterThan(0);
    expect(ids(page2)).not.to.include.members(ids(page1));

    const teacher = await gw.call('GET', '/audit/schools/school-gen', {
      token: gw.tokens['teacher@school-gen'],
    });
    expect(teacher.status).to.equal(403);
  });

  it('answers unknown routes with the JSON error envelope', async () => {
    const res = await gw.call('GET', '/nope');
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ error: { code: 'NOT_FOUND', message: '没有这个接口 / no such route' } });
  });

  it("answers the chaincode's refusals in Chinese and English", async () => {
    const res = await gw.call(
      'GET',
      '/credentials/urn:uuid:00000000-0000-4000-8000-000000000000/status-history',
    );
    expect(res.status).to.equal(404);
    // The code's Chinese summary, then the chaincode's own detail.
    expect(res.body.error).to.deep.equal({
      code: 'CREDENTIAL_NOT_FOUND',
      message: '凭证未上链 / urn:uuid:00000000-0000-4000-8000-000000000000 is not anchored',
    });
  });
});
