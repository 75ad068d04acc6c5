import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startGateway, type Gateway } from '../../gateway-api/test/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(here, '..');
export const DIST = join(WEB_DIR, 'dist');
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
