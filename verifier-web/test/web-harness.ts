import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { startGateway, type Gateway } from '../../gateway-api/test/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(here, '..');
/** VERIFIER_WEB_DIST serves another build (e.g. an older one, to see a new test fail on it). */
export const DIST = process.env['VERIFIER_WEB_DIST'] ?? join(WEB_DIR, 'dist');
export const SCREENSHOTS = resolve(WEB_DIR, '..', 'artifacts', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/**
 * `npm test` builds the app first (root `pretest`); running mocha alone on a fresh clone would
 * find no dist/, so build it here in that case rather than test a page that is not there.
 */
export function ensureBuilt(): void {
  if (existsSync(join(DIST, 'index.html'))) return;
  execFileSync('npm', ['run', 'build', '-w', '@edu-ledger/verifier-web'], {
    cwd: resolve(WEB_DIR, '..'),
    stdio: 'inherit',
  });
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this in CI)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export type WebGateway = Gateway;

/** A real gateway (gateway-api's test harness) with the built verifier app mounted at /verify, as main.ts does. */
export async function startWebGateway(): Promise<WebGateway> {
  ensureBuilt();
  return startGateway({ staticMounts: [{ path: '/verify', dir: DIST }] });
}

/**
 * Pages a browser test opens: each in its own context (closed after the test), with uncaught page
 * errors collected, since a test that passes while its page throws is still broken.
 */
export class TestPages {
  private contexts: BrowserContext[] = [];
  private errors: string[] = [];

  constructor(
    private readonly browser: () => Browser,
    private readonly baseUrl: () => string,
  ) {}

  /** Opens `path` of the gateway in a fresh context (desktop size unless `options` say otherwise). */
  async open(path: string, locale = 'zh-CN', options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.browser().newContext({
      locale,
      viewport: { width: 1100, height: 900 },
      ...options,
    });
    this.contexts.push(context);
    // On Fabric a page's API calls wait for endorsement and history queries: on a loaded 2-core
    // machine the audit console took 20 s to show its records, so Playwright's 30 s default left
    // no margin. Waits still end at the first sign of the element; this only bounds a failure.
    context.setDefaultTimeout(process.env['LEDGER'] === 'fabric' ? 90_000 : 30_000);
    const page = await context.newPage();
    page.on('pageerror', (e) => this.errors.push(e.message));
    await page.goto(`${this.baseUrl()}${path}`);
    return page;
  }

  /** Closes every context opened since the last call; returns the page errors they saw. */
  async closeAll(): Promise<string[]> {
    await Promise.all(this.contexts.map((c) => c.close()));
    this.contexts = [];
    const errors = this.errors;
    this.errors = [];
    return errors;
  }
}
