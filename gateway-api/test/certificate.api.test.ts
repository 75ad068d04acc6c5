import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { expect } from 'chai';
import { EdDSASigner, createJWT } from 'did-jwt';
import * as jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import {
  SCHOOL_GEN,
  achievementRequest,
  completionRequest,
  registerOnLedger,
  startGateway,
  studentWithArchive,
  type Gateway,
} from './harness.js';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
/** jsqr is CommonJS: its function is the module itself or its `default`, depending on the loader. */
const jsQRExports = jsQRModule as unknown as { default: Decode | { default: Decode } };
const jsQR: Decode =
  typeof jsQRExports.default === 'function' ? jsQRExports.default : jsQRExports.default.default;

const SCREENSHOTS = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'artifacts', 'screenshots');
const TEACHER = `subj-${'c3'.repeat(16)}`;
const TEACHER_SEED = new Uint8Array(32).fill(61);
const STUDENT_SEED = new Uint8Array(32).fill(62);
const STRANGER_SEED = new Uint8Array(32).fill(63);

interface Fetched {
  status: number;
  type: string;
  bytes: Buffer;
  json: any;
}

/** What a printed page shows: its text (pdftotext) and the QR code on page 1 (pdftoppm + jsQR). */
interface Printed {
  text: string;
  qr: string;
}

/** Renders page 1 at 80 dpi, keeps the PNG as a screenshot, and reads its text and QR code. */
function readPdf(pdf: Buffer, name: string): Printed {
  const dir = mkdtempSync(join(tmpdir(), 'edu-cert-'));
  try {
    const file = join(dir, 'c.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      file,
      join(dir, 'page'),
    ]);
    const png = readFileSync(join(dir, 'page.png'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, `certificate-${name}.png`), png);
    const image = PNG.sync.read(png);
    const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    return { text, qr: code?.data ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The credential a `#vcz=` verify link carries. */
function credentialInLink(link: string): any {
  const match = /#vcz=([A-Za-z0-9_-]+)$/.exec(link);
  expect(match, link).to.not.equal(null);
  return JSON.parse(inflateRawSync(Buffer.from(match?.[1] ?? '', 'base64url')).toString('utf8'));
}

describe('gateway: printable certificates (GET /credentials/{id}/certificate.pdf)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let pdBadge: any;
  let report: any;
  let namedBadge: any;

  const certPath = (id: string): string => `/credentials/${encodeURIComponent(id)}/certificate.pdf`;

  async function fetchCert(
    id: string,
    opts: { token?: string; proof?: string; query?: string } = {},
  ): Promise<Fetched> {
    const query = opts.query ?? (opts.proof ? `?proof=${opts.proof}` : '');
    const response = await fetch(`${gw.url}${certPath(id)}${query}`, {
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      type,
      bytes,
      json: type.includes('json') ? JSON.parse(bytes.toString('utf8')) : undefined,
    };
  }

  async function proof(seed: Uint8Array, aud: string): Promise<string> {
    const issuer = (await didKeyFromSeed(seed)).did;
    return createJWT(
      { aud, exp: Math.floor(Date.now() / 1000) + 120 },
      { issuer, signer: EdDSASigner(seed), alg: 'EdDSA' },
    );
  }

  before(async () => {
    gw = await startGateway();
    const provider = gw.tokens['provider-admin@provider'];
    const gen = gw.tokens['school-admin@school-gen'];
    // A PD completion badge, through the API: recorded, confirmed by the school, issued by the provider.
    await registerOnLedger(gw, SCHOOL_GEN, TEACHER, 'teacher');
    await gw.step(
      'POST',
      '/pd/completions',
      provider,
      completionRequest('cert-1', TEACHER, { hours: 100 }),
      201,
    );
    await gw.step('POST', `/pd/completions/${TEACHER}/cert-1/decision`, gen, { confirm: true }, 200);
    const teacherDid = (await didKeyFromSeed(TEACHER_SEED)).did;
    pdBadge = (
      await gw.step(
        'POST',
        `/pd/completions/${TEACHER}/cert-1/credential`,
        provider,
        { holderDid: teacherDid },
        201,
      )
    ).verifiableCredential;
    // A growth report for a student whose wallet DID is on record.
    const studentDid = (await didKeyFromSeed(STUDENT_SEED)).did;
    const subjectId = await studentWithArchive(
      gw,
      {
        name: '钱多多',
        idNumber: '310101200805051234',
        studentNumber: 'G310101200805051234',
        birthDate: '2008-05-05',
        did: studentDid,
      },
      [['cert-e1', 'academic']],
    );
    report = (await gw.step('POST', `/archives/${subjectId}/reports`, gen, { term: '2026-S1' }, 201))
      .verifiableCredential;
    // A badge that names its holder, as a school may choose to print it.
    const named = achievementRequest(studentDid) as { credential: { credentialSubject: any } };
    named.credential.credentialSubject.name = '钱多多';
    namedBadge = (await gw.step('POST', '/credentials/issue', gen, named, 201)).verifiableCredential;
  });
  after(() => gw.close());

  it("prints a PD completion badge for the provider's staff: provider, achievement, credits, and a QR code opening this credential", async () => {
    const cert = await fetchCert(pdBadge.id, { token: gw.tokens['provider-admin@provider'] });
    expect(cert.status, cert.bytes.toString('utf8').slice(0, 300)).to.equal(200);
    expect(cert.type).to.match(/^application\/pdf/);
    expect(cert.bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    const printed = readPdf(cert.bytes, 'pd-completion');
    expect(printed.text).to.include('示范市教师进修学校');
    expect(printed.text).to.include('Demo City Teacher Training School');
    expect(printed.text).to.include(pdBadge.credentialSubject.achievement.name.split(' / ')[0]);
    expect(printed.text).to.include(`${pdBadge.credentialSubject.creditsEarned} 学分`);
    expect(printed.text).to.include('有效 Valid');
    expect(printed.qr.startsWith(`${gw.url}/verify/#vcz=`), printed.qr.slice(0, 80)).to.equal(true);
    const linked = credentialInLink(printed.qr);
    expect(linked).to.deep.equal(pdBadge);
    // What the QR code carries verifies as the same, trusted credential.
    const verify = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: linked } });
    expect(verify.status, JSON.stringify(verify.body)).to.equal(200);
  });

  it("prints a growth report for the student holding it, with a proof of the wallet's DID (?proof=)", async () => {
    const holderProof = await proof(STUDENT_SEED, `${gw.url}${certPath(report.id)}`);
    const cert = await fetchCert(report.id, { proof: holderProof });
    expect(cert.status, JSON.stringify(cert.json)).to.equal(200);
    const printed = readPdf(cert.bytes, 'growth-report');
    expect(printed.text).to.include('示范市第一高级中学');
    expect(printed.text).to.include('Growth term report 2026-S1');
    expect(credentialInLink(printed.qr).id).to.equal(report.id);
  });

  it("prints the holder's name when the credential carries one, and marks a revoked credential 已撤销 REVOKED", async () => {
    const gen = gw.tokens['school-admin@school-gen'];
    let printed = readPdf((await fetchCert(namedBadge.id, { token: gen })).bytes, 'named-badge');
    expect(printed.text).to.include('钱多多');
    expect(printed.text).to.include('2 学分');
    expect(printed.text).to.not.include('REVOKED');
    await gw.step(
      'POST',
      '/credentials/status',
      gen,
      {
        credentialId: namedBadge.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
      },
      200,
    );
    printed = readPdf((await fetchCert(namedBadge.id, { token: gen })).bytes, 'revoked');
    expect(printed.text).to.include('已撤销 REVOKED');
    expect(credentialInLink(printed.qr).id).to.equal(namedBadge.id);
  });

  it('refuses without a token or proof (401), to other organisations, roles and holders (403), and unknown ids (404)', async () => {
    const expectRefusal = (res: Fetched, status: number, code: string): void => {
      expect(res.status, JSON.stringify(res.json)).to.equal(status);
      expect(res.json.error.code).to.equal(code);
      expect(res.json.error.message).to.match(/[\u4e00-\u9fff]/);
    };
    expectRefusal(await fetchCert(pdBadge.id), 401, 'UNAUTHENTICATED');
    const aud = `${gw.url}${certPath(report.id)}`;
    expectRefusal(
      await fetchCert(report.id, { proof: await proof(STRANGER_SEED, aud) }),
      403,
      'FORBIDDEN_ROLE',
    );
    const elsewhere = await proof(STUDENT_SEED, `${gw.url}/holder/archive`);
    expectRefusal(await fetchCert(report.id, { proof: elsewhere }), 401, 'UNAUTHENTICATED');
    expectRefusal(await fetchCert(report.id, { query: '?proof=not-a-jws' }), 400, 'INVALID_ARGUMENT');
    expectRefusal(
      await fetchCert(pdBadge.id, { token: gw.tokens['school-admin@school-voc'] }),
      403,
      'FORBIDDEN_ORG',
    );
    expectRefusal(
      await fetchCert(pdBadge.id, { token: gw.tokens['verifier@university'] }),
      403,
      'FORBIDDEN_ROLE',
    );
    expectRefusal(
      await fetchCert('urn:uuid:00000000-0000-4000-8000-000000000000', {
        token: gw.tokens['provider-admin@provider'],
      }),
      404,
      'CREDENTIAL_NOT_FOUND',
    );
  });
});

describe('gateway: certificates without the CJK font', function () {
  this.timeout(60_000);
  let gw: Gateway;

  before(async () => {
    // Read when the routes are built, as main() builds them from the environment.
    process.env['CERTIFICATE_FONT'] = '/nonexistent/wqy-zenhei.ttc';
    try {
      gw = await startGateway();
    } finally {
      delete process.env['CERTIFICATE_FONT'];
    }
  });
  after(() => gw.close());

  it('answers 503 CERTIFICATE_UNAVAILABLE in both languages instead of a PDF without Chinese', async () => {
    const gen = gw.tokens['school-admin@school-gen'];
    const holder = (await didKeyFromSeed(STUDENT_SEED)).did;
    const vc = (await gw.step('POST', '/credentials/issue', gen, achievementRequest(holder), 201))
      .verifiableCredential;
    const res = await gw.call('GET', `/credentials/${encodeURIComponent(vc.id)}/certificate.pdf`, {
      token: gen,
    });
    expect(res.status).to.equal(503);
    expect(res.body.error.code).to.equal('CERTIFICATE_UNAVAILABLE');
    expect(res.body.error.message).to.match(/^证书暂不能生成.* \/ certificate unavailable/);
  });
});
