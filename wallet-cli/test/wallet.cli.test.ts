import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { startGateway, type Gateway } from '../../gateway-api/test/harness.js';
import { BIN, cli, json, makeOffer, newHome, type CliOptions } from './helpers.js';

/*
 * Every CLI call is a real process start (about a second), so calls that do not depend on each
 * other run in parallel waves to keep the whole file well under a minute.
 */
describe('edu-wallet (the real binary against a real gateway)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  /** One wallet with one received credential, shared by the tests that do not change it. */
  let alice: { home: string; did: string; mnemonic: string; credentialId: string; offerUrl: string };
  const as = (home: string, extra: Partial<CliOptions> = {}): CliOptions => ({
    home,
    gateway: gw.url,
    ...extra,
  });
  /** A new wallet folder holding a copy of alice's wallet file (same passphrase, same DID). */
  const copyOfAlice = (): string => {
    const home = newHome();
    mkdirSync(home, { recursive: true });
    copyFileSync(join(alice.home, 'wallet.json'), join(home, 'wallet.json'));
    return home;
  };

  before(async () => {
    gw = await startGateway();
    const home = newHome();
    const [created, offerUrl] = await Promise.all([
      cli(['init', '--json'], as(home)).then(json),
      makeOffer(gw),
    ]);
    expect(created.did).to.match(/^did:key:z6Mk/);
    expect(created.mnemonic.split(' ')).to.have.length(12);
    const received = json(await cli(['receive', offerUrl, '--json'], as(home)));
    alice = { home, ...created, credentialId: received.id, offerUrl };
  });
  after(() => gw.close());

  it('init -> receive -> list -> show -> verify -> present: the gateway accepts, a replay elsewhere is refused', async () => {
    const out = join(alice.home, '..', 'vp.json');
    const [listed, shown, shownZh, verified, offline, presented, school] = await Promise.all([
      cli(['list', '--json'], as(alice.home)),
      cli(['show', alice.credentialId.slice(9, 17), '--json'], as(alice.home)),
      cli(['show', alice.credentialId, '--lang', 'zh'], as(alice.home)),
      cli(['verify', alice.credentialId], as(alice.home)),
      cli(
        ['verify', alice.credentialId, '--offline', '--json'],
        as(alice.home, { gateway: 'http://127.0.0.1:9' }),
      ),
      cli(
        [
          'present',
          alice.credentialId,
          '--challenge',
          'challenge-one-2026',
          '--domain',
          'hr.example',
          '--out',
          out,
        ],
        as(alice.home),
      ),
      gw.call('GET', '/organizations/school-gen'),
    ]);
    const list = json(listed);
    expect(list.did).to.equal(alice.did);
    expect(list.credentials).to.have.length(1);
    expect(list.credentials[0]).to.include({
      id: alice.credentialId,
      name: '优秀学生干部 Outstanding Student Leader',
    });

    const detail = json(shown);
    const org = school.body.organization;
    expect(detail.issuer).to.deep.equal({ did: org.did, name: org.name.en });
    expect(detail.status).to.equal('active');
    expect(detail.credits).to.deep.equal({ earned: 2, unit: '学分' });
    expect(detail.credential.credentialSubject.id).to.equal(alice.did);
    expect(shownZh.code, shownZh.stderr).to.equal(0);
    expect(shownZh.stdout)
      .to.contain('颁发机构')
      .and.contain(org.name.zh)
      .and.contain('2 学分')
      .and.contain('有效');

    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.contain('✔');
    expect(json(offline).verified).to.equal(true);

    expect(presented.code, presented.stderr).to.equal(0);
    const vp = JSON.parse(readFileSync(out, 'utf8'));
    expect(vp.holder).to.equal(alice.did);
    const [accepted, replayed] = await Promise.all(
      ['challenge-one-2026', 'another-challenge-99'].map((challenge) =>
        gw.call('POST', '/presentations/verify', {
          body: { verifiablePresentation: vp, options: { challenge, domain: 'hr.example' } },
        }),
      ),
    );
    expect(accepted!.status, JSON.stringify(accepted!.body)).to.equal(200);
    expect(accepted!.body.verified).to.equal(true);
    expect(replayed!.status).to.equal(400);
    expect(replayed!.body.verified).to.equal(false);
    expect(replayed!.body.checks.find((c: any) => c.check === 'challenge').status).to.equal('invalid');
  });

  it('presents as a VP-JWT and as a QR code, and sends to a verifier', async () => {
    const received: { url?: string; body: any }[] = [];
    const verifier: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url, body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"verified":true}');
      });
    });
    await new Promise<void>((resolve) => verifier.listen(0, '127.0.0.1', resolve));
    try {
      const port = (verifier.address() as AddressInfo).port;
      const png = join(alice.home, '..', 'vp.png');
      const [asJson, sent, tooBig] = await Promise.all([
        cli(
          [
            'present',
            ...[alice.credentialId, '--domain', 'verifier.example', '--format', 'jwt'],
            ...['--challenge', 'jwt-challenge-1', '--json'],
          ],
          as(alice.home),
        ),
        // Data Integrity (about 2.1 kB for one credential) fits in a QR code; a longer VP-JWT does not.
        cli(
          [
            'present',
            ...[alice.credentialId, '--domain', 'verifier.example', '--challenge', 'qr-challenge-1'],
            ...['--to', `http://127.0.0.1:${port}/verification-requests/req-1`, '--qr-png', png],
          ],
          as(alice.home),
        ),
        cli(
          [
            'present',
            alice.credentialId,
            // A VP-JWT of one credential is at the limit (about 2.9 kB); a verifier URL as domain is past it.
            '--domain',
            'https://admissions.university.example.cn/verification-requests/2026-autumn',
            '--challenge',
            'abcdefgh',
            '--format',
            'jwt',
            '--qr',
          ],
          as(alice.home),
        ),
      ]);
      const jwt: string = json(asJson).verifiablePresentation;
      const [header, payload] = jwt
        .split('.')
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
      // VC-JOSE-COSE vp+jwt: the presentation is the payload, with nonce = challenge and aud = domain.
      expect(header).to.include({ alg: 'EdDSA', typ: 'vp+jwt' });
      expect(payload).to.include({
        iss: alice.did,
        holder: alice.did,
        nonce: 'jwt-challenge-1',
        aud: 'verifier.example',
      });
      expect(payload).not.to.have.property('vp');
      expect(payload.verifiableCredential[0].id).to.equal(alice.credentialId);

      expect(sent.code, sent.stderr).to.equal(0);
      expect(readFileSync(png).subarray(1, 4).toString()).to.equal('PNG');
      expect(received).to.have.length(1);
      expect(received[0]!.url).to.equal('/verification-requests/req-1/response');
      expect(received[0]!.body.verifiablePresentation.proof.challenge).to.equal('qr-challenge-1');

      expect(tooBig.code).to.equal(1);
      expect(tooBig.stderr).to.contain('does not fit in a QR code');
    } finally {
      await new Promise<void>((resolve) => verifier.close(() => resolve()));
    }
  });

  it("answers a verifier's verification request on the gateway (POST …/response)", async () => {
    const verifierToken = gw.tokens['verifier@university'];
    const created = await gw.call('POST', '/verification-requests', {
      token: verifierToken,
      body: { types: ['OpenBadgeCredential'] },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const request = created.body;
    const args = [alice.credentialId, '--domain', request.domain];
    // A presentation for another challenge is refused (exit 4) and leaves the request open.
    const replay = await cli(
      [
        'present',
        ...args,
        '--challenge',
        'not-the-challenge',
        '--to',
        `${gw.url}/verification-requests/${request.id}`,
      ],
      as(alice.home),
    );
    expect(replay.code, replay.stderr).to.equal(4);
    expect(replay.stdout).to.contain('did not accept');
    const answered = await cli(
      ['present', ...args, '--challenge', request.challenge, '--to', request.responseUrl, '--json'],
      as(alice.home),
    );
    expect(json(answered).sent).to.deep.include({ url: request.responseUrl, status: 200 });
    const view = await gw.call('GET', `/verification-requests/${request.id}`, { token: verifierToken });
    expect(view.status).to.equal(200);
    expect(JSON.stringify(view.body)).to.contain(alice.credentialId);
  });

  it('refuses a second claim of the same offer, with its own exit code and the wallet unchanged', async () => {
    const file = join(alice.home, 'wallet.json');
    const before = readFileSync(file);
    const again = await cli(['receive', alice.offerUrl], as(alice.home));
    expect(again.code, again.stderr).to.equal(7);
    expect(again.stderr).to.contain('already been claimed');
    const zh = await cli(
      ['receive', alice.offerUrl, '--json'],
      as(alice.home, { env: { LANG: 'zh_CN.UTF-8' } }),
    );
    expect(zh.code).to.equal(7);
    const error = JSON.parse(zh.stderr).error;
    expect(error).to.include({ code: 'OFFER_UNAVAILABLE', exitCode: 7 });
    expect(error.message).to.contain('已被领取');
    expect(readFileSync(file).equals(before)).to.equal(true);
  });

  it('restores the same DID from the recovery words into an empty folder only', async () => {
    const [upper, fromEnv, bad] = await Promise.all([
      cli(['restore', '--mnemonic', `  ${alice.mnemonic.toUpperCase()} `, '--json'], as(newHome())),
      cli(['restore', '--json'], as(newHome(), { env: { EDU_WALLET_MNEMONIC: alice.mnemonic } })),
      cli(['restore', '--mnemonic', 'abandon abandon abandon'], as(newHome())),
    ]);
    expect(json(upper).did).to.equal(alice.did);
    expect(json(fromEnv).did).to.equal(alice.did);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('Invalid recovery words');
    const again = await cli(['restore', '--mnemonic', alice.mnemonic], as(alice.home));
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('not empty');
  });

  it('exports an encrypted backup and imports it into a fresh folder with the credentials', async () => {
    const backup = join(alice.home, '..', 'backup.edu-wallet');
    const home = newHome();
    const stranger = newHome();
    const [exported] = await Promise.all([
      cli(['export', '--out', backup, '--json'], as(alice.home)),
      cli(['init', '--json'], as(stranger)).then(json),
    ]);
    json(exported);
    const raw = readFileSync(backup, 'utf8');
    expect(JSON.parse(raw).format).to.equal('edu-wallet-backup');
    expect(raw).not.to.contain(alice.did);

    const [overwrite, wrong, mixed] = await Promise.all([
      cli(['export', '--out', backup], as(alice.home)),
      cli(
        ['import', backup],
        as(home, { env: { EDU_WALLET_BACKUP_PASSPHRASE: 'not the backup passphrase' } }),
      ),
      cli(['import', backup], as(stranger)),
    ]);
    expect(overwrite.code, 'no silent overwrite').to.equal(1);
    expect(wrong.code).to.equal(2);
    expect(existsSync(join(home, 'wallet.json'))).to.equal(false);
    expect(mixed.code).to.equal(1);
    expect(mixed.stderr).to.contain('never mixed');

    expect(json(await cli(['import', backup, '--json'], as(home)))).to.deep.equal({
      did: alice.did,
      imported: 1,
      credentials: 1,
    });
    const [listed, offline, twice] = await Promise.all([
      cli(['list', '--json'], as(home)),
      // The issuer's DID document came along, so offline verification works without the gateway.
      cli(['verify', alice.credentialId, '--offline', '--json'], as(home, { gateway: 'http://127.0.0.1:9' })),
      cli(['import', backup, '--json'], as(home)),
    ]);
    expect(json(listed).credentials.map((c: any) => c.id)).to.deep.equal([alice.credentialId]);
    expect(json(offline).verified).to.equal(true);
    // twice ran alongside the others: it either merged nothing or found the wallet busy.
    if (twice.code === 0) expect(json(twice).imported).to.equal(0);
    else expect(twice.code).to.equal(8);
  });

  it('refuses a wrong passphrase with exit 2 and leaves the wallet file byte-identical', async () => {
    const file = join(alice.home, 'wallet.json');
    const before = readFileSync(file);
    const offerUrl = await makeOffer(gw);
    const attempts = [['list'], ['receive', offerUrl], ['export', '--out', join(alice.home, '..', 'x')]];
    const results = await Promise.all(
      attempts.map((args) => cli(args, as(alice.home, { passphrase: 'not the passphrase' }))),
    );
    results.forEach((res, i) => {
      expect(res.code, `${attempts[i]![0]}: ${res.stderr}`).to.equal(2);
      expect(res.stderr).to.contain('Wrong passphrase');
    });
    expect(readFileSync(file).equals(before)).to.equal(true);
    expect(readdirSync(alice.home)).to.deep.equal(['wallet.json']);
    // The offer was not used up by the refused attempt.
    expect((await gw.call('GET', new URL(offerUrl).pathname)).body.status).to.equal('open');
  });

  it('reports a corrupted wallet file clearly (exit 6) and never overwrites it', async () => {
    const flippedHome = copyOfAlice();
    const flippedFile = join(flippedHome, 'wallet.json');
    const sealed = JSON.parse(readFileSync(flippedFile, 'utf8'));
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[5] = (bytes[5] ?? 0) ^ 0xff;
    writeFileSync(flippedFile, JSON.stringify({ ...sealed, ciphertext: bytes.toString('base64') }));
    const truncatedHome = copyOfAlice();
    const truncatedFile = join(truncatedHome, 'wallet.json');
    writeFileSync(truncatedFile, '{"format": "edu-wallet", "vers');

    const [flipped, truncated, reinit] = await Promise.all([
      cli(['list'], as(flippedHome)),
      cli(['list', '--json'], as(truncatedHome, { env: { LANG: 'zh_CN.UTF-8' } })),
      cli(['init'], as(truncatedHome)),
    ]);
    expect(flipped.code).to.equal(6);
    expect(flipped.stderr).to.contain('damaged');
    expect(truncated.code).to.equal(6);
    expect(JSON.parse(truncated.stderr).error).to.include({ code: 'CORRUPTED', exitCode: 6 });
    expect(JSON.parse(truncated.stderr).error.message).to.contain('已损坏');
    expect(reinit.code).to.equal(1);
    expect(readFileSync(truncatedFile, 'utf8')).to.equal('{"format": "edu-wallet", "vers');
  });

  it('names unknown credentials, missing wallets, unreachable gateways and bad usage by exit code', async () => {
    const [unknown, none, down, usage] = await Promise.all([
      cli(['show', 'ffffffff'], as(alice.home)),
      cli(['list'], as(newHome())),
      cli(['verify', alice.credentialId], as(alice.home, { gateway: 'http://127.0.0.1:9' })),
      cli(['present', alice.credentialId], as(alice.home)),
    ]);
    expect(unknown.code).to.equal(3);
    expect(unknown.stderr).to.contain('No credential "ffffffff"');
    expect(none.code).to.equal(3);
    expect(none.stderr).to.contain('edu-wallet init');
    expect(down.code).to.equal(5);
    expect(down.stderr).to.contain('Cannot reach');
    expect(usage.code).to.equal(1);
    expect(usage.stderr).to.contain('--challenge');
  });

  it('runs from any working folder and takes over a lock left by a dead process', async () => {
    const home = copyOfAlice();
    writeFileSync(join(home, 'wallet.lock'), '2147483646');
    const [help, received] = await Promise.all([
      cli(['--help', '--lang', 'zh'], as(alice.home, { cwd: '/' })),
      makeOffer(gw, '三好学生 Merit Student').then((url) =>
        cli(['receive', url, '--json'], as(home, { cwd: '/' })),
      ),
    ]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('退出码');
    expect(BIN).to.match(/edu-wallet\.js$/);
    expect(json(received).name).to.equal('三好学生 Merit Student');
    expect(readdirSync(home)).to.deep.equal(['wallet.json']);
  });
});
