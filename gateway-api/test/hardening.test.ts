import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { ERROR_CODES } from '@edu-ledger/domain';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

/** Every operation in the gateway's own OpenAPI document, with `{param}` filled in. */
export async function operations(
  gw: Gateway,
): Promise<{ method: string; path: string; template: string; op: Record<string, unknown> }[]> {
  const doc = (await gw.call('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      template,
      path: template.replace(/\{[A-Za-z]+\}/g, 'urn:uuid:6f1c2b9e-0d1a-4c1e-9b3a-5a2f7e9c1d00'),
      op: op as Record<string, unknown>,
    })),
  );
}

/** Sends a raw body (text or bytes) with the given headers. */
async function raw(
  gw: Gateway,
  method: string,
  path: string,
  body: string | Buffer | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${gw.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

function expectRefused(res: { status: number; body: any; text: string }, what: string, status = 400): void {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).to.equal(status);
  expect(res.body?.error?.code, what).to.equal('INVALID_ARGUMENT');
  expect(res.body.error.message, what).to.be.a('string').and.match(/ \/ /);
}

const NAMES = ['__proto__', 'constructor', 'prototype'] as const;

describe('gateway hardening: hostile JSON and caller mistakes', function () {
  this.timeout(120_000);
  let gw: Gateway;
  let issuer: string;
  let vc: Record<string, any>;

  before(async () => {
    gw = await startGateway();
    issuer = gw.tokens['school-admin@school-gen'] ?? '';
    vc = (
      await gw.step('POST', '/credentials/issue', issuer, achievementRequest('did:example:hz-holder'), 201)
    ).verifiableCredential;
  });
  after(async () => {
    await gw?.close();
  });

  /** Hostile bodies: forbidden keys as raw JSON text, and forbidden names as ids, types and contexts. */
  function hostileBodies(name: string): { label: string; text: string }[] {
    const status = [
      {
        id: `${gw.url}/status-lists/x#1`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '1',
        statusListCredential: name,
      },
    ];
    const values = [
      { verifiableCredential: { ...vc, credentialStatus: status } },
      { verifiableCredential: { ...vc, id: name } },
      { credential: { ...vc, type: ['VerifiableCredential', name] } },
      { verifiablePresentation: { '@context': [vc['@context'][0], name], type: ['VerifiablePresentation'] } },
      { credential: { '@context': [vc['@context'][0], { term: { '@id': name } }] } },
    ];
    return [
      { label: `key ${name}`, text: `{"options":{},"${name}":{"@id":"polluted"}}` },
      { label: `nested key ${name}`, text: `{"a":[{"b":{"${name}":{"@id":"polluted"}}}]}` },
      ...values.map((v, i) => ({ label: `value ${name} #${i}`, text: JSON.stringify(v) })),
    ];
  }

  it('refuses __proto__, constructor and prototype as keys or identifiers on every POST route, and stays healthy', async () => {
    const posts = (await operations(gw)).filter((o) => o.method === 'POST');
    expect(posts.map((o) => o.template)).to.include.members([
      '/credentials/verify',
      '/verification-receipts',
    ]);
    const height = await gw.ledger.height();
    for (const { path } of posts) {
      for (const name of NAMES) {
        for (const { label, text } of hostileBodies(name)) {
          for (const token of [undefined, issuer, gw.tokens['verifier@bureau']]) {
            const headers: Record<string, string> = { 'content-type': 'application/json' };
            if (token) headers.authorization = `Bearer ${token}`;
            expectRefused(await raw(gw, 'POST', path, text, headers), `POST ${path} ${label}`);
          }
        }
      }
    }
    expect(await gw.ledger.height(), 'refused requests write nothing').to.equal(height);
    expect(({} as Record<string, unknown>)['@id']).to.equal(undefined);
    expect(Object.keys(Object.prototype)).to.deep.equal([]);
    expect(Object.keys(Array.prototype)).to.deep.equal([]);

    const fresh = (
      await gw.step('POST', '/credentials/issue', issuer, achievementRequest('did:example:hz-2'), 201)
    ).verifiableCredential;
    for (const credential of [vc, fresh]) {
      const verified = await gw.call('POST', '/credentials/verify', {
        body: { verifiableCredential: credential },
      });
      expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
    }
    const statusUrl = new URL(
      String(
        fresh.credentialStatus?.[0]?.statusListCredential ?? fresh.credentialStatus?.statusListCredential,
      ),
    );
    expect((await gw.call('GET', statusUrl.pathname)).status).to.equal(200);
  });

  it('answers malformed percent-encoding in any path parameter with 400 INVALID_ARGUMENT', async () => {
    const withParams = (await operations(gw)).filter((o) => o.template.includes('{'));
    expect(withParams.length).to.be.greaterThan(10);
    for (const { method, template } of withParams) {
      const path = template.replace(/\{[A-Za-z]+\}/g, '%E0%A4%A');
      const res = await raw(gw, method, path, method === 'GET' ? undefined : '{}', {
        'content-type': 'application/json',
        authorization: `Bearer ${issuer}`,
      });
      expectRefused(res, `${method} ${path}`);
    }
  });

  it('refuses bodies whose encoding is wrong, unknown or not JSON, with stable codes', async () => {
    const body = JSON.stringify({ verifiableCredential: vc });
    const gzipHeader = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    expectRefused(await raw(gw, 'POST', '/credentials/verify', body, gzipHeader), 'gzip header, plain body');
    expectRefused(
      await raw(gw, 'POST', '/credentials/verify', body, {
        'content-type': 'application/json',
        'content-encoding': 'zstd-x',
      }),
      'unknown encoding',
      415,
    );
    const zipped = await raw(gw, 'POST', '/credentials/verify', gzipSync(body), gzipHeader);
    expect(zipped.status, 'a real gzip body is accepted').to.equal(200);
    expectRefused(await raw(gw, 'POST', '/credentials/verify', '{"verifiableCredential":'), 'truncated JSON');
    expectRefused(
      await raw(gw, 'POST', '/credentials/verify', `{"verifiableCredential":"${'a'.repeat(1_100_000)}"}`),
      'over the size limit',
      413,
    );
  });

  it('refuses numbers out of range and deep nesting before any route sees them', async () => {
    for (const number of ['1e309', '-1e309', '1E400']) {
      expectRefused(
        await raw(gw, 'POST', '/credentials/verify', `{"verifiableCredential":{"n":${number}}}`),
        number,
      );
      expectRefused(
        await raw(gw, 'POST', '/credentials/issue', `{"credential":{"n":${number}}}`, {
          'content-type': 'application/json',
          authorization: `Bearer ${issuer}`,
        }),
        `issue ${number}`,
      );
    }
    for (const depth of [65, 20_000]) {
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      expectRefused(
        await raw(gw, 'POST', '/credentials/verify', `{"verifiableCredential":{"n":${nested}}}`),
        `depth ${depth}`,
      );
    }
    const shallow = { ...vc, extra: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown };
    const res = await gw.call('POST', '/credentials/verify', { body: { verifiableCredential: shallow } });
    expect(res.body.error, 'moderate nesting reaches the verifier').to.equal(undefined);
  });

  it('refuses a credential that is not valid JSON-LD with 400 naming the problem, never 500', async () => {
    const issue = async (mutate: (credential: Record<string, any>) => void): Promise<any> => {
      const request = achievementRequest('did:example:hz-3') as { credential: Record<string, any> };
      mutate(request.credential);
      const height = await gw.ledger.height();
      const res = await raw(gw, 'POST', '/credentials/issue', JSON.stringify(request), {
        'content-type': 'application/json',
        authorization: `Bearer ${issuer}`,
      });
      expectRefused(res, JSON.stringify(request.credential).slice(0, 120));
      expect(await gw.ledger.height()).to.equal(height);
      return res.body.error.message;
    };
    expect(await issue((c) => (c.credentialSubject.undefinedTermHz = 'x'))).to.include('undefinedTermHz');
    expect(await issue((c) => c['@context'].push('https://unknown.example/ctx'))).to.include(
      'https://unknown.example/ctx',
    );
    expect(await issue((c) => c['@context'].push({ '@version': 2 }))).to.match(/JSON-LD/);
    expect(await issue((c) => c['@context'].push({ bad: { '@id': 5 } }))).to.match(/JSON-LD/);
    expect(ERROR_CODES).to.include('INVALID_ARGUMENT');
  });
});
