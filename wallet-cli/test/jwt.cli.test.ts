import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { verifyCredential, verifyPresentation } from 'did-jwt-vc';
import { importJWK, jwtVerify } from 'jose';
import { createDocumentLoader, verifyPresentationJwt } from '@edu-ledger/credentials';
import { didResolver, ed25519Jwk, jwtParts } from '../../lib/credentials/test/support/interop.js';
import { achievementRequest, startGateway, type Gateway } from '../../gateway-api/test/harness.js';
import { cli, json, makeOffer, newHome, type CliOptions, type CliResult } from './helpers.js';

const ENVELOPE = 'data:application/vc+jwt,';
const ISSUER = 'did:web:edu.example.cn:orgs:school-gen';

/** Issue 13: the wallet keeps, shows, verifies and presents the gateway's vc+jwt credentials. */
describe('edu-wallet with vc+jwt credentials (real binary, real gateway)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let home: string;
  let did: string;
  /** The issue answer `{ verifiableCredential: EnvelopedVerifiableCredential }` saved as JSON. */
  let envelopedFile: string;
  /** A compact vc+jwt saved as text. */
  let compactFile: string;
  let envelopedJwt: string;
  let compactJwt: string;
  let ldpId: string;
  /** What `add-credential --json` answered for the two files. */
  let added: { enveloped: CliResult; compact: CliResult };
  const as = (extra: Partial<CliOptions> = {}): CliOptions => ({ home, gateway: gw.url, ...extra });
  const school = () => gw.tokens['school-admin@school-gen'] ?? '';

  async function issueJwt(holder: string, name: string): Promise<string> {
    const body = await gw.step(
      'POST',
      '/credentials/issue',
      school(),
      { ...achievementRequest(holder, name), options: { format: 'jwt' } },
      201,
    );
    return (body.verifiableCredential.id as string).slice(ENVELOPE.length);
  }

  before(async () => {
    gw = await startGateway();
    home = newHome();
    const [created, offerUrl] = await Promise.all([cli(['init', '--json'], as()).then(json), makeOffer(gw)]);
    did = created.did;
    envelopedJwt = await issueJwt(did, '三好学生 Merit Student');
    compactJwt = await issueJwt(did, '数学竞赛一等奖 Mathematics Olympiad, first prize');
    envelopedFile = join(home, '..', 'merit.json');
    writeFileSync(envelopedFile, JSON.stringify({ verifiableCredential: { ...jwtEnvelope(envelopedJwt) } }));
    compactFile = join(home, '..', 'olympiad.jwt');
    writeFileSync(compactFile, `${compactJwt}\n`);
    ldpId = json(await cli(['receive', offerUrl, '--json'], as())).id;
    // One after the other: each holds the wallet's lock while it checks and saves.
    added = {
      enveloped: await cli(['add-credential', envelopedFile, '--json'], as()),
      compact: await cli(['add-credential', compactFile, '--json'], as()),
    };
  });
  after(() => gw.close());

  function jwtEnvelope(jwt: string): Record<string, unknown> {
    return {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: `${ENVELOPE}${jwt}`,
      type: 'EnvelopedVerifiableCredential',
    };
  }

  it('add-credential takes the gateway vc+jwt, enveloped JSON or a compact JWT file, and refuses one not ours or tampered', async () => {
    const stranger = await issueJwt('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', '别人的奖状');
    const strangerFile = join(home, '..', 'stranger.jwt');
    writeFileSync(strangerFile, stranger);
    const [h, p, s] = compactJwt.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.credentialSubject.creditsEarned = 20;
    const tamperedFile = join(home, '..', 'tampered.jwt');
    writeFileSync(tamperedFile, `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`);
    const garbageFile = join(home, '..', 'garbage.txt');
    writeFileSync(garbageFile, 'neither JSON nor a JWT');

    const results: CliResult[] = [];
    for (const file of [strangerFile, tamperedFile, garbageFile]) {
      results.push(await cli(['add-credential', file, '--json'], as()));
    }
    const [notOurs, tampered, garbage] = results as [CliResult, CliResult, CliResult];
    const enveloped = json(added.enveloped);
    expect(enveloped).to.include({ id: jwtParts(envelopedJwt).payload.id, format: 'vc+jwt' });
    expect(enveloped.name).to.equal('三好学生 Merit Student');
    expect(json(added.compact)).to.include({ id: jwtParts(compactJwt).payload.id, format: 'vc+jwt' });
    expect(notOurs.code, notOurs.stderr).to.equal(4);
    expect(JSON.parse(notOurs.stderr).error.message).to.contain('not for this wallet');
    expect(tampered.code, tampered.stderr).to.equal(4);
    expect(JSON.parse(tampered.stderr).error.message).to.contain('SIGNATURE_INVALID');
    expect(garbage.code).to.equal(1);
    expect(JSON.parse(garbage.stderr).error.message).to.contain('neither JSON nor a vc+jwt');
  });

  it('list and show display a vc+jwt like the others, by its decoded payload; verify checks it online and offline', async () => {
    const meritId: string = jwtParts(envelopedJwt).payload.id;
    const [listed, shown, shownZh, online, offline] = await Promise.all([
      cli(['list', '--json'], as()),
      cli(['show', meritId, '--json'], as()),
      cli(['show', meritId.slice(9, 17), '--lang', 'zh'], as()),
      cli(['verify', meritId, '--json'], as()),
      cli(['verify', meritId, '--offline', '--json'], as({ gateway: 'http://127.0.0.1:9' })),
    ]);
    const list = json(listed).credentials as any[];
    expect(list.map((c) => [c.name, c.format])).to.include.deep.members([
      ['三好学生 Merit Student', 'vc+jwt'],
      ['数学竞赛一等奖 Mathematics Olympiad, first prize', 'vc+jwt'],
      ['优秀学生干部 Outstanding Student Leader', 'data-integrity'],
    ]);

    const detail = json(shown);
    expect(detail).to.include({ id: meritId, format: 'vc+jwt', status: 'active', jwt: envelopedJwt });
    expect(detail.issuer.did).to.equal(ISSUER);
    expect(detail.credits).to.deep.equal({ earned: 2, unit: '学分' });
    expect(detail.credential.credentialSubject.id).to.equal(did);
    expect(detail.credential).not.to.have.any.keys('iss', 'sub', 'jti', 'iat');
    expect(shownZh.code, shownZh.stderr).to.equal(0);
    expect(shownZh.stdout)
      .to.contain('三好学生 Merit Student')
      .and.contain('示范市第一高级中学')
      .and.contain('签名格式')
      .and.contain('vc+jwt')
      .and.contain('有效');

    const result = json(online);
    expect(result.verified).to.equal(true);
    expect(result.checks.map((c: any) => c.status)).to.satisfy((s: string[]) =>
      s.every((v) => v === 'valid'),
    );
    expect(json(offline)).to.include({ verified: true, offline: true });
  });

  it('present --format jwt puts vc+jwt and Data Integrity credentials in one vp+jwt that did-jwt-vc, jose and verifyPresentationJwt accept', async () => {
    const meritId: string = jwtParts(envelopedJwt).payload.id;
    const olympiadId: string = jwtParts(compactJwt).payload.id;
    const [presented, asLdp] = await Promise.all([
      cli(
        [
          'present',
          ...[meritId, olympiadId, ldpId],
          ...['--format', 'jwt', '--challenge', 'jwt-challenge-2026', '--domain', 'hr.example', '--json'],
        ],
        as(),
      ),
      cli(['present', meritId, '--challenge', 'ldp-challenge-2026', '--domain', 'hr.example'], as()),
    ]);
    const vp: string = json(presented).verifiablePresentation;
    const { header, payload } = jwtParts(vp);
    expect(header).to.include({ alg: 'EdDSA', typ: 'vp+jwt' });
    expect(payload).to.include({ iss: did, holder: did, nonce: 'jwt-challenge-2026', aud: 'hr.example' });
    expect(payload.verifiableCredential.map((c: any) => c.type)).to.deep.equal([
      'EnvelopedVerifiableCredential',
      'EnvelopedVerifiableCredential',
      ['VerifiableCredential', 'OpenBadgeCredential'],
    ]);
    // The exact JWS the ledger anchored travels in the presentation.
    expect(payload.verifiableCredential[0].id).to.equal(`${ENVELOPE}${envelopedJwt}`);
    expect(payload.verifiableCredential[1].id).to.equal(`${ENVELOPE}${compactJwt}`);

    const resolver = didResolver(gw.url);
    const verified = await verifyPresentation(vp, resolver, {
      challenge: 'jwt-challenge-2026',
      domain: 'hr.example',
      proofPurpose: 'authentication',
      // did-jwt-vc's format policy is the VC 1.1 data model (the 2018 context).
      policies: { format: false },
    });
    expect(verified.issuer).to.equal(did);
    for (const inner of [envelopedJwt, compactJwt]) {
      const credential = await verifyCredential(inner, resolver, { policies: { format: false } });
      expect(credential.issuer).to.equal(ISSUER);
    }

    const { payload: checked } = await jwtVerify(
      vp,
      await importJWK(ed25519Jwk(did.slice('did:key:'.length)), 'EdDSA'),
      { typ: 'vp+jwt', issuer: did, audience: 'hr.example', algorithms: ['EdDSA'] },
    );
    expect(checked.nonce).to.equal('jwt-challenge-2026');

    const documentLoader = createDocumentLoader({
      resolveDid: async (id) => {
        const res = await gw.call('GET', `/orgs/${id.split(':').at(-1)}/did.json`);
        return res.status === 200 ? res.body : null;
      },
    });
    const ours = await verifyPresentationJwt({
      presentation: vp,
      challenge: 'jwt-challenge-2026',
      domain: 'hr.example',
      documentLoader,
    });
    expect(ours.verified, JSON.stringify(ours.error)).to.equal(true);
    expect(ours.holderBound).to.equal(true);
    expect(ours.credentials).to.have.length(3);

    // A Data Integrity presentation cannot carry a vc+jwt: the wallet says to use --format jwt.
    expect(asLdp.code).to.equal(1);
    expect(asLdp.stderr).to.contain('--format jwt');
  });

  it('receives a vc+jwt offer and keeps it as the enveloped JWT', async () => {
    const request = achievementRequest('did:key:placeholder', '志愿服务之星 Volunteer Star') as {
      credential: Record<string, any>;
    };
    const { id: _id, ...subject } = request.credential.credentialSubject;
    const created = await gw.call('POST', '/credential-offers', {
      token: school(),
      body: { credential: { ...request.credential, credentialSubject: subject }, options: { format: 'jwt' } },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const received = json(
      await cli(['receive', `${gw.url}/credential-offers/${created.body.offerId}`, '--json'], as()),
    );
    expect(received).to.include({ name: '志愿服务之星 Volunteer Star', format: 'vc+jwt' });
    const shown = json(await cli(['show', received.id, '--json'], as()));
    expect(jwtParts(shown.jwt).payload).to.include({ iss: ISSUER, sub: did, jti: received.id });
    expect(shown.credential.credentialSubject.id).to.equal(did);
  });
});
