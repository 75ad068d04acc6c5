import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { expect } from 'chai';
import QRCode from 'qrcode';
import type { Browser, Page } from 'playwright-core';
import {
  createPresentation,
  didKeyFromSeed,
  signPresentation,
  type Credential,
} from '@edu-ledger/credentials';
import { achievementRequest, CREDENTIAL_CHECK_ORDER as CHECKS } from '../../gateway-api/test/harness.js';
import { SCREENSHOTS, TestPages, launchBrowser, startWebGateway, type WebGateway } from './web-harness.js';

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

describe('verifier-web in a real browser against a real gateway', function () {
  this.timeout(60_000);
  let gw: WebGateway;
  let browser: Browser;
  let holder: Awaited<ReturnType<typeof didKeyFromSeed>>;
  const pages = new TestPages(
    () => browser,
    () => gw.url,
  );

  before(async () => {
    [gw, browser] = await Promise.all([startWebGateway(), launchBrowser()]);
    holder = await didKeyFromSeed(new Uint8Array(32).fill(21));
  });
  afterEach(async () => {
    expect(await pages.closeAll(), 'uncaught errors in the page').to.deep.equal([]);
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  const open = (path: string, locale?: string): Promise<Page> => pages.open(path, locale);

  async function issue(): Promise<any> {
    const res = await gw.call('POST', '/credentials/issue', {
      token: gw.tokens['school-admin@school-gen'],
      body: achievementRequest(holder.did),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.verifiableCredential;
  }

  async function steps(page: Page, scope = page.getByTestId('output')): Promise<Record<string, string>> {
    const items = scope.locator('.steps').first().locator('li.step');
    const out: Record<string, string> = {};
    for (const item of await items.all()) {
      out[(await item.getAttribute('data-check')) ?? ''] = (await item.getAttribute('data-status')) ?? '';
    }
    return out;
  }

  const shot = (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('verifies a valid credential scanned from a QR image: every step passes, the credential is shown', async () => {
    const vc = await issue();
    // The QR carries a link to this page with the credential compressed, as a school would print it.
    const link = `${gw.url}/verify/#vcz=${b64url(deflateRawSync(Buffer.from(JSON.stringify(vc))))}`;
    const png = await QRCode.toBuffer(link, { errorCorrectionLevel: 'L', margin: 4, scale: 4 });
    const page = await open('/verify/');
    await page
      .getByTestId('file')
      .setInputFiles({ name: 'credential-qr.png', mimeType: 'image/png', buffer: png });
    const verdict = page.getByTestId('output').locator('.verdict').first();
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).to.equal('valid');
    expect(await verdict.innerText()).to.contain('有效');
    const result = await steps(page);
    expect(Object.keys(result)).to.deep.equal(CHECKS);
    expect(
      Object.values(result).every((s) => s === 'valid'),
      JSON.stringify(result),
    ).to.equal(true);
    const card = page.locator('.credential-card');
    const text = await card.innerText();
    expect(text).to.contain('示范市第一高级中学');
    expect(text).to.contain('优秀学生干部 Outstanding Student Leader');
    expect(text).to.contain('班级推荐，学校审核');
    expect(text).to.match(/学分[:：]\s*2 学分/);
    const anchored = page.locator('li[data-check="anchored"]');
    expect(await anchored.innerText()).to.match(/已在账本第 \d+ 区块存证/);
    await shot(page, 'verify-valid-qr');
  });

  it('names the signature step when a pasted credential was tampered with (English page)', async () => {
    const vc = await issue();
    const tampered = structuredClone(vc);
    tampered.credentialSubject.creditsEarned = 20;
    const page = await open('/verify/', 'en-US');
    await page.getByTestId('input').fill(JSON.stringify(tampered, null, 2));
    await page.getByTestId('verify').click();
    const verdict = page.getByTestId('output').locator('.verdict').first();
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).to.equal('invalid');
    expect(await verdict.innerText()).to.contain('Invalid');
    const result = await steps(page);
    expect(result['signature']).to.equal('invalid');
    expect(await page.locator('li[data-check="signature"]').innerText()).to.contain(
      'The signature does not match',
    );
    await shot(page, 'verify-tampered');
  });

  it('says "genuine, but not in this registry" for a sound credential from an issuer outside it', async () => {
    const { issueCredential, createDocumentLoader } = await import('@edu-ledger/credentials');
    const stranger = await didKeyFromSeed(new Uint8Array(32).fill(31));
    const request = achievementRequest(holder.did) as { credential: Credential };
    const vc = await issueCredential({
      credential: {
        ...request.credential,
        id: 'urn:uuid:00000000-0000-4000-8000-0000000031aa',
        issuer: stranger.did,
        validFrom: new Date().toISOString(),
      },
      key: stranger.key,
      documentLoader: createDocumentLoader(),
    });
    const page = await open(`/verify/#vc=${b64url(JSON.stringify(vc))}`);
    const verdict = page.getByTestId('output').locator('.verdict').first();
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).to.equal('untrusted');
    expect(await verdict.innerText()).to.contain('签发者不在本名录');
    const result = await steps(page);
    expect(result['signature']).to.equal('valid');
    expect(result['issuer-accredited']).to.equal('not-checked');
  });

  it('names the status step for a revoked credential opened from a link, with the reason in words', async () => {
    const vc = await issue();
    const revoke = await gw.call('POST', '/credentials/status', {
      token: gw.tokens['school-admin@school-gen'],
      body: {
        credentialId: vc.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
        options: { reasonCode: 'issued-in-error' },
      },
    });
    expect(revoke.status, JSON.stringify(revoke.body)).to.equal(200);
    const page = await open(`/verify/#vc=${b64url(JSON.stringify(vc))}`);
    const verdict = page.getByTestId('output').locator('.verdict').first();
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).to.equal('invalid');
    const result = await steps(page);
    expect(Object.entries(result).filter(([, s]) => s !== 'valid')).to.deep.equal([['status', 'invalid']]);
    expect(await page.locator('li[data-check="status"]').innerText()).to.match(
      /已于 .+ 被撤销（原因：误发）/,
    );

    // The language switch re-renders the same result in English without verifying again.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    expect(await page.locator('li[data-check="status"]').innerText()).to.match(
      /Revoked on .+ \(reason: issued in error\)/,
    );
    await shot(page, 'verify-revoked');
  });

  it('verifies a presentation dropped as a file: challenge, holder binding and the credential', async () => {
    const vc = await issue();
    const vp = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [vc], holder: holder.did }),
      key: holder.key,
      challenge: 'browser-challenge-0001',
      domain: 'admissions.demo-university.example',
      documentLoader: gw.services.documentLoader,
    });
    const page = await open('/verify/', 'en-US');
    await page.getByTestId('file').setInputFiles({
      name: 'presentation.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(vp)),
    });
    const verdict = page.getByTestId('output').locator('.verdict').first();
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).to.equal('valid');
    expect(await steps(page)).to.deep.equal({ challenge: 'valid', 'holder-binding': 'valid' });
    expect(await page.locator('li[data-check="challenge"]').innerText()).to.contain('browser-challenge-0001');
    const credentialSteps = await steps(page, page.locator('.presented-credential').first());
    expect(Object.values(credentialSteps).every((s) => s === 'valid')).to.equal(true);
    expect(await page.getByLabel('Challenge').inputValue()).to.equal('browser-challenge-0001');
    await shot(page, 'verify-presentation');
  });

  it('lets a verifier ask for a presentation by QR code, shows the answer, and signs a receipt', async () => {
    const vc = await issue();
    const page = await open('/verify/?view=request');
    await page.getByTestId('token').fill(gw.tokens['verifier@university'] ?? '');
    await page.getByTestId('sign-in').click();
    await page.getByTestId('signed-in').waitFor();
    await page.getByRole('button', { name: '生成核验请求' }).click();
    const challenge = await page.getByTestId('challenge').innerText();
    expect(challenge).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(await page.locator('canvas.qr').getAttribute('aria-label')).to.contain('二维码');
    await page.getByText('等待持有人作答').waitFor();

    // The holder's wallet reads the request from the link and answers it.
    // The link names the request's URL; the wallet reads the request there.
    const link = await page.locator('.request-card input[readonly]').inputValue();
    const requestUrl = new URL(new URL(link).hash.replace(/^#request=/, ''));
    const { request } = (
      await gw.call('GET', requestUrl.pathname, { token: gw.tokens['verifier@university'] })
    ).body;
    expect(request.challenge).to.equal(challenge);
    const vp = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [vc], holder: holder.did }),
      key: holder.key,
      challenge: request.challenge,
      domain: request.domain,
      documentLoader: gw.services.documentLoader,
    });
    const answered = await gw.call('POST', new URL(request.responseUrl).pathname, {
      body: { verifiablePresentation: vp },
    });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);

    const answer = page.getByTestId('answer');
    await answer.locator('.verdict').first().waitFor({ timeout: 10_000 });
    expect(await answer.locator('.verdict').first().getAttribute('data-verdict')).to.equal('valid');
    expect(await steps(page, answer)).to.deep.equal({ challenge: 'valid', 'holder-binding': 'valid' });
    expect(await answer.locator('.credential-card').innerText()).to.contain('优秀学生干部');

    await answer.getByRole('button', { name: '生成核验回执' }).click();
    const sheet = answer.locator('.receipt-sheet');
    await sheet.waitFor();
    expect(await sheet.innerText()).to.contain('示范大学');
    expect(await sheet.innerText()).to.contain(vc.id);
    await shot(page, 'request-answered-receipt');

    // Printing shows the receipt alone.
    await answer.getByRole('button', { name: '打印' }).click();
    await page.emulateMedia({ media: 'print' });
    await page.evaluate("document.body.classList.add('print-receipt')");
    expect(await page.locator('#print-area .receipt-sheet').isVisible()).to.equal(true);
    expect(await page.locator('#app').isVisible()).to.equal(false);
    await shot(page, 'receipt-print');
  });

  // The audit console's records, timeline, filters and CSV: audit-console.browser.test.ts.
  it("shows inspectors a seeded school's chain check passing", async () => {
    await issue();
    const page = await open('/verify/?view=audit', 'en-US');
    await page.getByTestId('token').fill(gw.tokens['inspector@bureau'] ?? '');
    await page.getByTestId('sign-in').click();
    await page.getByTestId('signed-in').waitFor();
    await page.getByTestId('school').selectOption('school-gen');
    await page.getByTestId('audit-load').click();
    const chain = page.getByTestId('chain');
    await chain.waitFor();
    expect(await chain.getAttribute('data-ok')).to.equal('true');
    expect(await chain.innerText()).to.match(/passed: \d+ block/i);
    expect(await page.getByTestId('records').locator(':scope > *').count()).to.be.greaterThan(0);
    await shot(page, 'audit-console');
  });

  it('is usable at phone width', async () => {
    const vc = await issue();
    const page = await pages.open(`/verify/#vc=${b64url(JSON.stringify(vc))}`, 'zh-CN', {
      viewport: { width: 375, height: 740 },
      isMobile: true,
    });
    await page.getByTestId('output').locator('.verdict').first().waitFor();
    // Chromium's phone emulation zooms out to fit wide content, so the width must also stay 375.
    const { scrollWidth, innerWidth } = (await page.evaluate(
      '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
    )) as { scrollWidth: number; innerWidth: number };
    expect(innerWidth, 'page zoomed out to fit wide content').to.equal(375);
    expect(scrollWidth, 'page scrolls sideways at 375 px').to.be.at.most(innerWidth);
    await shot(page, 'verify-phone');
  });
});
