/**
 * The benchmarks' anchors: the raw Digital Bazaar libraries doing the same signing or verifying
 * as the gateway, in one process of their own, as a competent user would call them (key pair
 * imported once, the library's own signer and verifier, stock jsonld.js), with no HTTP, ledger
 * or vault around them. Nothing of @edu-ledger/credentials' index is imported here, so its
 * jsonld.js speed-up is not installed (checked below), and the document loader is a plain one
 * written here: it answers from the same bundled context files (so nothing is fetched) and from
 * the issuer's DID document, without our loader's cache tags.
 *
 * Usage (by bench/run.ts): node --import tsx bench/anchor.ts <job.json>; prints Stats as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import { bundledContext } from '../lib/credentials/src/contexts.js';
import { measure } from './lib/stats.js';

export type AnchorJob =
  | { kind: 'issue'; n: number; warmUp: number; concurrency: number; seed: number[]; credentials: object[] }
  | {
      kind: 'verify';
      n: number;
      warmUp: number;
      concurrency: number;
      didDocument: Record<string, unknown>;
      credentials: object[];
    };

const require = createRequire(import.meta.url);
const contextApi = require('jsonld/lib/context.js') as {
  getInitialContext(options: object): { clone: { name: string } };
};
if (contextApi.getInitialContext({}).clone.name !== '_cloneActiveContext') {
  throw new Error('the anchor must run stock jsonld.js');
}

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as AnchorJob;

/** Bundled contexts, the DID document and its verification methods; anything else is refused. */
function plainLoader(didDocument?: Record<string, unknown>) {
  return (url: string): Promise<unknown> => {
    const context = bundledContext(url);
    if (context !== undefined)
      return Promise.resolve({ contextUrl: null, documentUrl: url, document: context });
    if (didDocument !== undefined && url === didDocument.id) {
      return Promise.resolve({ contextUrl: null, documentUrl: url, document: didDocument });
    }
    const methods = (didDocument?.verificationMethod ?? []) as Record<string, unknown>[];
    const method = methods.find((m) => m.id === url);
    if (method !== undefined) {
      const document = { '@context': 'https://w3id.org/security/multikey/v1', ...method };
      return Promise.resolve({ contextUrl: null, documentUrl: url, document });
    }
    return Promise.reject(new Error(`anchor loader: not available offline: ${url}`));
  };
}

if (job.kind === 'issue') {
  const keyPair = await Ed25519Multikey.generate({ seed: Uint8Array.from(job.seed) });
  const controller = `did:key:${keyPair.publicKeyMultibase}`;
  const signing = await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey',
    id: `${controller}#${keyPair.publicKeyMultibase}`,
    controller,
    publicKeyMultibase: keyPair.publicKeyMultibase,
    secretKeyMultibase: keyPair.secretKeyMultibase,
  });
  const suite = new DataIntegrityProof({ signer: signing.signer(), cryptosuite });
  const documentLoader = plainLoader();
  const issueOne = async (i: number): Promise<void> => {
    const template = job.credentials[i % job.credentials.length];
    const credential = { ...structuredClone(template), issuer: controller };
    await vc.issue({ credential, suite, documentLoader });
  };
  for (let i = 0; i < job.warmUp; i++) await issueOne(i);
  console.log(JSON.stringify(await measure(job.n, job.concurrency, issueOne)));
} else {
  const didDocument = job.didDocument;
  const documentLoader = plainLoader(didDocument);
  const verifyOne = async (i: number): Promise<void> => {
    const result = (await vc.verifyCredential({
      credential: job.credentials[i % job.credentials.length] ?? {},
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader,
      // Status is the ledger's business in our system; the raw library checks the proof only.
      checkStatus: () => Promise.resolve({ verified: true }),
    })) as { verified: boolean };
    if (!result.verified) throw new Error('anchor: a credential did not verify');
  };
  for (let i = 0; i < job.warmUp; i++) await verifyOne(i);
  console.log(JSON.stringify(await measure(job.n, job.concurrency, verifyOne)));
}
