import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isRecord } from './util.js';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const DATA_INTEGRITY_V2_CONTEXT = 'https://w3id.org/security/data-integrity/v2';
export const MULTIKEY_V1_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const BITSTRING_STATUS_LIST_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';
export const OB_V3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const OB_V3_0_2_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json';
/** CLR 2.0: the growth archive and a learner's credit-bank statement as `ClrCredential`s. */
export const CLR_V2_CONTEXT = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
/** The suite context of `Ed25519Signature2020` proofs (VC 1.1-era credentials; verified only). */
export const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';
/**
 * Where a deployment serves our context, below its public base URL (`PUBLIC_URL`): credentials
 * name `${PUBLIC_URL}/contexts/edu/v1` (see `eduContextUrl`). Versioned: the document under this
 * path never changes; a change of meaning is a new path (`/contexts/edu/v2`) and a new file.
 */
/** The W3C examples context (VC 2.0): every term under one example vocabulary. The suites use it. */
export const VC_EXAMPLES_V2_CONTEXT = 'https://www.w3.org/ns/credentials/examples/v2';
export const EDU_V1_CONTEXT_PATH = '/contexts/edu/v1';
/**
 * The URL credentials issued before contexts were served named (it cannot be dereferenced). It
 * still resolves to the bundled copy, so those credentials keep verifying.
 */
export const EDU_V1_CONTEXT = 'https://edu-ledger.example/contexts/edu/v1';
/** The IRIs our terms expand to: identifiers only, never fetched, so they stay as they were. */
export const EDU_VOCAB = 'https://edu-ledger.example/vocab#';

/** Which bundled file answers which context URL; the files are listed in contexts/README.md. */
export const CONTEXT_FILES: Readonly<Record<string, string>> = {
  [VC_V2_CONTEXT]: 'credentials-v2.json',
  [VC_V1_CONTEXT]: 'credentials-v1.json',
  [DATA_INTEGRITY_V2_CONTEXT]: 'data-integrity-v2.json',
  [MULTIKEY_V1_CONTEXT]: 'multikey-v1.json',
  [BITSTRING_STATUS_LIST_CONTEXT]: 'bitstring-status-list-v1.json',
  [OB_V3_CONTEXT]: 'ob-v3p0-context-3.0.3.json',
  [OB_V3_0_2_CONTEXT]: 'ob-v3p0-context-3.0.2.json',
  [CLR_V2_CONTEXT]: 'clr-v2p0-context-2.0.1.json',
  [ED25519_2020_CONTEXT]: 'ed25519-signature-2020-v1.json',
  [EDU_V1_CONTEXT]: 'edu-v1.json',
  [VC_EXAMPLES_V2_CONTEXT]: 'credentials-examples-v2.json',
};

function loadContextFile(file: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`../contexts/${file}`, import.meta.url), 'utf8'));
  if (!isRecord(parsed) || !isRecord(parsed['@context'])) {
    throw new Error(`bundled context ${file} has no @context object`);
  }
  return parsed;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Read once at start-up so a missing or broken file fails the process early, not a verification.
// Frozen rather than copied per load: copying every context on every sign and verify was a
// measurable share of issuance time, and a frozen original cannot be altered by anyone.
const STATIC_CONTEXTS: ReadonlyMap<string, Record<string, unknown>> = new Map(
  Object.entries(CONTEXT_FILES).map(([url, file]) => [url, deepFreeze(loadContextFile(file))]),
);

/** The URL of our context in credentials a deployment issues: `${publicUrl}/contexts/edu/v1`. */
export function eduContextUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${EDU_V1_CONTEXT_PATH}`;
}

/**
 * Whether a URL names our v1 context as some deployment serves it: http(s), a path that ends in
 * `/contexts/edu/v1` (a base URL may carry a path of its own), and no credentials, query or
 * fragment. Every deployment has its own base URL and a verifier cannot list them all, so the
 * host is not checked. That is safe because such a URL only ever selects the bundled copy: the
 * loader never fetches it, so what a host (hostile or not) serves under that path cannot change
 * what we verify with. And a proof covers the expanded statements, not the context URL: a
 * credential verifies here only if the issuer signed exactly what the bundled context makes of
 * it.
 */
export function isEduV1ContextUrl(url: string): boolean {
  if (url === EDU_V1_CONTEXT) return true;
  if (!url.endsWith(EDU_V1_CONTEXT_PATH)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.search === '' &&
    parsed.hash === '' &&
    parsed.pathname.endsWith(EDU_V1_CONTEXT_PATH)
  );
}

/** A bundled context (deeply frozen), or undefined when the URL is not bundled. */
export function bundledContext(url: string): Record<string, unknown> | undefined {
  return (
    STATIC_CONTEXTS.get(url) ?? (isEduV1ContextUrl(url) ? STATIC_CONTEXTS.get(EDU_V1_CONTEXT) : undefined)
  );
}

/** Our v1 context exactly as bundled: the file's text and the SHA-256 (hex) of its bytes. */
export interface BundledContextFile {
  readonly text: string;
  readonly sha256: string;
}

/**
 * The bundled file of our v1 context, byte for byte, as a deployment serves it at
 * `${PUBLIC_URL}/contexts/edu/v1`: the same file the loader answers from (a string, so nobody can
 * alter it in place).
 */
export const EDU_V1_CONTEXT_FILE: BundledContextFile = (() => {
  const bytes = readFileSync(new URL('../contexts/edu-v1.json', import.meta.url));
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new Error('bundled context edu-v1.json is not UTF-8');
  return Object.freeze({ text, sha256: createHash('sha256').update(bytes).digest('hex') });
})();

export function bundledContextUrls(): string[] {
  return [...STATIC_CONTEXTS.keys()];
}
