import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { SCHOOL_GEN, completionRequest, registerOnLedger } from '../../gateway-api/test/harness.js';
import { SCREENSHOTS, TestPages, launchBrowser, startWebGateway, type WebGateway } from './web-harness.js';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const TEACHER = `subj-${'c4'.repeat(16)}`;
/** The chart colours (charts-records.ts COLOURS): the first and second series' bars. */
const BLUE = [0, 114, 178] as const;
const ORANGE = [230, 159, 0] as const;

describe('verifier-web record charts: PD progress, self vs external evaluation, inspections per school', function () {
  this.timeout(process.env['LEDGER'] === 'fabric' ? 360_000 : 120_000);
  let gw: WebGateway;
  let browser: Browser;
  let progress: any;
  const pages = new TestPages(
    () => browser,
    () => gw.url,
  );

  before(async () => {
    [gw, browser] = await Promise.all([startWebGateway(), launchBrowser()]);
    const provider = gw.tokens['provider-admin@provider'];
    const school = gw.tokens['school-admin@school-gen'];
    const inspector = gw.tokens['inspector@bureau'];
    // PD: 30 online credits (capped at 24) and 2 open-lesson credits, both confirmed; one pending.
    await registerOnLedger(gw, SCHOOL_GEN, TEACHER, 'teacher');
    for (const [id, extra] of [
      ['c-online', { activityKind: 'online', hours: 300 }],
      ['c-lesson', { activityKind: 'open-lesson', hours: 10 }],
      ['c-pending', { activityKind: 'centralised', hours: 20 }],
    ] as const) {
      await gw.step('POST', '/pd/completions', provider, completionRequest(id, TEACHER, extra), 201);
      if (id !== 'c-pending')
        await gw.step('POST', `/pd/completions/${TEACHER}/${id}/decision`, school, { confirm: true }, 200);
    }
    progress = await gw.step('GET', `/pd/teachers/${TEACHER}/progress`, school, undefined, 200);

    // Evaluations: the school's self-evaluation and the bureau's external one, same period.
    const scores = (a: number, b: number): unknown[] => [
      { indicator: 'teaching-quality', score: a, maxScore: 100 },
      { indicator: 'governance', score: b, maxScore: 50 },
    ];
    await gw.step(
      'POST',
      '/evaluations',
      school,
      { schoolId: 'school-gen', period: '2026-S1', scores: scores(85, 40), summary: '自评' },
      201,
    );
    await gw.step(
      'POST',
      '/evaluations',
      inspector,
      { schoolId: 'school-gen', period: '2026-S1', scores: scores(80, 30), summary: '外评' },
      201,
    );

    // Inspections: school-gen visited (7/10 and 4/10: 55 %) with one overdue action; school-voc not.
    await gw.step(
      'POST',
      '/inspections',
      inspector,
      {
        inspectionId: 'insp-chart',
        schoolId: 'school-gen',
        indicatorSystem: 'smart-campus',
        title: { zh: '智慧校园专项督导', en: 'Smart campus inspection' },
        plannedFor: iso(Date.now() + 7 * DAY),
      },
      201,
    );
    await gw.step(
      'POST',
      '/inspections/insp-chart/visit',
      inspector,
      {
        scores: [
          { indicator: 'network', score: 7, maxScore: 10 },
          { indicator: 'data-governance', score: 4, maxScore: 10 },
        ],
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

  async function signedIn(role: string, locale = 'en-US', width?: number): Promise<Page> {
    const page = await pages.open(
      '/verify/?view=audit',
      locale,
      width ? { viewport: { width, height: 800 }, isMobile: true } : {},
    );
    await page.getByTestId('token').fill(gw.tokens[role] ?? '');
    await page.getByTestId('sign-in').click();
    await page.getByTestId('signed-in').waitFor();
    return page;
  }

  /** Rows of a chart's table alternative, as text cells. */
  async function tableRows(page: Page, testId: string): Promise<string[][]> {
    const table = page.getByTestId(`${testId}-table`);
    await table.waitFor();
    const rows = await table.locator('tbody tr').all();
    return Promise.all(
      rows.map(async (r) => (await r.locator('th, td').allInnerTexts()).map((c) => c.trim())),
    );
  }

  /**
   * Pixels of the chart's canvas, read back in the browser: how many are painted at all and how many
   * carry each series' colour above the legend (at the bottom, 40 CSS px), so only bars count: a
   * chart that drew its axes and legend but no bars has none. Browser code as text: the tests'
   * type-check has no DOM library.
   */
  const countPixels = (selector: string): string => `(() => {
    const canvas = document.querySelector(${JSON.stringify(selector)});
    const ctx = canvas && canvas.width > 0 ? canvas.getContext('2d') : null;
    if (!ctx) return { painted: 0, blue: 0, orange: 0 };
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height - 40 * devicePixelRatio).data;
    const is = (i, rgb) => d[i] === rgb[0] && d[i + 1] === rgb[1] && d[i + 2] === rgb[2] && d[i + 3] === 255;
    const out = { painted: 0, blue: 0, orange: 0 };
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) out.painted += 1;
      if (is(i, ${JSON.stringify(BLUE)})) out.blue += 1;
      if (is(i, ${JSON.stringify(ORANGE)})) out.orange += 1;
    }
    return out;
  })()`;

  async function pixels(
    page: Page,
    testId: string,
  ): Promise<{ painted: number; blue: number; orange: number }> {
    const script = countPixels(`[data-testid="${testId}-canvas"]`);
    // Chart.js draws once the canvas is laid out: wait for bars, then count.
    await page.waitForFunction(`${script}.blue > 0`);
    return (await page.evaluate(script)) as { painted: number; blue: number; orange: number };
  }

  const shotOf = (page: Page, testId: string, name: string): Promise<Buffer> =>
    page.getByTestId(testId).screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  it("draws a teacher's PD credits per kind against caps and the requirement, with a progress bar and a table", async () => {
    const page = await signedIn('school-admin@school-gen');
    await page.getByTestId('pd-teacher').fill(TEACHER);
    await page.getByTestId('pd-panel-load').click();
    const bar = page.getByTestId('pd-progress');
    await bar.waitFor();
    // What the gateway says today (26 of 72 credits), shown as it is.
    expect(progress).to.include({ total: 26, required: 72, pending: 1 });
    expect(await bar.getAttribute('data-progress')).to.equal(String(progress.progress));
    expect(await bar.getAttribute('value')).to.equal('26');
    expect(await bar.getAttribute('max')).to.equal('72');
    expect(await page.getByTestId('pd-summary').innerText()).to.contain(
      'Counted 26 of 72 学分 required (36.1%)',
    );
    const rows = await tableRows(page, 'pd-chart');
    expect(rows).to.deep.include(['Online training', '30', '24', '24']);
    expect(rows).to.deep.include(['Open lessons', '2', '2', '12']);
    expect(rows[rows.length - 1]).to.deep.equal(['Cycle requirement', '26', '26', '72']);
    const px = await pixels(page, 'pd-chart');
    expect(px.blue, JSON.stringify(px)).to.be.greaterThan(100);
    await shotOf(page, 'pd-panel', 'chart-pd-progress');
  });

  it('shows self and external evaluation scores per indicator side by side, in percent', async () => {
    const page = await signedIn('inspector@bureau');
    await page.getByTestId('eval-school').selectOption('school-gen');
    await page.getByTestId('eval-panel-load').click();
    const rows = await tableRows(page, 'eval-chart');
    expect(rows).to.deep.equal([
      ['teaching-quality', '85%', '80%'],
      ['governance', '80%', '60%'],
    ]);
    const caption = await page.getByTestId('eval-chart-table').locator('caption').innerText();
    expect(caption).to.contain('2026-S1');
    const px = await pixels(page, 'eval-chart');
    expect(px.blue, JSON.stringify(px)).to.be.greaterThan(100);
    expect(px.orange, JSON.stringify(px)).to.be.greaterThan(100);
    await shotOf(page, 'eval-panel', 'chart-evaluation-self-vs-external');
  });

  it("shows the inspector each school's latest inspection score and overdue actions", async () => {
    const page = await signedIn('inspector@bureau');
    await page.getByTestId('insp-panel-load').click();
    const rows = await tableRows(page, 'insp-chart');
    expect(rows).to.deep.include(['Demo City No.1 High School', '1', '55', '1']);
    const voc = rows.find((r) => r[0] !== 'Demo City No.1 High School');
    expect(voc?.slice(1)).to.deep.equal(['0', 'not inspected', '0']);
    const px = await pixels(page, 'insp-chart');
    expect(px.blue, JSON.stringify(px)).to.be.greaterThan(100);
    expect(px.orange, JSON.stringify(px)).to.be.greaterThan(100);
    await shotOf(page, 'insp-panel', 'chart-inspections-by-school');
  });

  it('refuses a school another school’s evaluations in the panel, with the gateway’s reason', async () => {
    const page = await signedIn('school-admin@school-voc');
    await page.getByTestId('eval-school').selectOption('school-gen');
    await page.getByTestId('eval-panel-load').click();
    const alert = page.getByTestId('eval-panel').getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).to.contain('FORBIDDEN_ORG');
    expect(text).to.contain('a school sees its own evaluations');
    expect(await page.getByTestId('eval-chart-canvas').count()).to.equal(0);
  });

  it('fits every chart on a 390 px phone without sideways scrolling (Chinese page)', async () => {
    const page = await signedIn('inspector@bureau', 'zh-CN', 390);
    await page.getByTestId('insp-panel-load').click();
    await page.getByTestId('eval-school').selectOption('school-gen');
    await page.getByTestId('eval-panel-load').click();
    await page.getByTestId('pd-teacher').fill(TEACHER);
    await page.getByTestId('pd-panel-load').click();
    for (const id of ['insp-chart', 'eval-chart', 'pd-chart'])
      expect((await pixels(page, id)).blue, id).to.be.greaterThan(50);
    expect(await tableRows(page, 'pd-chart')).to.deep.include(['远程（网络）培训', '30', '24', '24']);
    const widths = (await page.evaluate(
      '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
    )) as { scroll: number; inner: number };
    // A mobile browser zooms out to fit content that overflows, which widens innerWidth: it must
    // stay the phone's 390 px for the comparison to mean anything.
    expect(widths.inner, JSON.stringify(widths)).to.equal(390);
    expect(widths.scroll, JSON.stringify(widths)).to.be.at.most(widths.inner);
    await page.screenshot({ path: join(SCREENSHOTS, 'charts-phone.png'), fullPage: true });
  });
});
