import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { didKeyFromSeed, EDU_V1_CONTEXT } from '@edu-ledger/credentials';
import {
  achievementRequest,
  completionRequest,
  registerOnLedger,
  SCHOOL_GEN,
  startGateway,
  type Gateway,
} from './harness.js';
import type { WebVerification } from './support/web-verifier.js';

const TEACHER = `subj-${'c7'.repeat(16)}`;
const EDU_FILE = new URL('../../lib/credentials/contexts/edu-v1.json', import.meta.url);
const WEB_VERIFIER = fileURLToPath(new URL('./support/web-verifier.ts', import.meta.url));

/**
 * Verifies credentials with @digitalbazaar/vc in a separate process whose document loader fetches
 * every context it does not bundle over HTTP (see support/web-verifier.ts): a verifier on the web,
 * not one that shares this process's jsonld.js context cache with the gateway.
 */
function verifyOnTheWeb(gatewayUrl: string, credentials: readonly unknown[]): Promise<WebVerification[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', WEB_VERIFIER],
      { maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`web verifier failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as WebVerification[]);
      },
    );
    child.stdin?.end(JSON.stringify({ gatewayUrl, credentials }));
  });
}

describe('gateway: our JSON-LD context resolves on the web', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let contextUrl: string;
  let holder: string;

  before(async () => {
    gw = await startGateway();
    contextUrl = `${gw.url}/contexts/edu/v1`;
    holder = (await didKeyFromSeed(new Uint8Array(32).fill(41))).did;
    await registerOnLedger(gw, SCHOOL_GEN, TEACHER, 'teacher');
  });
  after(() => gw?.close());

  /** A PD completion credential, built by the gateway (the route chooses its contexts). */
  async function pdCredential(completionId: string): Promise<any> {
    await gw.step(
      'POST',
      '/pd/completions',
      gw.tokens['provider-admin@provider'],
      completionRequest(completionId, TEACHER),
      201,
    );
    await gw.step(
      'POST',
      `/pd/completions/${TEACHER}/${completionId}/decision`,
      gw.tokens['school-admin@school-gen'],
      { confirm: true },
      200,
    );
    const issued = await gw.step(
      'POST',
      `/pd/completions/${TEACHER}/${completionId}/credential`,
      gw.tokens['provider-admin@provider'],
      { holderDid: holder },
      201,
    );
    return issued.verifiableCredential;
  }

  it('serves the context at ${PUBLIC_URL}/contexts/edu/v1: the bundled bytes, JSON-LD, immutable, with ETag and digest', async () => {
    const bytes = readFileSync(EDU_FILE);
    const digest = createHash('sha256').update(bytes).digest();
    const res = await fetch(contextUrl, { headers: { accept: 'application/ld+json' } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/ld\+json\b/);
    const cache = res.headers.get('cache-control') ?? '';
    expect(cache)
      .to.include('immutable')
      .and.include('public')
      .and.match(/max-age=\d{7,}/);
    expect(res.headers.get('etag')).to.equal(`"sha256-${digest.toString('base64url')}"`);
    expect(res.headers.get('content-digest')).to.equal(`sha-256=:${digest.toString('base64')}:`);
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).to.equal(true);

    // An explicit Cache-Control: without one, fetch adds `no-cache` to a conditional request.
    const again = await fetch(contextUrl, {
      headers: { 'if-none-match': res.headers.get('etag') ?? '', 'cache-control': 'max-age=0' },
    });
    expect(again.status).to.equal(304);
    expect(await again.text()).to.equal('');

    const head = await fetch(contextUrl, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('etag')).to.equal(res.headers.get('etag'));

    const openapi = await gw.call('GET', '/openapi.json');
    expect(openapi.body.paths).to.have.property('/contexts/edu/v1');
  });

  it("names the deployment's context URL in the credentials the gateway builds itself", async () => {
    const pd = await pdCredential('ctx-1');
    expect(pd['@context']).to.include(contextUrl);
    expect(pd['@context']).to.not.include(EDU_V1_CONTEXT);

    const issued = await gw.step(
      'POST',
      '/credentials/issue',
      gw.tokens['school-admin@school-gen'],
      achievementRequest(holder),
      201,
    );
    const receipt = await gw.step(
      'POST',
      '/verification-receipts',
      gw.tokens['verifier@university'],
      { verifiableCredential: issued.verifiableCredential },
      201,
    );
    expect(receipt.verifiableCredential['@context']).to.include(contextUrl);
    expect(JSON.stringify([pd, receipt])).to.not.include('edu-ledger.example/contexts');
  });

  it('a verifier that fetches contexts over HTTP verifies our credentials with @digitalbazaar/vc', async () => {
    const pd = await pdCredential('ctx-2');
    const request = achievementRequest(holder);
    const credential = (request as any).credential;
    credential['@context'] = credential['@context'].map((c: string) =>
      c === EDU_V1_CONTEXT ? contextUrl : c,
    );
    const badge = (
      await gw.step('POST', '/credentials/issue', gw.tokens['school-admin@school-gen'], request, 201)
    ).verifiableCredential;

    const unreachable = {
      ...badge,
      '@context': badge['@context'].map((c: string) => (c === contextUrl ? EDU_V1_CONTEXT : c)),
    };
    const [pdResult, badgeResult, unreachableResult] = await verifyOnTheWeb(gw.url, [pd, badge, unreachable]);
    for (const [name, result, issuerOrg] of [
      ['PD completion badge', pdResult, 'provider'],
      ['achievement badge', badgeResult, 'school-gen'],
    ] as const) {
      expect(result?.verified, `${name}: ${result?.error}`).to.equal(true);
      // Our context really came over HTTP from the gateway, as JSON-LD; so did the issuer's DID document.
      const context = result?.fetched.find((f) => f.url === contextUrl);
      expect(context, `${name}: ${JSON.stringify(result?.fetched)}`).to.not.equal(undefined);
      expect(context?.status).to.equal(200);
      expect(context?.contentType).to.match(/^application\/ld\+json/);
      expect(result?.fetched.map((f) => f.url)).to.include(`${gw.url}/orgs/${issuerOrg}/did.json`);
    }

    // The same verifier fails a credential whose context cannot be dereferenced: what every
    // credential naming https://edu-ledger.example/contexts/edu/v1 met on the web before.
    expect(unreachableResult?.verified).to.equal(false);
    expect(unreachableResult?.error).to.include('edu-ledger.example');
  });

  it("verifies at the gateway (offline) credentials naming this deployment's, another deployment's or the original context URL", async () => {
    for (const url of [contextUrl, 'https://edu.other-city.example/contexts/edu/v1', EDU_V1_CONTEXT]) {
      const request = achievementRequest(holder, `跨部署上下文 Cross-deployment context ${url.length}`);
      const credential = (request as any).credential;
      credential['@context'] = credential['@context'].map((c: string) => (c === EDU_V1_CONTEXT ? url : c));
      const issued = await gw.call('POST', '/credentials/issue', {
        token: gw.tokens['school-admin@school-gen'],
        body: request,
      });
      expect(issued.status, `${url}: ${JSON.stringify(issued.body)}`).to.equal(201);
      const verified = await gw.call('POST', '/credentials/verify', {
        body: { verifiableCredential: issued.body.verifiableCredential },
      });
      expect(verified.status, `${url}: ${JSON.stringify(verified.body)}`).to.equal(200);
      expect(verified.body.verified).to.equal(true);
    }
  });
});
