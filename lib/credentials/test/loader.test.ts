import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as statusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import { contexts as ed25519Signature2020Contexts } from 'ed25519-signature-2020-context';
import {
  BITSTRING_STATUS_LIST_CONTEXT,
  CLR_V2_CONTEXT,
  createDocumentLoader,
  DATA_INTEGRITY_V2_CONTEXT,
  didKeyFromSeed,
  DocumentLoaderError,
  ED25519_2020_CONTEXT,
  EDU_V1_CONTEXT,
  EDU_VOCAB,
  generateEd25519Key,
  MULTIKEY_V1_CONTEXT,
  OB_V3_0_2_CONTEXT,
  OB_V3_CONTEXT,
  publicKeyOnly,
  VC_V1_CONTEXT,
  VC_V2_CONTEXT,
} from '../src/index.js';
import { seed } from './fixtures.js';
import { withNetworkRecorded } from './no-network.js';

const WEB_DID = 'did:web:school.example';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function contextFileSha256(file: string): string {
  return createHash('sha256')
    .update(readFileSync(new URL(`../contexts/${file}`, import.meta.url)))
    .digest('hex');
}

describe('createDocumentLoader', () => {
  const loader = createDocumentLoader({});

  it('serves every bundled context identical to the copy its npm package ships', async () => {
    const packaged: [string, unknown][] = [
      [VC_V2_CONTEXT, credentialsContexts.get(VC_V2_CONTEXT)],
      [VC_V1_CONTEXT, credentialsContexts.get(VC_V1_CONTEXT)],
      [DATA_INTEGRITY_V2_CONTEXT, dataIntegrityContexts.get(DATA_INTEGRITY_V2_CONTEXT)],
      [MULTIKEY_V1_CONTEXT, multikeyContexts.get(MULTIKEY_V1_CONTEXT)],
      [BITSTRING_STATUS_LIST_CONTEXT, statusListContexts.get(BITSTRING_STATUS_LIST_CONTEXT)],
      [ED25519_2020_CONTEXT, ed25519Signature2020Contexts.get(ED25519_2020_CONTEXT)],
    ];
    for (const [url, expected] of packaged) {
      expect(expected, url).to.be.an('object');
      const remote = await loader(url);
      expect(remote.documentUrl).to.equal(url);
      expect(remote.document, url).to.deep.equal(expected);
    }
  });

  it('serves the Open Badges 3.0 contexts byte-for-byte as recorded in contexts/README.md', async () => {
    expect(contextFileSha256('ob-v3p0-context-3.0.3.json')).to.equal(
      '01d87cc8b5357af557bfb09428f603c4691c49ef8a6089945a70bda1b96b1db2',
    );
    expect(contextFileSha256('ob-v3p0-context-3.0.2.json')).to.equal(
      '00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53',
    );
    const ob = (await loader(OB_V3_CONTEXT)).document['@context'];
    expect(ob).to.have.nested.property('AchievementCredential.@id', 'OpenBadgeCredential');
    expect(ob).to.have.nested.property(
      'AchievementSubject.@context.creditsEarned.@id',
      'https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsEarned',
    );
    expect(contextFileSha256('clr-v2p0-context-2.0.1.json')).to.equal(
      '880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6',
    );
    const clr = (await loader(CLR_V2_CONTEXT)).document['@context'];
    expect(clr).to.have.nested.property(
      'ClrSubject.@context.verifiableCredential.@id',
      'https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential',
    );
    expect((await loader(OB_V3_0_2_CONTEXT)).document).to.not.deep.equal(
      (await loader(OB_V3_CONTEXT)).document,
    );
  });

  it('defines every edu term with an explicit IRI in a protected context without @vocab', async () => {
    const context = (await loader(EDU_V1_CONTEXT)).document['@context'];
    expect(context).to.include({ '@protected': true });
    expect(context).to.not.have.property('@vocab');
    const ownTerms = [
      'creditUnit',
      'GrowthTermReport',
      'GrowthArchiveReport',
      'PdCompletionCredential',
      'PdCycleSummaryCredential',
      'CreditTransferCredential',
      'dimension',
      'indicator',
      'schoolCode',
      'pseudonymousSubjectId',
      'hours',
      'activityKind',
      'ledgerAnchor',
    ];
    for (const term of ownTerms) {
      expect(context, term).to.have.nested.property(`${term}.@id`, `${EDU_VOCAB}${term}`);
    }
    // `term` reuses OB's IRI: OB's protected AchievementSubject context defines it, and any other
    // definition would make every OB credential that also uses this context fail to expand.
    expect(context).to.have.nested.property(
      'term.@id',
      'https://purl.imsglobal.org/spec/vc/ob/vocab.html#term',
    );
  });

  it('hands out frozen contexts, so a caller cannot poison later loads', async () => {
    const first = await loader(EDU_V1_CONTEXT);
    expect(() => {
      first.document['@context'] = {};
    }).to.throw(TypeError);
    const second = await loader(EDU_V1_CONTEXT);
    expect(second.document['@context']).to.have.property('creditUnit');
  });

  it('refuses any other URL with CONTEXT_NOT_ALLOWED before attempting network access', async () => {
    const { result, attempts } = await withNetworkRecorded(() =>
      rejection(loader('https://evil.example/contexts/v1')),
    );
    expect(attempts).to.deep.equal([]);
    expect(result).to.be.instanceOf(DocumentLoaderError);
    expect(result).to.have.property('code', 'CONTEXT_NOT_ALLOWED');
    expect(result)
      .to.have.property('message')
      .that.satisfies((m: string) => m.startsWith('CONTEXT_NOT_ALLOWED: https://evil.example/contexts/v1'));
  });

  it('resolves did:key locally, and a did:key URL with fragment to its Multikey with @context', async () => {
    const { did, key } = await didKeyFromSeed(seed(1));
    const doc = (await loader(did)).document;
    expect(doc).to.include({ id: did });
    expect(doc).to.have.property('assertionMethod').that.deep.equals([key.id]);

    const method = (await loader(key.id)).document;
    expect(method).to.deep.equal({ '@context': MULTIKEY_V1_CONTEXT, ...publicKeyOnly(key) });
  });

  it('reports an unknown fragment or a broken did:key as KEY_NOT_FOUND', async () => {
    const { did } = await didKeyFromSeed(seed(2));
    expect(await rejection(loader(`${did}#nope`))).to.have.property('code', 'KEY_NOT_FOUND');
    expect(await rejection(loader('did:key:z6MkNotAKey'))).to.have.property('code', 'KEY_NOT_FOUND');
  });

  describe('with resolveDid', () => {
    it('resolves other DIDs through the resolver and returns the verification method node', async () => {
      const key = await generateEd25519Key({ controller: WEB_DID, id: `${WEB_DID}#key-1` });
      const asked: string[] = [];
      const webLoader = createDocumentLoader({
        resolveDid: async (did) => {
          asked.push(did);
          // Relative references are common in hand-written DID documents.
          return {
            '@context': ['https://www.w3.org/ns/did/v1', MULTIKEY_V1_CONTEXT],
            id: WEB_DID,
            verificationMethod: [{ ...publicKeyOnly(key), id: '#key-1' }],
            assertionMethod: ['#key-1'],
          };
        },
      });
      const method = (await webLoader(`${WEB_DID}#key-1`)).document;
      expect(method).to.deep.equal({ '@context': MULTIKEY_V1_CONTEXT, ...publicKeyOnly(key) });
      const doc = (await webLoader(WEB_DID)).document;
      expect(doc)
        .to.have.property('assertionMethod')
        .that.deep.equals([`${WEB_DID}#key-1`]);
      expect(asked).to.deep.equal([WEB_DID, WEB_DID]);
    });

    it('maps null to KEY_NOT_FOUND, a failing resolver to RESOLVER_UNAVAILABLE, a wrong id to KEY_NOT_FOUND', async () => {
      const nullLoader = createDocumentLoader({ resolveDid: async () => null });
      expect(await rejection(nullLoader(`${WEB_DID}#key-1`))).to.have.property('code', 'KEY_NOT_FOUND');

      const downLoader = createDocumentLoader({
        resolveDid: async () => {
          throw new Error('ledger unreachable');
        },
      });
      expect(await rejection(downLoader(WEB_DID))).to.have.property('code', 'RESOLVER_UNAVAILABLE');

      const liarLoader = createDocumentLoader({ resolveDid: async () => ({ id: 'did:web:other.example' }) });
      expect(await rejection(liarLoader(WEB_DID))).to.have.property('code', 'KEY_NOT_FOUND');
    });

    it('without a resolver, a non-did:key DID is KEY_NOT_FOUND', async () => {
      expect(await rejection(loader(WEB_DID))).to.have.property('code', 'KEY_NOT_FOUND');
    });
  });
});
