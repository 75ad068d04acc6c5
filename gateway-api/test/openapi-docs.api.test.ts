import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import { startGateway, type Gateway } from './harness.js';

const SCREENSHOTS = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'artifacts', 'screenshots');

/** A 2xx response that says what it carries: a JSON schema, or another media type (a PDF). */
function documentsSuccess(responses: Record<string, any>): boolean {
  return Object.entries(responses).some(([status, response]) => {
    if (!/^2\d\d$/.test(status)) return false;
    const content = response?.content as Record<string, any> | undefined;
    if (!content) return false;
    return Object.entries(content).some(([type, media]) =>
      type === 'application/json'
        ? media?.schema !== undefined && Object.keys(media.schema).length > 0
        : true,
    );
  });
}

/** A redirect-only operation (a short link) documents its 3xx instead. */
const redirectsOnly = (responses: Record<string, any>): boolean =>
  Object.keys(responses).some((s) => /^3\d\d$/.test(s)) && !Object.keys(responses).some((s) => /^2/.test(s));

describe('gateway: API documentation (openapi.json and /docs)', function () {
  this.timeout(60_000);
  let gw: Gateway;

  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it('documents a success body for every operation', async () => {
    const doc = (await gw.call('GET', '/openapi.json')).body;
    const missing: string[] = [];
    let operations = 0;
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(methods)) {
        operations++;
        if (!documentsSuccess(operation.responses) && !redirectsOnly(operation.responses))
          missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(operations).to.be.greaterThan(60);
    expect(missing, `operations without a 2xx body schema: ${missing.join(', ')}`).to.deep.equal([]);
    const cert = doc.paths['/credentials/{id}/certificate.pdf'].get;
    expect(Object.keys(cert.responses['200'].content)).to.deep.equal(['application/pdf']);
    expect(cert.parameters.map((p: any) => `${p.in}:${p.name}`)).to.include('query:proof');
  });

  it('serves Swagger UI at /docs, which renders the operations under the CSP', async () => {
    const page = await fetch(`${gw.url}/docs/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    expect(page.headers.get('content-security-policy')).to.be.a('string');
    expect(await page.text()).to.include('swagger-ui');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const tab = await browser.newPage();
      const violations: string[] = [];
      tab.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await tab.goto(`${gw.url}/docs/`);
      await tab.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
      const paths = await tab.locator('.opblock-summary-path').allTextContents();
      expect(paths.join(' ')).to.include('/credentials/{id}/certificate.pdf');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await tab.screenshot({ path: join(SCREENSHOTS, 'api-docs.png') });
      expect(violations, violations.join('\n')).to.deep.equal([]);
    } finally {
      await browser.close();
    }
  });
});
