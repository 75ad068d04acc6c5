// Child process for contexts.api.test.ts: a verifier that fetches contexts from the web, as
// VerifierPlus and the Learner Credential Wallet do, in its own process. (jsonld.js keeps a
// process-wide cache of contexts by URL, so in the gateway's process it would be handed the
// gateway's bundled copy and never fetch anything.) It imports nothing of ours.
//
// stdin: {"gatewayUrl": "...", "credentials": [...]}; stdout: one result per credential.
//
// Standard contexts (VC, Data Integrity, Multikey from their npm packages; Open Badges 3.0 from the
// 1EdTech file) are bundled; any other context is fetched over HTTP; a did:web document is fetched
// from its did:web URL. The test has no internet: the did:web host edu.example.cn stands for the
// gateway, and a URL on any other host cannot be dereferenced, as https://edu-ledger.example cannot.
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';

const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const DID_WEB_HOST = 'edu.example.cn';

export interface Fetched {
  url: string;
  status: number;
  contentType: string | null;
}
export interface WebVerification {
  verified: boolean;
  error?: string;
  fetched: Fetched[];
}

const openBadges = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../lib/credentials/contexts/${file}`, import.meta.url), 'utf8'));

const standard = new Map<string, unknown>([
  ...credentialsContexts,
  ...dataIntegrityContexts,
  ...multikeyContexts,
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', openBadges('ob-v3p0-context-3.0.3.json')],
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loaderFor(gatewayUrl: string, fetched: Fetched[]): (url: string) => Promise<unknown> {
  const gateway = new URL(gatewayUrl);
  const get = async (url: string): Promise<unknown> => {
    const target = new URL(url);
    if (target.origin !== gateway.origin) throw new Error(`${url} cannot be dereferenced: unknown host`);
    const res = await fetch(target, { headers: { accept: 'application/ld+json, application/json' } });
    fetched.push({ url, status: res.status, contentType: res.headers.get('content-type') });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.json();
  };
  const didWebUrl = (did: string): string => {
    // did:web:<host>:<path…> → https://<host>/<path…>/did.json
    const [host = '', ...path] = did.slice('did:web:'.length).split(':');
    const origin = host === DID_WEB_HOST ? gateway.origin : `https://${decodeURIComponent(host)}`;
    return `${origin}/${path.map(decodeURIComponent).join('/')}/did.json`;
  };
  return async (url) => {
    const known = standard.get(url);
    if (known !== undefined) return { contextUrl: null, documentUrl: url, document: known };
    if (url.startsWith('did:web:')) {
      const [did = '', fragment] = url.split('#');
      const doc = await get(didWebUrl(did));
      if (!isRecord(doc) || doc['id'] !== did) throw new Error(`${did}: no DID document`);
      if (fragment === undefined) return { contextUrl: null, documentUrl: url, document: doc };
      const methods = Array.isArray(doc['verificationMethod']) ? doc['verificationMethod'] : [];
      const method = methods.find((m): m is Record<string, unknown> => isRecord(m) && m['id'] === url);
      if (!method) throw new Error(`${url}: no such verification method`);
      return { contextUrl: null, documentUrl: url, document: { '@context': MULTIKEY_V1, ...method } };
    }
    return { contextUrl: null, documentUrl: url, document: await get(url) };
  };
}

const input = JSON.parse(await text(process.stdin)) as { gatewayUrl: string; credentials: unknown[] };
const results: WebVerification[] = [];
for (const credential of input.credentials) {
  const fetched: Fetched[] = [];
  const result = (await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
    documentLoader: loaderFor(input.gatewayUrl, fetched),
    // Status is read from the status list at its own URL; this check is about proofs and contexts.
    checkStatus: async () => ({ verified: true }),
  })) as { verified: boolean; error?: { message?: string; errors?: { message?: string }[] } };
  const error = result.error?.errors?.map((e) => e.message).join('; ') ?? result.error?.message;
  results.push({ verified: result.verified, ...(error ? { error } : {}), fetched });
}
process.stdout.write(JSON.stringify(results));
