import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { expect } from 'chai';
import QRCode from 'qrcode';
import { startGateway, studentWithArchive, type Gateway } from '../../gateway-api/test/harness.js';
import { cli, json, makeOffer, newHome, type CliOptions } from './helpers.js';

const DIMENSIONS = ['moral', 'academic', 'health', 'arts', 'social-practice'] as const;
/** Colour codes of the terminal QR (ESC [ … m), which take no columns. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The widest line of terminal output, in columns (the QR's half blocks take one each). */
function columns(text: string): number {
  return Math.max(
    ...text
      .replace(ANSI, '')
      .split('\n')
      .map((line) => [...line].length),
  );
}

describe('edu-wallet: requests by link or QR picture, share links, status and every credential kind', function () {
  this.timeout(120_000);
  let gw: Gateway;
  let home: string;
  let did: string;
  let mnemonic: string;
  let badgeId: string;
  let reportId: string;
  let clrId: string;
  const as = (extra: Partial<CliOptions> = {}): CliOptions => ({ home, gateway: gw.url, ...extra });
  const school = (): string => gw.tokens['school-admin@school-gen'] ?? '';

  /**
   * A verification request at the gateway, and its links: `link` as the verifier page shows it and
   * puts in its QR (the request's URL, fetched without a token), `legacyLink` the older form that
   * carries the request itself.
   */
  async function verificationRequest(
    types: string[],
  ): Promise<{ id: string; link: string; legacyLink: string }> {
    const created = await gw.step(
      'POST',
      '/verification-requests',
      gw.tokens['verifier@university'],
      { types },
      201,
    );
    const encoded = Buffer.from(JSON.stringify(created)).toString('base64url');
    return {
      id: created.id,
      link: `${gw.url}/verify/#request=${gw.url}/verification-requests/${created.id}`,
      legacyLink: `${gw.url}/verify/#request=${encoded}`,
    };
  }

  async function requestState(id: string): Promise<any> {
    return gw.step('GET', `/verification-requests/${id}`, gw.tokens['verifier@university'], undefined, 200);
  }

  /** Issues a report of the student's archive to the wallet's DID and adds it: `report` or `clr`. */
  async function addReport(subjectId: string, format: 'report' | 'clr'): Promise<string> {
    const issued = await gw.step(
      'POST',
      `/archives/${subjectId}/reports`,
      school(),
      format === 'clr' ? { format } : { term: '2026-S1' },
      201,
    );
    const file = join(home, '..', `${format}.json`);
    writeFileSync(file, JSON.stringify(issued));
    return json(await cli(['add-credential', file, '--json'], as())).id;
  }

  /** Offers a credential of the given type and subject (as the PD and credit-bank routes shape them). */
  async function receiveOffered(
    type: string,
    name: string,
    subject: Record<string, unknown>,
  ): Promise<string> {
    const created = await gw.step(
      'POST',
      '/credential-offers',
      school(),
      {
        credential: {
          '@context': ['https://www.w3.org/ns/credentials/v2', 'https://edu-ledger.example/contexts/edu/v1'],
          type: ['VerifiableCredential', type],
          name,
          credentialSubject: subject,
        },
      },
      201,
    );
    return json(await cli(['receive', `${gw.url}/credential-offers/${created.offerId}`, '--json'], as())).id;
  }

  before(async () => {
    gw = await startGateway();
    home = newHome();
    const created = json(await cli(['init', '--json'], as()));
    ({ did, mnemonic } = created);
    badgeId = json(await cli(['receive', await makeOffer(gw), '--json'], as())).id;
    const subjectId = await studentWithArchive(
      gw,
      {
        name: '李小龙',
        idNumber: '310101200905051234',
        studentNumber: 'G310101200905051234',
        birthDate: '2009-05-05',
        did,
      },
      DIMENSIONS.flatMap((d) => [
        [`e-${d}-1`, d],
        [`e-${d}-2`, d],
      ]),
      (d) => `${d}：本学期参加了多项活动，表现突出，老师评价认真负责、积极主动。`,
    );
    reportId = await addReport(subjectId, 'report');
    clrId = await addReport(subjectId, 'clr');
  });
  after(() => gw.close());

  it('answers a request from a PNG of its QR code and from its link, with no challenge typed', async () => {
    const fromPng = await verificationRequest(['OpenBadgeCredential']);
    const png = join(home, '..', 'request.png');
    await QRCode.toFile(png, fromPng.link, { errorCorrectionLevel: 'M' });
    const answered = json(await cli(['present', '--request', png, '--json'], as()));
    expect(answered.sent.status).to.equal(200);
    const state = await requestState(fromPng.id);
    expect(state.status).to.equal('answered');
    expect(state.result.verified).to.equal(true);
    expect(state.holder).to.equal(did);

    // The older link that carries the request itself, naming the credential; the text names the
    // verifier's domain.
    const fromLink = await verificationRequest(['GrowthTermReport']);
    const byLink = await cli(['present', reportId, '--request', fromLink.legacyLink], as());
    expect(byLink.code, byLink.stderr).to.equal(0);
    expect(byLink.stdout).to.include('Answered the verification request of did:web:');
    expect((await requestState(fromLink.id)).result.verified).to.equal(true);

    // A request answered already: its own exit code, and a picture without a QR code is named.
    const again = await cli(['present', '--request', png], as());
    expect(again.code, again.stderr).to.equal(7);
    const blank = join(home, '..', 'blank.png');
    await QRCode.toFile(blank, 'x'); // a QR code, but not of a request
    const notRequest = await cli(['present', '--request', blank, '--json'], as());
    expect(notRequest.code).to.equal(1);
    expect(JSON.parse(notRequest.stderr).error.message).to.match(/Not a verification request/);
  });

  it('shares a growth report: a #vcz link of the same credential and a short-link QR within 80 columns', async () => {
    const shared = json(await cli(['share', reportId, '--json'], as()));
    const stored = json(await cli(['show', reportId, '--json'], as())).credential;

    // The page's compact link carries the credential itself, deflated.
    const vcz = new URL(shared.link).hash.replace(/^#vcz=/, '');
    expect(shared.link.startsWith(`${gw.url}/verify/#vcz=`)).to.equal(true);
    expect(JSON.parse(inflateRawSync(Buffer.from(vcz, 'base64url')).toString('utf8'))).to.deep.equal(stored);

    // Too large for an 80-column QR: the QR holds the gateway's short link, which leads back to it.
    expect(shared.qrText).to.equal(shared.shortLink.url);
    expect(columns(shared.qr)).to.be.at.most(80);
    const redirect = await fetch(shared.shortLink.url, { redirect: 'manual' });
    expect(redirect.status).to.equal(303);
    const shareId = new URL(String(redirect.headers.get('location'))).hash.replace(/^#share=/, '');
    const back = await gw.call('GET', `/shares/${shareId}`);
    expect(back.status).to.equal(200);
    expect(back.body.verifiableCredential).to.deep.equal(stored);

    // The text form shows the same QR, as a terminal does; --no-upload sends nothing and says why.
    const text = await cli(['share', reportId], as());
    expect(text.code, text.stderr).to.equal(0);
    const qrLines = text.stdout.split('\n').filter((line) => line.includes('\x1b['));
    expect(qrLines.length).to.be.greaterThan(10);
    expect(columns(qrLines.join('\n'))).to.be.at.most(80);
    const local = json(await cli(['share', reportId, '--no-upload', '--json'], as()));
    expect(local.qr).to.equal(undefined);
    expect(local.shortLink).to.equal(undefined);
  });

  it('shows every kind fully: growth dimensions, the parts inside a CLR, PD credits, credit transfer, badge', async () => {
    const pdId = await receiveOffered(
      'PdCycleSummaryCredential',
      '教师继续教育周期学分汇总 PD cycle summary',
      {
        cycle: '2024-09-01/2029-08-31',
        rulesVersion: 1,
        creditUnit: '学分',
        totalCredits: 36,
        requiredCredits: 72,
        creditsByKind: [{ activityKind: 'course', credits: 24, label: '课程培训', labelEn: 'Courses' }],
      },
    );
    const transferId = await receiveOffered('CreditTransferCredential', '学分互认证明 Credit transfer', {
      credits: 3,
      creditUnit: '学分',
      courseId: 'math-101',
      fromInstitution: 'school-voc',
      toInstitution: 'school-gen',
      agreementId: 'agreement-2026',
    });
    const showOf = (id: string) => cli(['show', id], as());
    const [report, clr, pd, transfer, badge] = await Promise.all([
      showOf(reportId),
      showOf(clrId),
      showOf(pdId),
      showOf(transferId),
      showOf(badgeId),
    ]);
    for (const r of [report, clr, pd, transfer, badge]) expect(r.code, r.stderr).to.equal(0);
    expect(report.stdout).to.include('Growth dimensions (5)');
    for (const d of DIMENSIONS) expect(report.stdout).to.include(`(${d}) — 2 entr(ies)`);
    expect(report.stdout).to.include('academic：本学期参加了多项活动');
    expect(report.stdout).to.match(/Status\s+active/);
    expect(clr.stdout).to.match(/Credentials inside \(1\)/);
    expect(clr.stdout).to.include('moral：本学期参加了多项活动');
    expect(pd.stdout).to.match(/Credits\s+36 \/ 72 学分/);
    expect(pd.stdout).to.include('Courses: 24 学分');
    expect(transfer.stdout).to.match(/Credits\s+3 学分/);
    expect(transfer.stdout).to.match(/From institution\s+school-voc/);
    expect(transfer.stdout).to.match(/To institution\s+school-gen/);
    expect(transfer.stdout).to.match(/Agreement\s+agreement-2026/);
    expect(badge.stdout).to.match(/Achievement\s+优秀学生干部/);
    expect(badge.stdout).to.match(/Credits available\s+2/);
  });

  it('marks a revoked credential in list and show, and presents it only with --allow-revoked, warning in both languages', async () => {
    const offered = json(
      await cli(['receive', await makeOffer(gw, '校园歌手 Campus singer'), '--json'], as()),
    ).id;
    await gw.step(
      'POST',
      '/credentials/status',
      school(),
      {
        credentialId: offered,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
        options: { reasonCode: 'issued-in-error' },
      },
      200,
    );
    const [listed, listedJson, shown, refused, refusedZh] = await Promise.all([
      cli(['list'], as()),
      cli(['list', '--json'], as()),
      cli(['show', offered], as()),
      cli(['present', offered, '--challenge', 'challenge-2026-x', '--domain', 'hr.example'], as()),
      cli(
        ['present', offered, '--challenge', 'challenge-2026-x', '--domain', 'hr.example', '--lang', 'zh'],
        as(),
      ),
    ]);
    const line = listed.stdout.split('\n').find((l) => l.includes('Campus singer'));
    expect(line).to.include('[✘ revoked]');
    const items = json(listedJson).credentials;
    expect(items.find((c: any) => c.id === offered).status).to.equal('revoked');
    expect(items.find((c: any) => c.id === badgeId).status).to.equal('active');
    expect(shown.stdout).to.match(/Status\s+✘ revoked · .* · issued-in-error/);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('has been revoked by its issuer').and.include('--allow-revoked');
    expect(refused.stdout).to.equal('');
    expect(refusedZh.code).to.equal(1);
    expect(refusedZh.stderr).to.include('已被发证机构标记为“已撤销”').and.include('--allow-revoked');

    const forced = await cli(
      ['present', offered, '--challenge', 'challenge-2026-x', '--domain', 'hr.example', '--allow-revoked'],
      as(),
    );
    expect(forced.code, forced.stderr).to.equal(0);
    expect(forced.stdout.split('\n')[0]).to.include('⚠ Warning: credential').and.include('revoked');
    expect(forced.stdout).to.include('"VerifiablePresentation"');
  });

  it('restore from the words alone warns that credentials come back only from a backup', async () => {
    const [restored, restoredZh] = await Promise.all([
      cli(['restore', '--mnemonic', mnemonic], { home: newHome() }),
      cli(['restore', '--mnemonic', mnemonic, '--lang', 'zh', '--json'], { home: newHome() }),
    ]);
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.include(did);
    expect(restored.stdout).to.include('the credentials live only in backup files');
    expect(restored.stdout).to.include('edu-wallet import <backup file>');
    const zh = json(restoredZh);
    expect(zh.credentials).to.equal(0);
    expect(zh.warning).to.include('凭证本身只保存在备份文件中').and.include('edu-wallet import');
  });
});
