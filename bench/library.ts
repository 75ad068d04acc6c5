/**
 * Our credentials library alone, one process, no HTTP, ledger or vault: `issueCredential` of the
 * same credentials as the anchor (bench/anchor.ts), so the table separates what the library does
 * per core from what the gateway adds around it. Usage (by bench/run.ts):
 * node --import tsx bench/library.ts <job.json>; prints Stats as JSON.
 */
import { readFileSync } from 'node:fs';
import {
  createDocumentLoader,
  didKeyFromSeed,
  issueCredential,
  sharedJsonLdContextsInstalled,
  type Credential,
} from '@edu-ledger/credentials';
import type { AnchorJob } from './anchor.js';
import { measure } from './lib/stats.js';

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as AnchorJob;
if (job.kind !== 'issue') throw new Error('library.ts measures issuance only');
if (!sharedJsonLdContextsInstalled()) throw new Error('the library should run with its jsonld.js changes');

const { key } = await didKeyFromSeed(Uint8Array.from(job.seed));
const documentLoader = createDocumentLoader();
const issueOne = async (i: number): Promise<void> => {
  const template = job.credentials[i % job.credentials.length] as Credential;
  await issueCredential({ credential: { ...template, issuer: key.controller }, key, documentLoader });
};
for (let i = 0; i < job.warmUp; i++) await issueOne(i);
console.log(JSON.stringify(await measure(job.n, job.concurrency, issueOne)));
