import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { EdDSASigner, createJWT } from 'did-jwt';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { cli, json, newHome, type CliOptions } from '../../wallet-cli/test/helpers.js';
import { startGatewayProcess, type Run } from './gateway-process.js';

/** What `npm start` listens on and what edu-wallet talks to when told nothing else. */
const DEFAULT_PORT = 8080;

/** Whether nothing listens on 127.0.0.1:`port`. */
async function isFree(port: number): Promise<boolean> {
  return new Promise((settle) => {
    const probe = createServer();
    probe.once('error', () => settle(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => settle(true)));
  });
}

/** POSTs JSON to the gateway on 127.0.0.1:`port` with the Host header a client chose. */
async function postWithHost(
  port: number,
  host: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  const data = JSON.stringify(body);
  return new Promise((settle, fail) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => settle({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', fail);
    req.end(data);
  });
}

/**
 * A new user's journey: `npm start` (PUBLIC_URL defaults to http://localhost:8080) and edu-wallet
 * on its defaults (http://127.0.0.1:8080). The wallet signs its proof for the URL it talks to; the
 * gateway must take that as naming itself, and still refuse a proof meant for any other server.
 */
describe('journey: consent from a wallet on default settings', function () {
  this.timeout(180_000);
  let dataDir: string;
  let gateway: Run | undefined;
  let tokens: Record<string, string>;
  let home: string;
  let subjectId: string;
  const base = `http://127.0.0.1:${DEFAULT_PORT}`;
  // No --gateway and no EDU_GATEWAY_URL: the wallet's own default.
  const asUser = (): CliOptions => ({ home, env: { EDU_GATEWAY_URL: undefined } });

  async function call(method: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  before(async function () {
    expect(await isFree(DEFAULT_PORT), `this journey needs port ${DEFAULT_PORT} free, as a new user has it`)
      .to.be.true;
    dataDir = mkdtempSync(join(tmpdir(), 'edu-journey-consent-'));
    gateway = await startGatewayProcess(dataDir, DEFAULT_PORT);
    expect(gateway.code, gateway.output()).to.equal(undefined);
    tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8'));

    home = newHome();
    const { did } = json(await cli(['init', '--json'], asUser()));
    const registrar = tokens['school-admin@school-gen'];
    const student = {
      name: '周岚',
      idNumber: '310101200807071234',
      studentNumber: 'G310101200807071234',
      birthDate: '2008-07-07',
      did,
    };
    const created = await call('POST', '/subjects', registrar, student);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    subjectId = created.body.subjectId;
    const archive = { subjectId, dimensionSetId: 'five-dimensions-a' };
    expect((await call('POST', '/archives', registrar, archive)).status).to.equal(201);
    const entry = { entryId: 'j-1', term: '2026-S1', dimensionId: 'academic', content: { text: '学业记录' } };
    expect(
      (await call('POST', `/archives/${subjectId}/entries`, tokens['teacher@school-gen'], entry)).status,
    ).to.equal(201);
  });

  after(async () => {
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('grants and revokes a consent with edu-wallet left on its default gateway URL', async () => {
    const university = tokens['verifier@university'];
    expect((await call('GET', `/archives/${subjectId}`, university)).status).to.equal(403);

    const granted = await cli(
      ['grant', '--to', 'university', '--dimensions', 'academic', '--days', '30', '--id', 'adm-j1', '--json'],
      asUser(),
    );
    expect(granted.code, granted.stderr).to.equal(0);
    expect(JSON.parse(granted.stdout)).to.include({ consentId: 'adm-j1', granteeOrgId: 'university' });
    expect((await call('GET', `/archives/${subjectId}`, university)).status).to.equal(200);

    const revoked = await cli(['revoke-grant', 'adm-j1'], asUser());
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect((await call('GET', `/archives/${subjectId}`, university)).status).to.equal(403);
  });

  describe('and nothing but this gateway is an accepted audience', () => {
    const seed = new Uint8Array(32).fill(77);

    /** A proof of an unregistered DID: a good audience gets 404 (no such student), a bad one 401. */
    async function proofFor(aud: string): Promise<string> {
      const issuer = (await didKeyFromSeed(seed)).did;
      const exp = Math.floor(Date.now() / 1000) + 120;
      return createJWT({ aud, exp }, { issuer, signer: EdDSASigner(seed), alg: 'EdDSA' });
    }

    it('takes the route on PUBLIC_URL and on the loopback origin the request came in on', async () => {
      for (const origin of [`http://localhost:${DEFAULT_PORT}`, base]) {
        const answer = await call('POST', '/holder/archive', undefined, {
          proof: await proofFor(`${origin}/holder/archive`),
        });
        expect(answer.status, `${origin}: ${JSON.stringify(answer.body)}`).to.equal(404);
      }
    });

    it('refuses another route, another port, or a Host header naming another server', async () => {
      const refused = [
        [`${base}/holder/consents`, `127.0.0.1:${DEFAULT_PORT}`],
        [`http://127.0.0.1:${DEFAULT_PORT + 1}/holder/archive`, `127.0.0.1:${DEFAULT_PORT}`],
        [`https://127.0.0.1:${DEFAULT_PORT}/holder/archive`, `127.0.0.1:${DEFAULT_PORT}`],
        // A proof some other gateway asked for, replayed here with that gateway's name as Host.
        ['http://other-region.example/holder/archive', 'other-region.example'],
        [`http://10.9.8.7:${DEFAULT_PORT}/holder/archive`, `10.9.8.7:${DEFAULT_PORT}`],
      ] as const;
      for (const [aud, host] of refused) {
        const answer = await postWithHost(DEFAULT_PORT, host, '/holder/archive', {
          proof: await proofFor(aud),
        });
        expect(answer.status, `${aud} via Host ${host}`).to.equal(401);
        expect(answer.body.error.code).to.equal('UNAUTHENTICATED');
        expect(answer.body.error.message).to.contain(`http://localhost:${DEFAULT_PORT}/holder/archive`);
      }
    });
  });
});
