/**
 * The benchmarks' anchors: the raw Digital Bazaar libraries doing the same signing or verifying
 * as the gateway, in one process of their own, as a competent user would call them (key pair
 * imported once, the library's own signer and verifier, stock jsonld.js), with no HTTP, ledger
 * or vault around them. Nothing of @edu-ledger/credentials' index is imported here, so its
 * jsonld.js speed-up is not installed (checked below); only the bundled context files and the
 * offline document loader are shared, so both sides read the same contexts and nothing is fetched.
 *
 * Usage (by bench/run.ts): node --import tsx bench/anchor.ts <job.json>; prints Stats as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import { createDocumentLoader } from '../lib/credentials/src/loader.js';
import { measure } from './lib/stats.js';

export type AnchorJob =
  | { kind: 'issue'; n: number; concurrency: number; seed: number[]; credentials: object[] }
  | { kind: 'verify'; n: number; concurrency: number; didDocument: Record<string, unknown>; credentials: object[] };

const require = createRequire(import.meta.url);
const contextApi = require('jsonld/lib/context.js') as {
  getInitialContext(options: object): { clone: { name: string } };
};
if (contextApi.getInitialContext({}).clone.name !== '_cloneActiveContext') {
  throw new Error('the anchor must run stock jsonld.js');
}

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as AnchorJob;
const WARM_UP = 30;

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
  const documentLoader = createDocumentLoader();
  const issueOne = async (i: number): Promise<void> => {
    const template = job.credentials[i % job.credentials.length];
    const credential = { ...structuredClone(template), issuer: controller };
    await vc.issue({ credential, suite, documentLoader });
  };
  for (let i = 0; i < WARM_UP; i++) await issueOne(i);
  console.log(JSON.stringify(await measure(job.n, job.concurrency, issueOne)));
} else {
  const didDocument = job.didDocument;
  const documentLoader = createDocumentLoader({
    resolveDid: (did) => Promise.resolve(did === didDocument.id ? didDocument : null),
  });
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
  for (let i = 0; i < WARM_UP; i++) await verifyOne(i);
  console.log(JSON.stringify(await measure(job.n, job.concurrency, verifyOne)));
}
