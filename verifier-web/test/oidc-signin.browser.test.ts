import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { freePort, startGatewayProcess, type Run } from '../../gateway-api/test/gateway-process.js';
import { providerKey } from '../../gateway-api/test/oidc-support.js';
import { SCREENSHOTS, TestPages, ensureBuilt, launchBrowser, startWebGateway } from './web-harness.js';

/**
 * Staff sign-in on the verifier page through a real OpenID Connect provider (panva's
 * oidc-provider, in-process on 127.0.0.1): authorisation code with PKCE for the page's public
 * client, against the real gateway process (`npm start`'s entry point) with OIDC_* set, driven in
 * Chromium. The provider's own development login form stands for the region's login page.
 */
const AUDIENCE = 'urn:edu-ledger:gateway';
const CLIENT_ID = 'edu-verifier-page';
const PERSON = 'P310101000789';
/** Who may log in at the provider (the login name is the account id) and what their token claims. */
const ACCOUNTS: Record<string, Record<string, string>> = {
  'inspector-li': { org_id: 'bureau', person_no: PERSON, role: 'inspector' },
};

interface TestProvider {
  issuer: string;
  /** The path and query of every request the provider received, in order. */
  seen: string[];
  /** Changes where the provider's redirects send the browser (a man in the middle, for a test). */
  rewriteRedirects: ((location: string) => string) | undefined;
  close: () => Promise<void>;
}

/** A provider whose one public client is the page: redirect back to `/verify/`, PKCE required, no secret. */
async function startCodeFlowProvider(redirectUri: string): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
      },
    ],
    jwks: { keys: [await providerKey()] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      // The page asks for no resource: the gateway's audience is the default, and its access
      // tokens are JWTs the gateway checks with the provider's keys.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api',
          audience: AUDIENCE,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) =>
      token.accountId ? ACCOUNTS[token.accountId] : undefined,
  });
  const seen: string[] = [];
  const handle = provider.callback();
  const rig: TestProvider = { issuer, seen, rewriteRedirects: undefined, close: () => Promise.resolve() };
  server.on('request', (req, res) => {
    seen.push(req.url ?? '');
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name, value) =>
      setHeader(
        name,
        name.toLowerCase() === 'location' && rig.rewriteRedirects
          ? rig.rewriteRedirects(String(value))
          : value,
      );
    handle(req, res);
  });
  rig.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return rig;
}

// Embedded ledger only: a person's role is granted to a ledger identity the gateway holds for that
// person (`staff-<pseudonym>@<org>`), which the embedded ledger creates and a Fabric network would
// have to enrol through its CA (not built yet; see docs/production/first-hour.md).
describe('verifier-web staff sign-in with unified identity (OIDC authorisation code + PKCE)', function () {
  this.timeout(180_000);
  let root: string;
  let provider: TestProvider;
  let gateway: Run | undefined;
  let gatewayUrl: string;
  let browser: Browser;
  const pages = new TestPages(
    () => browser,
    () => gatewayUrl,
  );

  before(async function () {
    if (process.env['LEDGER'] === 'fabric') this.skip();
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'edu-oidc-page-'));
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    provider = await startCodeFlowProvider(`${gatewayUrl}/verify/`);
    [gateway, browser] = await Promise.all([
      startGatewayProcess(join(root, 'data'), port, {
        env: {
          LEDGER: 'embedded',
          SIGNING_WORKERS: '0',
          OIDC_ISSUER: provider.issuer,
          OIDC_AUDIENCE: AUDIENCE,
          OIDC_CLIENT_ID: CLIENT_ID,
        },
      }),
      launchBrowser(),
    ]);
    expect(gateway.code, gateway.output()).to.equal(undefined);
    // The bureau grants the person the inspector role on the ledger (by person number, a pseudonym there).
    const tokens = JSON.parse(readFileSync(join(root, 'data', 'demo-tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    const grant = await fetch(`${gatewayUrl}/admin/organizations/bureau/roles/grant`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens['bureau-admin@bureau'] ?? ''}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ person: PERSON, roles: ['inspector'] }),
    });
    expect(grant.status, await grant.text()).to.equal(200);
  });

  afterEach(async () => {
    expect(await pages.closeAll(), 'uncaught errors in the page').to.deep.equal([]);
  });

  after(async () => {
    await browser?.close();
    if (gateway && !gateway.done) await gateway.kill('SIGTERM');
    await provider?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** The bearer and the pending sign-in (PKCE verifier, state, nonce) the page keeps in sessionStorage. */
  const stored = async (page: Page): Promise<{ token: string | null; pending: string | null }> =>
    (await page.evaluate(
      "({ token: sessionStorage.getItem('verifier.token'), pending: sessionStorage.getItem('verifier.oidc.pending') })",
    )) as { token: string | null; pending: string | null };

  /** The query of every authorisation request the provider received. */
  const authorisationRequests = (): URLSearchParams[] =>
    provider.seen
      .map((p) => new URL(p, provider.issuer))
      .filter((u) => u.pathname === '/auth')
      .map((u) => u.searchParams);

  /** Clicks the page's button and logs in at the provider's login and consent forms. */
  async function logInAtProvider(page: Page): Promise<void> {
    await page.getByTestId('oidc-sign-in').click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill('inspector-li');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    // The consent form (scopes and the gateway's resource) has a single "Continue" button.
    await page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]').click();
    await page.waitForURL((url) => url.href.startsWith(`${gatewayUrl}/verify/`));
  }

  it('offers the button only because the gateway names a provider (GET /session/oidc)', async () => {
    const res = await fetch(`${gatewayUrl}/session/oidc`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ issuer: provider.issuer, clientId: CLIENT_ID, scope: 'openid' });
    const page = await pages.open('/verify/?view=audit', 'en-US');
    await page.getByTestId('oidc-sign-in').waitFor();
    expect(await page.getByTestId('oidc-sign-in').innerText()).to.equal('Sign in with unified identity');
    // Machine users keep the token form.
    expect(await page.getByTestId('token').isVisible()).to.equal(true);
  });

  it('lets the page reach the provider: its CSP names the issuer’s origin in connect-src', async () => {
    const csp = (await fetch(`${gatewayUrl}/verify/`)).headers.get('content-security-policy') ?? '';
    expect(csp).to.match(new RegExp(`connect-src [^;]*${provider.issuer.replace(/[.]/g, '\\.')}`));
  });

  it('offers no provider sign-in where none is configured (404 NOT_FOUND, no button)', async () => {
    // A gateway of the test harness, started from this process's environment, which sets no OIDC_*.
    const plain = await startWebGateway();
    try {
      const res = await plain.call('GET', '/session/oidc');
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('NOT_FOUND');
      expect(res.body.error.message).to.equal(
        '本网关未配置统一身份认证登录 / no unified identity sign-in is configured on this gateway',
      );
      // A fresh context (opened on the configured gateway), then this gateway's page in it.
      const page = await pages.open('/verify/?view=audit', 'zh-CN');
      await page.goto(`${plain.url}/verify/?view=audit`);
      await page.getByTestId('token').waitFor();
      expect(await page.getByTestId('oidc-sign-in').count()).to.equal(0);
    } finally {
      await plain.close();
    }
  });

  it('signs a staff member in at the provider with PKCE (S256) and calls the gateway with the access token', async () => {
    const page = await pages.open('/verify/?view=audit', 'zh-CN');
    expect(await page.getByTestId('oidc-sign-in').innerText()).to.equal('统一身份认证登录');
    await logInAtProvider(page);

    const signedIn = page.getByTestId('signed-in');
    await signedIn.waitFor();
    expect(await signedIn.getAttribute('data-org')).to.equal('bureau');
    expect(await signedIn.getAttribute('data-role')).to.equal('inspector');
    expect(await signedIn.innerText()).to.contain('督导员');
    // Back in the view the sign-in started from, with the callback gone from the address bar.
    const back = new URL(page.url());
    expect(back.searchParams.get('view')).to.equal('audit');
    expect([...back.searchParams.keys()].filter((k) => ['code', 'state', 'iss'].includes(k))).to.deep.equal(
      [],
    );

    // The provider saw a PKCE challenge (S256) with state and nonce on the authorisation request.
    const query = authorisationRequests().at(-1);
    expect(query, provider.seen.join('\n')).to.not.equal(undefined);
    expect(query?.get('code_challenge_method')).to.equal('S256');
    expect(query?.get('code_challenge')).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(query?.get('client_id')).to.equal(CLIENT_ID);
    expect(query?.get('redirect_uri')).to.equal(`${gatewayUrl}/verify/`);
    expect(query?.get('state')).to.have.length.greaterThan(20);
    expect(query?.get('nonce')).to.have.length.greaterThan(20);

    // The bearer is the provider's access token for the gateway; the verifier and state are gone.
    const kept = await stored(page);
    expect(kept.pending).to.equal(null);
    const claims = decodeJwt(kept.token ?? '');
    expect(claims).to.include({ iss: provider.issuer, aud: AUDIENCE, role: 'inspector' });

    // An authenticated call with it: the audit console loads the school's records.
    await page.getByTestId('school').selectOption('school-gen');
    await page.getByTestId('audit-load').click();
    await page.getByTestId('audit-count').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'oidc-signed-in-audit.png'), fullPage: true });

    // Sign-out forgets the token.
    await page.getByTestId('sign-out').click();
    await page.getByTestId('oidc-sign-in').waitFor();
    expect((await stored(page)).token).to.equal(null);
  });

  it('refuses a callback whose state was tampered with: bilingual message, nobody signed in', async () => {
    const page = await pages.open('/verify/', 'zh-CN');
    // The redirect back to the page arrives with another state than the one the page sent.
    let tampered = false;
    provider.rewriteRedirects = (location) => {
      const url = new URL(location, provider.issuer);
      if (!url.href.startsWith(`${gatewayUrl}/verify/`) || !url.searchParams.has('state')) return location;
      tampered = true;
      url.searchParams.set('state', `${url.searchParams.get('state') ?? ''}x`);
      return url.href;
    };
    try {
      await logInAtProvider(page);
    } finally {
      provider.rewriteRedirects = undefined;
    }
    expect(tampered).to.equal(true);
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    expect(await error.innerText()).to.contain('登录回调无效（state 不符），未登录任何人');
    expect(await page.getByTestId('signed-in').count()).to.equal(0);
    expect(await stored(page)).to.deep.equal({ token: null, pending: null });
    await page.screenshot({ path: join(SCREENSHOTS, 'oidc-bad-state.png'), fullPage: true });
  });

  it('refuses a callback without a state, and an error= callback, in English too', async () => {
    const page = await pages.open('/verify/?code=forged-code', 'en-US');
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    // No sign-in was started in this tab: nothing to compare a state with.
    expect(await error.innerText()).to.contain('nobody was signed in');
    expect(await stored(page)).to.deep.equal({ token: null, pending: null });

    // A real start, then the provider answers with an error (the person cancelled).
    await page.getByTestId('oidc-sign-in').click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    const state = authorisationRequests().at(-1)?.get('state');
    expect(state).to.be.a('string');
    await page.goto(
      `${gatewayUrl}/verify/?error=access_denied&state=${state ?? ''}&iss=${encodeURIComponent(provider.issuer)}`,
    );
    await error.waitFor();
    expect(await error.innerText()).to.contain('Unified identity did not sign you in (access_denied)');
    expect(await page.getByTestId('signed-in').count()).to.equal(0);
    expect(await stored(page)).to.deep.equal({ token: null, pending: null });
  });
});
