import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  createDocumentLoader,
  didKeyFromSeed,
  EDU_V1_CONTEXT,
  EDU_V1_CONTEXT_FILE,
  EDU_V1_CONTEXT_PATH,
  EDU_VOCAB,
  eduContextUrl,
  isEduV1ContextUrl,
  issueCredential,
  VC_V2_CONTEXT,
  verifyCredentialProof,
} from '../src/index.js';
import { achievementCredential, growthTermReport, seed } from './fixtures.js';
import { withNetworkRecorded } from './no-network.js';

/** SHA-256 of contexts/edu-v1.json. The file is immutable: a change of meaning is a new version (v2). */
const EDU_V1_SHA256 = '668bf45ce738c7d6a6a356a2601ba75617e41a1653d52f8c167d75f2b35c8559';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('our context under deployment URLs (offline loader)', () => {
  const loader = createDocumentLoader({});
  const NOW = new Date('2025-03-01T08:30:15Z');

  it('names the context below a public base URL, and pins the bundled file it serves (immutable v1)', () => {
    expect(eduContextUrl('https://edu.city.example')).to.equal('https://edu.city.example/contexts/edu/v1');
    expect(eduContextUrl('http://127.0.0.1:8080/')).to.equal('http://127.0.0.1:8080/contexts/edu/v1');
    expect(eduContextUrl('https://gov.example/edu-ledger')).to.equal(
      'https://gov.example/edu-ledger/contexts/edu/v1',
    );
    expect(EDU_V1_CONTEXT_PATH).to.equal('/contexts/edu/v1');
    const bytes = readFileSync(new URL('../contexts/edu-v1.json', import.meta.url));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(sha256, 'edu-v1.json changed: publish a new version instead').to.equal(EDU_V1_SHA256);
    expect(EDU_V1_CONTEXT_FILE.sha256).to.equal(sha256);
    expect(Buffer.from(EDU_V1_CONTEXT_FILE.text, 'utf8').equals(bytes)).to.equal(true);
  });

  it("answers every deployment's URL and the original one with the one bundled copy, without I/O, and nothing like them", async () => {
    const urls = [
      'https://edu.city.example/contexts/edu/v1',
      'http://127.0.0.1:8080/contexts/edu/v1',
      'http://localhost:8080/contexts/edu/v1',
      'https://gov.example/edu-ledger/contexts/edu/v1',
      EDU_V1_CONTEXT,
    ];
    expect(urls.filter((url) => !isEduV1ContextUrl(url))).to.deep.equal([]);
    const { result, attempts } = await withNetworkRecorded(() => Promise.all(urls.map((url) => loader(url))));
    expect(attempts).to.deep.equal([]);
    const original = result[urls.length - 1]!.document;
    expect(original['@context']).to.have.nested.property('creditUnit.@id', `${EDU_VOCAB}creditUnit`);
    result.forEach((remote, i) => {
      expect(remote.documentUrl).to.equal(urls[i]);
      expect(remote.document, urls[i]).to.equal(original);
      expect(Object.isFrozen(remote.document)).to.equal(true);
    });

    // Only that shape: look-alikes are refused like any unknown context.
    const lookAlikes = [
      'https://edu.city.example/contexts/edu/v2',
      'https://edu.city.example/contexts/edu/v1/',
      'https://edu.city.example/contexts/edu/v1?v=2',
      'https://edu.city.example/contexts/edu/v1#x',
      'https://edu.city.example/mycontexts/edu/v1',
      'https://edu.city.example/contexts/edu/v10',
      'https://user:secret@edu.city.example/contexts/edu/v1',
      'ftp://edu.city.example/contexts/edu/v1',
      'file:///contexts/edu/v1',
      '/contexts/edu/v1',
      'contexts/edu/v1',
    ];
    for (const url of lookAlikes) {
      expect(isEduV1ContextUrl(url), url).to.equal(false);
      const { result, attempts } = await withNetworkRecorded(() => rejection(loader(url)));
      expect(attempts).to.deep.equal([]);
      expect(result, url).to.have.property('code', 'CONTEXT_NOT_ALLOWED');
    }
  });

  it('signs and verifies credentials that name a deployment URL, and still verifies those naming the original URL', async () => {
    const issuer = await didKeyFromSeed(seed(1));
    const student = await didKeyFromSeed(seed(2));
    const deployed = eduContextUrl('https://edu.city.example');
    for (const context of [deployed, EDU_V1_CONTEXT]) {
      for (const base of [
        achievementCredential({ issuer: issuer.did, subjectId: student.did }),
        growthTermReport({ issuer: issuer.did, subjectId: student.did }),
      ]) {
        const credential = {
          ...base,
          '@context': base['@context'].map((c) => (c === EDU_V1_CONTEXT ? context : c)),
        };
        const signed = await issueCredential({
          credential,
          key: issuer.key,
          documentLoader: loader,
          now: NOW,
        });
        const check = await verifyCredentialProof({ credential: signed, documentLoader: loader });
        expect(check, `${context} ${String(base.type)}`).to.include({ verified: true });
      }
    }
  });

  it('uses the bundled copy even when a host serves another document at that path: it is never asked', async () => {
    // A hostile deployment: same path, a context that gives `creditUnit` another meaning.
    let requests = 0;
    const hostile: Server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/ld+json' });
      res.end(
        JSON.stringify({ '@context': { creditUnit: 'https://evil.example/vocab#creditUnit', id: '@id' } }),
      );
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}${EDU_V1_CONTEXT_PATH}`;
      // The server really answers with its own document (so "never asked" is not a dead server).
      const served = (await (await fetch(url)).json()) as Record<string, unknown>;
      expect(served).to.have.nested.property('@context.creditUnit', 'https://evil.example/vocab#creditUnit');
      requests = 0;

      const remote = await loader(url);
      expect(remote.document).to.equal((await loader(EDU_V1_CONTEXT)).document);
      expect(remote.document['@context']).to.have.nested.property('creditUnit.@id', `${EDU_VOCAB}creditUnit`);

      // A credential naming that URL is read with our vocabulary: the proof covers what the bundled
      // context makes of it, so it verifies exactly when the issuer signed that.
      const issuer = await didKeyFromSeed(seed(3));
      const student = await didKeyFromSeed(seed(4));
      const base = growthTermReport({ issuer: issuer.did, subjectId: student.did });
      const credential = { ...base, '@context': [VC_V2_CONTEXT, url] };
      const signed = await issueCredential({ credential, key: issuer.key, documentLoader: loader, now: NOW });
      expect(await verifyCredentialProof({ credential: signed, documentLoader: loader })).to.include({
        verified: true,
      });
      expect(requests, 'requests that reached the hostile host').to.equal(0);
    } finally {
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
    }
  });
});
