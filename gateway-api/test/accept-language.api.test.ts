import { expect } from 'chai';
import { startGateway, type Gateway } from './harness.js';

const CHINESE = /[\u3400-\u9fff]/;

describe('gateway: error messages follow Accept-Language, codes stay the same', function () {
  this.timeout(60_000);
  let gw: Gateway;

  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  async function refusal(
    method: string,
    path: string,
    language: string | undefined,
    extra: Record<string, string> = {},
    body?: string,
  ): Promise<{ status: number; code: string; message: string }> {
    const response = await fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(language ? { 'accept-language': language } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...extra,
      },
      body,
    });
    const json = (await response.json()) as { error: { code: string; message: string } };
    return { status: response.status, ...json.error };
  }

  // One refusal of each origin: a domain error with an English detail, one with a bilingual
  // detail, the body parser's, and the router's.
  const cases: [string, string, Record<string, string>, string | undefined, number, string][] = [
    ['GET', '/ledger/verify', {}, undefined, 401, 'UNAUTHENTICATED'],
    ['GET', '/no-such-route', {}, undefined, 404, 'NOT_FOUND'],
    ['POST', '/credentials/verify', {}, '{not json', 400, 'INVALID_ARGUMENT'],
    ['POST', '/subjects', { authorization: 'Bearer x' }, '{}', 401, 'UNAUTHENTICATED'],
  ];

  it('answers in both languages without Accept-Language, and for zh', async () => {
    for (const [method, path, headers, body, status, code] of cases) {
      for (const language of [undefined, 'zh-CN,zh;q=0.9', 'zh']) {
        const res = await refusal(method, path, language, headers, body);
        expect(res.status, `${path} ${language}`).to.equal(status);
        expect(res.code).to.equal(code);
        expect(res.message, `${path} ${language}`).to.match(CHINESE);
        expect(res.message, `${path} ${language}`).to.match(/[a-z]{3}/);
      }
    }
  });

  it('answers in English only for en (with its q-values), the same code and status', async () => {
    for (const [method, path, headers, body, status, code] of cases) {
      for (const language of ['en', 'en-GB', 'fr;q=0.9, en;q=0.8, zh;q=0.1']) {
        const res = await refusal(method, path, language, headers, body);
        expect(res.status, `${path} ${language}`).to.equal(status);
        expect(res.code).to.equal(code);
        expect(res.message, `${path} ${language}: ${res.message}`).to.not.match(CHINESE);
        expect(res.message, `${path} ${language}`).to.match(/[a-z]{3}/);
      }
    }
    const both = await refusal('GET', '/no-such-route', undefined);
    expect(both.message).to.equal('没有这个接口 / no such route');
    expect((await refusal('GET', '/no-such-route', 'en')).message).to.equal('no such route');
    expect((await refusal('GET', '/ledger/verify', 'en')).message).to.equal('a bearer token is required');
  });

  it('keeps both languages when neither is asked for', async () => {
    const res = await refusal('GET', '/no-such-route', 'fr');
    expect(res.message).to.equal('没有这个接口 / no such route');
  });
});
