import { readFileSync } from 'node:fs';
import { isRecord } from './util.js';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const DATA_INTEGRITY_V2_CONTEXT = 'https://w3id.org/security/data-integrity/v2';
export const MULTIKEY_V1_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const BITSTRING_STATUS_LIST_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';
export const OB_V3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const OB_V3_0_2_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json';
export const EDU_V1_CONTEXT = 'https://edu-ledger.example/contexts/edu/v1';
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
  [EDU_V1_CONTEXT]: 'edu-v1.json',
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

/** A bundled context (deeply frozen), or undefined when the URL is not bundled. */
export function bundledContext(url: string): Record<string, unknown> | undefined {
  return STATIC_CONTEXTS.get(url);
}

export function bundledContextUrls(): string[] {
  return [...STATIC_CONTEXTS.keys()];
}
