import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { ExportedKey } from './keys.js';
import { signerFor } from './keys.js';
import type {
  Credential,
  CryptosuiteName,
  DataIntegrityProofJson,
  DocumentLoader,
  VerifiableCredential,
} from './model.js';
import { CRYPTOSUITE, findLoaderError } from './proof-check.js';
import { idOf, isRecord } from './util.js';

export function isDataIntegrityProof(
  value: unknown,
  cryptosuites: readonly CryptosuiteName[] = [CRYPTOSUITE],
): value is DataIntegrityProofJson {
  return (
    isRecord(value) &&
    value.type === 'DataIntegrityProof' &&
    cryptosuites.some((c) => c === value.cryptosuite) &&
    typeof value.created === 'string' &&
    typeof value.verificationMethod === 'string' &&
    (value.proofPurpose === 'assertionMethod' || value.proofPurpose === 'authentication') &&
    typeof value.proofValue === 'string'
  );
}

function isCredentialShape(value: unknown): value is Credential {
  return (
    isRecord(value) &&
    Array.isArray(value['@context']) &&
    Array.isArray(value.type) &&
    idOf(value.issuer) !== undefined &&
    (isRecord(value.credentialSubject) || Array.isArray(value.credentialSubject))
  );
}

export function isVerifiableCredential(
  value: unknown,
  cryptosuites: readonly CryptosuiteName[] = [CRYPTOSUITE],
): value is VerifiableCredential {
  return isCredentialShape(value) && isDataIntegrityProof(value.proof, cryptosuites);
}

/** Surfaces the loader's own error (e.g. CONTEXT_NOT_ALLOWED) instead of jsonld's wrapper around it. */
export function rethrowLoaderError(error: unknown): never {
  const loaderError = findLoaderError(error);
  if (loaderError !== undefined && loaderError !== error) throw loaderError;
  throw error;
}

/** A signing suite for `key` whose proofs carry `created` = `now` (to the second). */
export async function signingSuite(key: ExportedKey, now: Date): Promise<DataIntegrityProof> {
  return new DataIntegrityProof({ signer: await signerFor(key), date: now, cryptosuite });
}

/**
 * Signs a credential with a Data Integrity proof (`eddsa-rdfc-2022`, proofPurpose assertionMethod)
 * and returns the signed copy; the input is left untouched. The key's controller must be the
 * credential's issuer, because verifiers reject any other combination.
 */
export async function issueCredential({
  credential,
  key,
  documentLoader,
  now = new Date(),
}: {
  credential: Credential;
  key: ExportedKey;
  documentLoader: DocumentLoader;
  now?: Date;
}): Promise<VerifiableCredential> {
  // vc.issue adds the proof (and sometimes a context) to the object it is given.
  const document = structuredClone(credential);
  if (document.proof !== undefined) throw new Error('issueCredential: credential already has a proof');
  const issuer = idOf(document.issuer);
  if (issuer !== key.controller) {
    throw new Error(
      `issueCredential: issuer ${String(issuer)} is not the key's controller ${key.controller}`,
    );
  }
  const suite = await signingSuite(key, now);
  let signed: unknown;
  try {
    signed = await vc.issue({ credential: document, suite, documentLoader, now });
  } catch (error) {
    rethrowLoaderError(error);
  }
  if (!isVerifiableCredential(signed))
    throw new Error('issueCredential: signer returned no DataIntegrityProof');
  return signed;
}
