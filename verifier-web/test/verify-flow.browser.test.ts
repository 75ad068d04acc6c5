import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { expect } from 'chai';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, Page, Request } from 'playwright-core';
import {
  createDocumentLoader,
  createPresentation,
  didKeyFromSeed,
  issueCredential,
  signPresentation,
  type Credential,
} from '@edu-ledger/credentials';
import { achievementRequest } from '../../gateway-api/test/harness.js';
import { SCREENSHOTS, TestPages, launchBrowser, startWebGateway, type WebGateway } from './web-harness.js';

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');
const vcLink = (vc: unknown): string => `/verify/#vc=${b64url(JSON.stringify(vc))}`;
// jsqr is CommonJS: its function is the default export's `default` as TypeScript sees it.
const jsQR = jsqr.default;
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true };

/** Issue 14: the verify flow — links, causes, sign-in, short request links, shares, print, language. */
describe('verifier-web verify flow (issue 14) in a real browser against a real gateway', function () {
  this.timeout(process.env['LEDGER'] === 'fabric' ? 360_000 : 120_000);
  let gw: WebGateway;
  let browser: Browser;
  let holder: Awaited<ReturnType<typeof didKeyFromSeed>>;
  const pages = new TestPages(
    () => browser,
    () => gw.url,
  );

  before(async () => {
    [gw, browser] = await Promise.all([startWebGateway(), launchBrowser()]);
    holder = await didKeyFromSeed(new Uint8Array(32).fill(41));
  });
  afterEach(async () => {
    expect(await pages.closeAll(), 'uncaught errors in the page').to.deep.equal([]);
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  async function issue(): Promise<any> {
    const res = await gw.call('POST', '/credentials/issue', {
      token: gw.tokens['school-admin@school-gen'],
      body: achievementRequest(holder.did),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.verifiableCredential;
  }

  async function setStatus(vc: any, status: 'revoked' | 'suspended'): Promise<void> {
    const res = await gw.call('POST', '/credentials/status', {
      token: gw.tokens['school-admin@school-gen'],
      body: {
        credentialId: vc.id,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status }],
        options: { reasonCode: status === 'revoked' ? 'issued-in-error' : 'under-review' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  /** A sound credential signed by a did:key outside the registry. */
  async function strangers(): Promise<any> {
    const stranger = await didKeyFromSeed(new Uint8Array(32).fill(43));
    const request = achievementRequest(holder.did) as { credential: Credential };
    return issueCredential({
      credential: {
        ...request.credential,
        id: 'urn:uuid:00000000-0000-4000-8000-0000000043aa',
        issuer: stranger.did,
        validFrom: new Date().toISOString(),
      },
      key: stranger.key,
      documentLoader: createDocumentLoader(),
    });
  }

  const banner = (page: Page) => page.getByTestId('output').locator('.verdict').first();

  async function verdictOf(page: Page): Promise<{ verdict: string; causes: string; text: string }> {
    await banner(page).waitFor();
    return {
      verdict: (await banner(page).getAttribute('data-verdict')) ?? '',
      causes: (await banner(page).getAttribute('data-causes')) ?? '',
      text: await banner(page).innerText(),
    };
  }

  /** Opens a new fragment in the same tab, as a second link opened there does (no reload). */
  const openHash = (page: Page, hash: string): Promise<unknown> =>
    page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

  const shot = (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('verifies a second #vc= link opened in the same tab (hashchange), not keeping the first verdict', async () => {
    const good = await issue();
    const revoked = await issue();
    await setStatus(revoked, 'revoked');
    const page = await pages.open(vcLink(good));
    expect((await verdictOf(page)).verdict).to.equal('valid');
    const secondHash = vcLink(revoked).replace('/verify/', '');
    await openHash(page, secondHash);
    await page.getByTestId('output').locator('.verdict[data-verdict="invalid"]').waitFor({ timeout: 15_000 });
    const after = await verdictOf(page);
    expect(after.causes).to.equal('revoked');
    expect(await page.locator('.credential-card').count()).to.equal(1);
  });

  it('names the cause in the banner, in Chinese and English, at desktop and phone width (screenshots)', async () => {
    const trusted = await issue();
    const revoked = await issue();
    await setStatus(revoked, 'revoked');
    const suspended = await issue();
    await setStatus(suspended, 'suspended');
    const tampered = structuredClone(await issue());
    tampered.credentialSubject.creditsEarned = 20;
    const cases = [
      { name: 'trusted', vc: trusted, verdict: 'valid', causes: '', zh: '有效', en: 'Valid' },
      {
        name: 'untrusted-issuer',
        vc: await strangers(),
        verdict: 'untrusted',
        causes: 'untrusted-issuer',
        zh: '签发者不在名录',
        en: 'issuer not in the registry',
      },
      {
        name: 'revoked',
        vc: revoked,
        verdict: 'invalid',
        causes: 'revoked',
        zh: '无效 · 已撤销',
        en: 'Invalid · revoked',
      },
      {
        name: 'tampered',
        vc: tampered,
        verdict: 'invalid',
        causes: 'tampered',
        zh: '无效 · 已被篡改',
        en: 'Invalid · tampered with',
      },
      {
        name: 'suspended',
        vc: suspended,
        verdict: 'invalid',
        causes: 'suspended',
        zh: '无效 · 已暂停',
        en: 'Invalid · suspended',
      },
    ];
    for (const c of cases)
      for (const [locale, lang] of [
        ['zh-CN', 'zh'],
        ['en-US', 'en'],
      ] as const)
        for (const [size, options] of [
          ['desktop', {}],
          ['phone', PHONE],
        ] as const) {
          const page = await pages.open(vcLink(c.vc), locale, options);
          const seen = await verdictOf(page);
          const where = `${c.name} ${lang} ${size}`;
          expect(seen.verdict, where).to.equal(c.verdict);
          expect(seen.causes, where).to.equal(c.causes);
          expect(seen.text, where).to.contain(c[lang]);
          if (c.name !== 'suspended') await shot(page, `verdict-${c.name}-${lang}-${size}`);
        }
  });

  it('names "not yet valid" from the validity check', async () => {
    const request = achievementRequest(holder.did) as { credential: Record<string, unknown> };
    const later = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const res = await gw.call('POST', '/credentials/issue', {
      token: gw.tokens['school-admin@school-gen'],
      body: { ...request, credential: { ...request.credential, validFrom: later } },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const page = await pages.open(vcLink(res.body.verifiableCredential), 'en-US');
    const seen = await verdictOf(page);
    expect(seen.causes).to.equal('not-yet-valid');
    expect(seen.text).to.contain('not yet valid');
  });

  it('refuses a token the gateway does not know, and names the organisation and role of a good one', async () => {
    const page = await pages.open('/verify/?view=request');
    const session: Request[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/session')) session.push(r);
    });
    await page.getByTestId('token').fill('edu_not-a-token-anyone-issued-000000000000');
    await page.getByTestId('sign-in').click();
    const refusal = page.getByTestId('sign-in-error');
    await refusal.waitFor();
    // The gateway's own words for the refusal are shown.
    const direct = await fetch(`${gw.url}/session`, {
      headers: {
        authorization: 'Bearer edu_not-a-token-anyone-issued-000000000000',
        'accept-language': 'zh-CN,zh;q=0.9',
      },
    });
    const envelope = (await direct.json()) as { error: { message: string } };
    expect(await refusal.innerText()).to.contain(envelope.error.message);
    expect(await refusal.innerText()).to.contain('令牌无效');
    expect(await page.getByTestId('signed-in').count()).to.equal(0);
    expect(await page.getByRole('button', { name: '生成核验请求' }).isDisabled()).to.equal(true);

    await page.getByTestId('token').fill(gw.tokens['verifier@university'] ?? '');
    await page.getByTestId('sign-in').click();
    const signedIn = page.getByTestId('signed-in');
    await signedIn.waitFor();
    expect(await signedIn.innerText())
      .to.contain('示范大学')
      .and.contain('核验方');
    expect(await signedIn.getAttribute('data-role')).to.equal('verifier');
    expect(session.map((r) => r.headers()['accept-language'])).to.deep.equal([
      'zh-CN,zh;q=0.9',
      'zh-CN,zh;q=0.9',
    ]);
    await page.getByRole('button', { name: 'Switch to English' }).click();
    expect(await signedIn.innerText())
      .to.contain('Demo University')
      .and.contain('verifier');
    await shot(page, 'signed-in-as');
  });

  it('puts a short link to the request in its QR code, which opens the request in the page', async () => {
    const page = await pages.open('/verify/?view=request', 'en-US');
    await page.getByTestId('token').fill(gw.tokens['verifier@university'] ?? '');
    await page.getByTestId('sign-in').click();
    await page.getByTestId('signed-in').waitFor();
    await page.getByRole('button', { name: 'Create request' }).click();
    const challenge = await page.getByTestId('challenge').innerText();
    const link = await page.locator('.request-card input[readonly]').inputValue();
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(link).to.match(new RegExp(`^${gw.url}/verify/#request=${gw.url}/verification-requests/${uuid}$`));
    expect(link.length, link).to.be.below(160);
    expect(link).not.to.contain(challenge);

    // What the QR code encodes: exactly that link.
    await page.waitForFunction("document.querySelector('canvas.qr')?.width > 0");
    const dataUrl = String(await page.evaluate("document.querySelector('canvas.qr').toDataURL()"));
    const png = PNG.sync.read(Buffer.from(dataUrl.split(',')[1] ?? '', 'base64'));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).to.equal(link);

    // Opened in the verifier's own tab, the link shows the request (read from the gateway).
    await openHash(page, new URL(link).hash);
    const answer = page.locator('form.holder-answer');
    await answer.waitFor();
    expect(await answer.innerText()).to.contain(challenge);
  });

  it('verifies compact links: #vcz= (credential) and #vpz= (presentation), deflate-raw then base64url', async () => {
    const vc = await issue();
    const page = await pages.open(`/verify/#vcz=${b64url(deflateRawSync(Buffer.from(JSON.stringify(vc))))}`);
    expect((await verdictOf(page)).verdict).to.equal('valid');
    const vp = await signPresentation({
      presentation: createPresentation({ verifiableCredential: [vc], holder: holder.did }),
      key: holder.key,
      challenge: 'compact-link-0001',
      domain: 'admissions.demo-university.example',
      documentLoader: gw.services.documentLoader,
    });
    const vpz = b64url(deflateRawSync(Buffer.from(JSON.stringify(vp))));
    const page2 = await pages.open(`/verify/#vpz=${vpz}`);
    expect((await verdictOf(page2)).verdict).to.equal('valid');
    expect(await page2.locator('li[data-check="challenge"]').innerText()).to.contain('compact-link-0001');
  });

  it('opens a #share=<id> link: reads GET /shares/<id> and verifies what it holds', async () => {
    const vc = await issue();
    const shared = await gw.call('POST', '/shares', { body: { verifiableCredential: vc } });
    expect(shared.status, JSON.stringify(shared.body)).to.equal(201);
    const page = await pages.open(`/verify/#share=${shared.body.id}`, 'en-US');
    const seen = await verdictOf(page);
    expect(seen.verdict).to.equal('valid');
    expect(await page.locator('.credential-card').innerText()).to.contain(vc.id);
  });

  it('shows a gone share in the gateway’s own words, asked in the page’s language', async () => {
    const missing = 'AAAAAAAAAAAAAAAAAAAAAA';
    const page = await pages.open('/verify/');
    const asked = page.waitForRequest((r) => r.url().endsWith(`/shares/${missing}`));
    await openHash(page, `share=${missing}`);
    const request = await asked;
    expect(request.headers()['accept-language']).to.equal('zh-CN,zh;q=0.9');
    await banner(page).waitFor();
    const direct = await fetch(`${gw.url}/shares/${missing}`, {
      headers: { 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(direct.status).to.equal(404);
    const envelope = (await direct.json()) as { error: { message: string } };
    expect(await banner(page).innerText()).to.contain(envelope.error.message);
  });

  it('sends Accept-Language with every API call, following the page language', async () => {
    const vc = await issue();
    const page = await pages.open('/verify/', 'zh-CN');
    const seen: [string, string | undefined][] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (!url.pathname.startsWith('/verify/')) seen.push([url.pathname, r.headers()['accept-language']]);
    });
    await page.getByTestId('input').fill(JSON.stringify(vc));
    await page.getByTestId('verify').click();
    await banner(page).waitFor();
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByTestId('verify').click();
    await page.getByTestId('output').locator('.verdict-title', { hasText: 'Valid' }).waitFor();
    const verifies = seen.filter(([path]) => path === '/credentials/verify').map(([, l]) => l);
    expect(verifies).to.deep.equal(['zh-CN,zh;q=0.9', 'en']);
    expect(seen.length).to.be.greaterThan(2);
    for (const [path, language] of seen) expect(language, path).to.be.oneOf(['zh-CN,zh;q=0.9', 'en']);
  });

  it('prints the verdict and the credential only, without the instructions and inputs', async () => {
    const vc = await issue();
    const page = await pages.open(vcLink(vc));
    await banner(page).waitFor();
    await page.emulateMedia({ media: 'print' });
    expect(await banner(page).isVisible()).to.equal(true);
    expect(await page.locator('.credential-card').isVisible()).to.equal(true);
    expect(await page.locator('.steps').first().isVisible()).to.equal(true);
    for (const hidden of [
      '.hint',
      '#verify-title',
      '[data-testid="input"]',
      '.verify-form',
      '.tabs',
      '.account',
    ])
      expect(await page.locator(hidden).first().isVisible(), hidden).to.equal(false);
    await shot(page, 'verify-print');
  });
});
