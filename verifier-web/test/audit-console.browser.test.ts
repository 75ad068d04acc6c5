import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { achievementRequest } from '../../gateway-api/test/harness.js';
import { SCREENSHOTS, TestPages, launchBrowser, startWebGateway, type WebGateway } from './web-harness.js';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
/** yyyy-mm-dd in the browser's (and this machine's) local time, as a date input takes it. */
const localDate = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const CREDENTIALS = 12;

describe('verifier-web audit console: readable records, timeline, filters, paging, CSV, phone', function () {
  this.timeout(process.env['LEDGER'] === 'fabric' ? 360_000 : 120_000);
  let gw: WebGateway;
  let browser: Browser;
  let revokedId = '';
  const pages = new TestPages(
    () => browser,
    () => gw.url,
  );

  before(async () => {
    [gw, browser] = await Promise.all([startWebGateway(), launchBrowser()]);
    const holder = await didKeyFromSeed(new Uint8Array(32).fill(41));
    const school = gw.tokens['school-admin@school-gen'] ?? '';
    const ids: string[] = [];
    for (let i = 0; i < CREDENTIALS; i += 1) {
      const vc = await gw.step('POST', '/credentials/issue', school, achievementRequest(holder.did), 201);
      ids.push(vc.verifiableCredential.id);
    }
    revokedId = ids[3] ?? '';
    await gw.step(
      'POST',
      '/credentials/status',
      school,
      {
        credentialId: revokedId,
        credentialStatus: [{ type: 'BitstringStatusListCredential', status: 'revoked' }],
        options: { reasonCode: 'issued-in-error' },
      },
      200,
    );
    // An inspection that moved planned -> actions-required, with an action already overdue.
    const inspector = gw.tokens['inspector@bureau'];
    await gw.step(
      'POST',
      '/inspections',
      inspector,
      {
        inspectionId: 'insp-audit-console',
        schoolId: 'school-gen',
        indicatorSystem: 'smart-campus',
        title: { zh: '智慧校园专项督导', en: 'Smart campus inspection' },
        plannedFor: iso(Date.now() + 7 * DAY),
      },
      201,
    );
    await gw.step(
      'POST',
      '/inspections/insp-audit-console/visit',
      inspector,
      {
        scores: [{ indicator: 'network', score: 7, maxScore: 10 }],
        findings: '数据治理制度不健全',
        actions: [{ actionId: 'a1', description: '建立数据分类分级制度', deadline: iso(Date.now() - DAY) }],
      },
      200,
    );
  });
  afterEach(async () => {
    expect(await pages.closeAll(), 'uncaught errors in the page').to.deep.equal([]);
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  const shot = (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** Opens the console signed in as the bureau's inspector and shows `kind` of school-gen. */
  async function console_(
    opts: { kind?: string; pageSize?: string; locale?: string; width?: number } = {},
  ): Promise<Page> {
    const page = await pages.open(
      '/verify/?view=audit',
      opts.locale ?? 'en-US',
      opts.width ? { viewport: { width: opts.width, height: 800 }, isMobile: true } : {},
    );
    await page.getByTestId('token').fill(gw.tokens['inspector@bureau'] ?? '');
    await page.getByTestId('sign-in').click();
    await page.getByTestId('signed-in').waitFor();
    await page.getByTestId('school').selectOption('school-gen');
    if (opts.kind) await page.getByTestId('audit-kind').selectOption(opts.kind);
    if (opts.pageSize) await page.getByTestId('audit-page-size').selectOption(opts.pageSize);
    await page.getByTestId('audit-load').click();
    await page.getByTestId('audit-count').waitFor();
    return page;
  }

  const cards = (page: Page, selector = ''): ReturnType<Page['locator']> =>
    page.getByTestId('records').locator(`article.rec-card${selector}`);

  it('shows each record as what, who, when and status, with a timeline whose versions show old → new', async () => {
    const page = await console_({ kind: 'inspection' });
    const card = cards(page, '[data-key$="insp-audit-console"]');
    expect(await card.getAttribute('data-status')).to.equal('actions-required');
    const summary = await card.locator('.rec-summary').innerText();
    expect(summary).to.contain('Smart campus inspection');
    expect(summary).to.match(/Who\s+bureau/);
    expect(await card.locator('.rec-status').innerText()).to.equal('Actions required');

    await card.locator('.rec-timeline summary').click();
    const versions = card.locator('li.rec-version');
    expect(await versions.count()).to.equal(2);
    expect(await versions.nth(0).innerText()).to.contain('Created');
    const state = versions.nth(1).locator('li[data-field="state"]');
    expect(await state.locator('del').innerText()).to.equal('planned');
    expect(await state.locator('ins').innerText()).to.equal('actions-required');
    // A field the visit added had no value before.
    expect(await versions.nth(1).locator('li[data-field="visit.scores.0.score"] ins').innerText()).to.equal(
      '7',
    );
    expect(await page.getByTestId('overdue').innerText()).to.contain('insp-audit-console / a1');
    await shot(page, 'audit-timeline-desktop');
  });

  it('pages through the credential anchors to the end, following the listing cursor', async () => {
    // 12 anchors, 5 a page: three pages.
    const page = await console_({ kind: 'credential', pageSize: '5' });
    expect(await cards(page).count()).to.equal(5);
    expect(await page.getByTestId('audit-count').innerText()).to.contain('More records are not loaded yet');
    await page.getByTestId('audit-more').click();
    await cards(page).nth(9).waitFor();
    expect(await cards(page).count()).to.equal(10);
    await page.getByTestId('audit-load').click();
    await page.getByTestId('audit-count').filter({ hasText: '5 shown of 5 loaded' }).waitFor();
    await page.getByTestId('audit-all').click();
    await page.getByTestId('audit-more').waitFor({ state: 'detached' });
    expect(await cards(page).count()).to.equal(CREDENTIALS);
    expect(await page.getByTestId('audit-count').innerText()).to.contain('Every record is loaded');
    const keys = await cards(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    expect(new Set(keys).size, 'no record shown twice').to.equal(CREDENTIALS);
  });

  it('filters what is loaded by status and by the date a version was written', async () => {
    const page = await console_({ kind: 'credential', pageSize: '100' });
    expect(await cards(page).count()).to.equal(CREDENTIALS);
    await page.getByTestId('audit-status').selectOption('revoked');
    expect(await cards(page).count()).to.equal(1);
    expect(await cards(page).getAttribute('data-key')).to.contain(revokedId);
    await cards(page).locator('.rec-timeline summary').click();
    const change = cards(page).locator('li.rec-version').nth(1).locator('li[data-field="status"]');
    expect(await change.locator('del').innerText()).to.equal('active');
    expect(await change.locator('ins').innerText()).to.equal('revoked');

    await page.getByTestId('audit-status').selectOption('');
    await page.getByTestId('audit-from').fill(localDate(Date.now() + DAY));
    await page.getByTestId('audit-from').dispatchEvent('change');
    expect(await cards(page).count(), 'nothing written tomorrow').to.equal(0);
    await page.getByTestId('audit-from').fill(localDate(Date.now() - DAY));
    await page.getByTestId('audit-until').fill(localDate(Date.now() + DAY));
    await page.getByTestId('audit-until').dispatchEvent('change');
    expect(await cards(page).count()).to.equal(CREDENTIALS);
  });

  it('downloads as CSV exactly the records shown, one row per version, and says so', async () => {
    const page = await console_({ kind: 'credential', pageSize: '100' });
    await page.getByTestId('audit-status').selectOption('revoked');
    expect(await page.getByTestId('csv-scope').innerText()).to.contain(`The CSV holds the 1 records shown`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-csv').click(),
    ]);
    expect(download.suggestedFilename()).to.match(/^audit-school-gen-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).to.equal('kind,key,what,who,when,status,version,timestamp,txId,changes,record');
    // The revoked credential's two versions (issued, revoked), and nothing else.
    expect(lines).to.have.length(3);
    expect(lines[1]).to.contain(revokedId).and.to.contain(',1/2,').and.to.contain(',created,');
    expect(lines[2]).to.contain(',2/2,').and.to.contain('status: active -> revoked');
  });

  it('fits a 390 px phone: no sideways scrolling with every timeline open (Chinese page)', async () => {
    const page = await console_({ locale: 'zh-CN', width: 390 });
    if ((await page.getByTestId('audit-all').count()) > 0) await page.getByTestId('audit-all').click();
    await page.getByTestId('audit-more').waitFor({ state: 'detached' });
    for (const summary of await page.locator('.rec-timeline summary').all()) await summary.click();
    expect(await cards(page).count()).to.be.greaterThan(CREDENTIALS);
    const widths = (await page.evaluate(
      '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
    )) as { scroll: number; inner: number };
    // A mobile browser zooms out to fit content that overflows, which widens innerWidth: it must
    // stay the phone's 390 px for the comparison to mean anything.
    expect(widths.inner, JSON.stringify(widths)).to.equal(390);
    expect(widths.scroll, JSON.stringify(widths)).to.be.at.most(widths.inner);
    await shot(page, 'audit-all-records-phone');
    // The inspection's timeline alone, readable at phone width.
    await page.getByTestId('audit-status').selectOption('actions-required');
    expect(await cards(page).count()).to.equal(1);
    await cards(page).locator('.rec-timeline summary').click();
    await shot(page, 'audit-timeline-phone');
  });
});
