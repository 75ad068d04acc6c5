import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { deriveCredential, didKeyFromSeed, type VerifiableCredential } from '@edu-ledger/credentials';
import { SCREENSHOTS, TestPages, launchBrowser, startWebGateway, type WebGateway } from './web-harness.js';

const ACADEMIC_S1 = '数学建模课题获校级一等奖';
const ACADEMIC_S2 = '物理竞赛市级二等奖';
const HEALTH_S1 = '心理健康：情绪管理需要加强';
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true };

/** Issue 14: growth reports read as a table by dimension and term, with a chart and withheld dimensions. */
describe('verifier-web: growth reports for admissions officers (real browser, real gateway)', function () {
  this.timeout(process.env['LEDGER'] === 'fabric' ? 360_000 : 120_000);
  let gw: WebGateway;
  let browser: Browser;
  let gen: string;
  let subjectId: string;
  let setDimensions: { dimensionId: string; label: { zh: string; en: string } }[];
  const pages = new TestPages(
    () => browser,
    () => gw.url,
  );

  before(async () => {
    [gw, browser] = await Promise.all([startWebGateway(), launchBrowser()]);
    gen = gw.tokens['school-admin@school-gen'] ?? '';
    const holder = await didKeyFromSeed(new Uint8Array(32).fill(47));
    subjectId = (
      await gw.step(
        'POST',
        '/subjects',
        gen,
        {
          name: '韩梅梅',
          idNumber: '310101200903033456',
          studentNumber: 'G310101200903033456',
          birthDate: '2009-03-03',
          did: holder.did,
        },
        201,
      )
    ).subjectId;
    await gw.step('POST', '/archives', gen, { subjectId, dimensionSetId: 'five-dimensions-a' }, 201);
    for (const [entryId, term, dimensionId, text] of [
      ['g-1', '2026-S1', 'academic', ACADEMIC_S1],
      ['g-2', '2026-S1', 'health', HEALTH_S1],
      ['g-3', '2026-S2', 'academic', ACADEMIC_S2],
    ] as const)
      await gw.step(
        'POST',
        `/archives/${subjectId}/entries`,
        gen,
        { entryId, term, dimensionId, content: { text } },
        201,
      );
    const sets = (await gw.call('GET', '/dimension-sets')).body.dimensionSets as {
      setId: string;
      dimensions: typeof setDimensions;
    }[];
    setDimensions = sets.find((s) => s.setId === 'five-dimensions-a')?.dimensions ?? [];
    expect(setDimensions.length).to.be.greaterThan(2);
  });
  afterEach(async () => {
    expect(await pages.closeAll(), 'uncaught errors in the page').to.deep.equal([]);
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  /** Pastes a credential and waits for the growth panel with the dimension set read. */
  async function show(vc: unknown, locale = 'zh-CN', options = {}): Promise<Page> {
    const page = await pages.open('/verify/', locale, options);
    await page.getByTestId('input').fill(JSON.stringify(vc));
    await page.getByTestId('verify').click();
    await page.getByTestId('output').locator('.verdict').first().waitFor();
    await page.locator('[data-testid="growth"][data-loaded="true"]').waitFor();
    return page;
  }

  async function rows(page: Page): Promise<Record<string, { withheld: boolean; text: string }>> {
    const out: Record<string, { withheld: boolean; text: string }> = {};
    for (const row of await page.getByTestId('growth-table').locator('tbody tr').all())
      out[(await row.getAttribute('data-dimension')) ?? ''] = {
        withheld: (await row.getAttribute('data-withheld')) === 'true',
        text: await row.innerText(),
      };
    return out;
  }

  const shot = (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('shows a selectively disclosed term report by dimension, the undisclosed ones as withheld', async () => {
    const report = (
      await gw.step(
        'POST',
        `/archives/${subjectId}/reports`,
        gen,
        { term: '2026-S1', selectiveDisclosure: true },
        201,
      )
    ).verifiableCredential as VerifiableCredential;
    const dims = (report.credentialSubject as { dimensionResults: { dimension: string }[] }).dimensionResults;
    const academic = dims.findIndex((d) => d.dimension === 'academic');
    const derived = await deriveCredential({
      verifiableCredential: report,
      selectivePointers: ['/credentialSubject/id', `/credentialSubject/dimensionResults/${academic}`],
      documentLoader: gw.services.documentLoader,
    });
    const page = await show(derived);
    const table = await rows(page);
    // Every dimension of the set is listed; only academic was disclosed.
    expect(Object.keys(table)).to.deep.equal(setDimensions.map((d) => d.dimensionId));
    expect(table['academic']).to.deep.include({ withheld: false });
    expect(table['academic']?.text).to.contain(ACADEMIC_S1);
    for (const d of setDimensions.filter((x) => x.dimensionId !== 'academic')) {
      expect(table[d.dimensionId]?.withheld, d.dimensionId).to.equal(true);
      expect(table[d.dimensionId]?.text).to.contain(d.label.zh).and.contain('未披露');
    }
    const output = await page.getByTestId('output').innerText();
    expect(output).not.to.contain(HEALTH_S1);
    expect(output).not.to.contain('{"ty');
    expect(await page.getByTestId('withheld-note').innerText()).to.contain(String(setDimensions.length - 1));

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.locator('[data-testid="growth"][data-loaded="true"]').waitFor();
    const english = await rows(page);
    const health = setDimensions.find((d) => d.dimensionId === 'health');
    expect(english['health']?.text).to.contain(health?.label.en).and.contain('Withheld');
    await shot(page, 'growth-withheld-en');
  });

  it('shows the whole archive (CLR 2.0) as a table by dimension and term and a chart of entries', async () => {
    const clr = (await gw.step('POST', `/archives/${subjectId}/reports`, gen, { format: 'clr' }, 201))
      .verifiableCredential;
    for (const [locale, size, options] of [
      ['zh-CN', 'desktop', {}],
      ['zh-CN', 'phone', PHONE],
      ['en-US', 'desktop', {}],
    ] as const) {
      const page = await show(clr, locale, options);
      expect(
        await page.getByTestId('output').locator('.verdict').first().getAttribute('data-verdict'),
      ).to.equal('valid');
      const table = page.getByTestId('growth-table');
      expect(await table.locator('thead th').allInnerTexts()).to.deep.equal([
        locale === 'zh-CN' ? '维度' : 'Dimension',
        '2026-S1',
        '2026-S2',
      ]);
      const byDimension = await rows(page);
      expect(Object.keys(byDimension)).to.deep.equal(setDimensions.map((d) => d.dimensionId));
      // Not selectively disclosed: nothing is withheld; a dimension without entries shows a dash.
      expect(Object.values(byDimension).every((r) => !r.withheld)).to.equal(true);
      const cells = await table.locator('tr[data-dimension="academic"] td').allInnerTexts();
      expect(cells).to.deep.equal([ACADEMIC_S1, ACADEMIC_S2]);
      expect(await table.locator('tr[data-dimension="health"] td').allInnerTexts()).to.deep.equal([
        HEALTH_S1,
        '—',
      ]);
      const output = await page.getByTestId('output').innerText();
      expect(output).not.to.contain('{"ty');

      const chart = page.locator('[data-testid="growth-chart"][data-ready="true"]');
      await chart.waitFor();
      // Bars: every dimension of the set, for each of the two terms.
      expect(await chart.getAttribute('data-bars')).to.equal(String(setDimensions.length * 2));
      expect(await chart.locator('canvas').getAttribute('aria-label')).to.contain(
        locale === 'zh-CN' ? setDimensions.find((d) => d.dimensionId === 'academic')?.label.zh : 'Bar chart',
      );
      if (size === 'phone') {
        const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
        expect(overflow, 'page scrolls sideways at 375 px').to.equal(false);
      }
      await shot(page, `growth-chart-${locale === 'zh-CN' ? 'zh' : 'en'}-${size}`);
      await chart.screenshot({ path: join(SCREENSHOTS, `growth-chart-only-${locale}-${size}.png`) });
    }
  });

  it("names the student when the report's subject carries a name", async () => {
    const base = (await gw.step('POST', `/archives/${subjectId}/reports`, gen, { term: '2026-S2' }, 201))
      .verifiableCredential;
    const issued = await gw.step(
      'POST',
      '/credentials/issue',
      gen,
      {
        credential: {
          '@context': base['@context'],
          type: ['VerifiableCredential', 'GrowthTermReport'],
          issuer: base.issuer,
          name: base.name,
          credentialSubject: { ...base.credentialSubject, name: '韩梅梅' },
        },
      },
      201,
    );
    const page = await show(issued.verifiableCredential);
    expect(await page.getByTestId('student-name').innerText()).to.match(/学生姓名[:：]\s*韩梅梅/);
    expect((await rows(page))['academic']?.text).to.contain(ACADEMIC_S2);
  });
});
