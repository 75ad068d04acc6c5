/**
 * Copies the screenshots the README shows from the browser tests' output (artifacts/screenshots,
 * git-ignored) into docs/screenshots, so they are refreshed by running the tests that take them:
 * `npm run screenshots`.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const FROM = resolve(ROOT, 'artifacts', 'screenshots');
const TO = resolve(ROOT, 'docs', 'screenshots');

/** README picture ← the browser test screenshot it comes from. */
const PICTURES: Record<string, string> = {
  'growth-archive.png': 'growth-chart-zh-desktop.png', // growth-report.browser.test.ts
  'pd-progress.png': 'chart-pd-progress.png', // records-charts.browser.test.ts
  'verdict-revoked-phone.png': 'verdict-revoked-en-phone.png', // verify-flow.browser.test.ts
};

mkdirSync(TO, { recursive: true });
const missing = Object.values(PICTURES).filter((source) => !existsSync(resolve(FROM, source)));
if (missing.length > 0) {
  console.error(`not taken by the browser tests: ${missing.join(', ')}`);
  process.exit(1);
}
for (const [picture, source] of Object.entries(PICTURES)) {
  copyFileSync(resolve(FROM, source), resolve(TO, picture));
  console.log(`docs/screenshots/${picture} ← artifacts/screenshots/${source}`);
}
