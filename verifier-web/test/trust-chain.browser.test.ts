import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { achievementRequest } from '../../gateway-api/test/harness.js';
import { SCREENSHOTS, TestPages, launchBrowser, startWebGateway, type WebGateway } from './web-harness.js';

const b64url = (data: string): string => Buffer.from(data).toString('base64url');

describe('verifier-web: the issuer trust chain next to a verified credential (real browser, real gateway)', function () {
  this.timeout(60_000);
  let gw: WebGateway;
  let browser: Browser;
  let holder: string;
  const pages = new TestPages(
    () => browser,
    () => gw.url,
  );

  before(async () => {
    [gw, browser] = await Promise.all([startWebGateway(), launchBrowser()]);
    holder = (await didKeyFromSeed(new Uint8Array(32).fill(23))).did;
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
      body: achievementRequest(holder),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.verifiableCredential;
  }

  async function trustPanel(page: Page): Promise<ReturnType<Page['locator']>> {
    const panel = page.getByTestId('output').locator('[data-testid="trust-chain"]');
    await panel.and(page.locator('[data-loaded]')).waitFor();
    return panel;
  }

  it('shows bureau → school for the credential type, with validity, in Chinese and English, and none for a forged credential', async () => {
    const vc = await issue();
    const page = await open(`/verify/#vc=${b64url(JSON.stringify(vc))}`);
    const panel = await trustPanel(page);
    expect(await panel.getAttribute('data-loaded')).to.equal('true');
    expect(await panel.getAttribute('data-issuer')).to.equal('did:web:edu.example.cn:orgs:school-gen');
    // It sits in the credential card, right under "issued by".
    expect(await page.locator('.credential-card [data-testid="trust-chain"]').count()).to.equal(1);

    const badge = panel.locator('.trust-type[data-type="OpenBadgeCredential"]');
    expect(await badge.getAttribute('data-accredited')).to.equal('true');
    const links = badge.locator('.trust-links li');
    expect(await links.evaluateAll((items) => items.map((li) => li.getAttribute('data-org')))).to.deep.equal([
      'bureau',
      'school-gen',
    ]);
    const zh = await panel.innerText();
    expect(zh).to.contain('信任链');
    expect(zh).to.contain('该机构目前列入本联盟的发证机构登记册');
    expect(zh).to.match(
      /示范市教育局\s*\(教育局（信任根）\)\s*→\s*示范市第一高级中学\s*\(经上一级教育局认可发证\)/,
    );
    expect(zh).to.match(/有效 · 资质有效期：\d{4}年\d{1,2}月\d{1,2}日 至 \d{4}年\d{1,2}月\d{1,2}日/);
    // Only the types this credential carries: not the school's growth reports or credit transfers.
    expect(zh).to.not.contain('GrowthTermReport');
    expect(await panel.locator('a').getAttribute('href')).to.equal(`${gw.url}/registry/dcc.json`);
    await page.screenshot({ path: join(SCREENSHOTS, 'verify-trust-chain-zh.png'), fullPage: true });

    await page.getByRole('button', { name: 'Switch to English' }).click();
    const enPanel = await trustPanel(page);
    const en = await enPanel.innerText();
    expect(en).to.contain('Trust chain');
    expect(en).to.contain("This issuer is currently listed in this consortium's issuer registry.");
    expect(en).to.match(
      /Demo City Education Bureau \(示范市教育局\)\s*\(Bureau \(root of trust\)\)\s*→\s*Demo City No\.1 High School \(示范市第一高级中学\)\s*\(Accredited by the bureau above\)/,
    );
    expect(en).to.match(/In force · Accredited from \d{1,2} \w+ \d{4} until \d{1,2} \w+ \d{4}/);
    await page.screenshot({ path: join(SCREENSHOTS, 'verify-trust-chain-en.png'), fullPage: true });

    // A credential whose signature fails gets no trust chain: its issuer is not established.
    const tampered = structuredClone(vc);
    tampered.credentialSubject.creditsEarned = 20;
    await page.getByTestId('input').fill(JSON.stringify(tampered));
    await page.getByTestId('verify').click();
    await page.getByTestId('output').locator('.verdict[data-verdict="invalid"]').waitFor();
    await page.locator('.credential-card').waitFor();
    expect(await page.locator('[data-testid="trust-chain"]').count()).to.equal(0);
  });

  it('says so when the issuer of a genuine credential is no longer listed (accreditation suspended)', async () => {
    const vc = await issue();
    const admin = await gw.ledger.identity('BureauMSP', 'admin@bureau', 'admin');
    await gw.services.chaincode.submit(admin, 'registry:SuspendAccreditation', {
      orgId: 'school-gen',
      accreditationId: 'school-gen-ob3',
      reasonCode: 'under-review',
    });
    try {
      const page = await open(`/verify/#vc=${b64url(JSON.stringify(vc))}`, 'en-US');
      const panel = await trustPanel(page);
      const text = await panel.innerText();
      expect(text).to.contain('holds no accreditation in force now, so it is not in the issuer registry');
      const badge = panel.locator('.trust-type[data-type="OpenBadgeCredential"]');
      expect(await badge.getAttribute('data-accredited')).to.equal('false');
      expect(await badge.locator('.trust-accreditation').getAttribute('data-state')).to.equal('suspended');
      expect(await badge.innerText()).to.contain('Suspended');
      await page.screenshot({ path: join(SCREENSHOTS, 'verify-trust-chain-suspended.png'), fullPage: true });
    } finally {
      await gw.services.chaincode.submit(admin, 'registry:ReinstateAccreditation', {
        orgId: 'school-gen',
        accreditationId: 'school-gen-ob3',
      });
    }
  });
});
