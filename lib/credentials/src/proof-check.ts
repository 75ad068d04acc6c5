import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { verifierFor } from './keys.js';
import { describeJsonLdError } from './jsonld-errors.js';
import { DocumentLoaderError } from './loader.js';
import type { CryptosuiteName, ProofCheck, ProofError, ProofErrorCode, ProofPurposeTerm } from './model.js';
import { errorMessage, isRecord, valuesOf } from './util.js';

export const CRYPTOSUITE = 'eddsa-rdfc-2022';
export const SD_CRYPTOSUITE = 'ecdsa-sd-2023';
/** A proof type of its own (VC 1.1 era), not a Data Integrity cryptosuite; verified, never created. */
export const ED25519_2020 = 'Ed25519Signature2020';

/**
 * eddsa-rdfc-2022 with the verifier kept per exact verification method (see verifierFor). Which
 * keys may be used is decided before this point: the document loader resolves the method from the
 * issuer's current DID document.
 */
const cachingCryptosuite = { ...cryptosuite, createVerifier: verifierFor };

/** A verification-only suite: no signer, so it can check proofs but never create them. */
export function verifySuite(): DataIntegrityProof {
  return new DataIntegrityProof({ cryptosuite: cachingCryptosuite });
}

/**
 * Verification only, for `Ed25519Signature2020` proofs. The suite reads the issuer's key from the
 * same document loader (a did:key's Multikey is converted to the 2020 key type by the suite).
 */
export function legacyVerifySuite(): Ed25519Signature2020 {
  return new Ed25519Signature2020();
}

/** Whether `proof` is one `inspectProof` may pick for `cryptosuites`. */
function proofMatches(proof: unknown, cryptosuites: readonly CryptosuiteName[]): boolean {
  if (!isRecord(proof)) return false;
  if (proof.type === ED25519_2020) return cryptosuites.includes(ED25519_2020);
  return proof.type === 'DataIntegrityProof' && cryptosuites.some((c) => c === proof.cryptosuite);
}

export function failure(code: ProofErrorCode, message: string): ProofError {
  return { code, message };
}

export interface ProofSummary {
  verificationMethod: string;
  created?: string;
  cryptosuite: CryptosuiteName;
  proofValue: string;
  challenge?: unknown;
  domain?: unknown;
}

/**
 * Finds the proof this package can check and reports what is wrong with the document's shape
 * before any cryptography runs, so a malformed input gets MALFORMED rather than whatever error
 * the libraries would stumble into.
 */
export function inspectProof(
  document: unknown,
  purpose: ProofPurposeTerm,
  cryptosuites: readonly CryptosuiteName[] = [CRYPTOSUITE],
): { ok: true; proof: ProofSummary } | { ok: false; error: ProofError } {
  if (!isRecord(document)) return { ok: false, error: failure('MALFORMED', 'document is not a JSON object') };
  const proofs = valuesOf(document.proof);
  if (proofs.length === 0) return { ok: false, error: failure('MALFORMED', 'document has no proof') };
  const proof = proofs.find(
    (p) => proofMatches(p, cryptosuites) && isRecord(p) && p.proofPurpose === purpose,
  );
  if (!isRecord(proof)) {
    return {
      ok: false,
      error: failure(
        'MALFORMED',
        `no DataIntegrityProof with cryptosuite ${cryptosuites.filter((c) => c !== ED25519_2020).join(' or ')}` +
          `${cryptosuites.includes(ED25519_2020) ? ` (or ${ED25519_2020} proof)` : ''} for ${purpose}`,
      ),
    };
  }
  const suite =
    proof.type === ED25519_2020
      ? ED25519_2020
      : (cryptosuites.find((c) => c === proof.cryptosuite) ?? CRYPTOSUITE);
  if (typeof proof.verificationMethod !== 'string' || typeof proof.proofValue !== 'string') {
    return { ok: false, error: failure('MALFORMED', 'proof needs string verificationMethod and proofValue') };
  }
  if (proof.created !== undefined && typeof proof.created !== 'string') {
    return { ok: false, error: failure('MALFORMED', 'proof.created must be a string') };
  }
  return {
    ok: true,
    proof: {
      verificationMethod: proof.verificationMethod,
      cryptosuite: suite,
      proofValue: proof.proofValue,
      ...(proof.created === undefined ? {} : { created: proof.created }),
      challenge: proof.challenge,
      domain: proof.domain,
    },
  };
}

export function proofFields(summary: ProofSummary): Omit<ProofCheck, 'verified' | 'error'> {
  return {
    verificationMethod: summary.verificationMethod,
    cryptosuite: summary.cryptosuite,
    ...(summary.created === undefined ? {} : { created: summary.created }),
  };
}

/**
 * Walks the error graph the libraries build (jsonld wraps loader errors in `details.cause`,
 * jsonld-signatures collects them in `errors`) looking for the loader's own error.
 */
export function findLoaderError(error: unknown, depth = 0): DocumentLoaderError | undefined {
  if (error instanceof DocumentLoaderError) return error;
  if (depth > 8 || !isRecord(error)) return undefined;
  const nested: unknown[] = [
    error.cause,
    isRecord(error.details) ? error.details.cause : undefined,
    ...valuesOf(error.errors),
  ];
  for (const inner of nested) {
    const found = findLoaderError(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isJsonLdError(error: unknown): boolean {
  return isRecord(error) && typeof error.name === 'string' && error.name.startsWith('jsonld.');
}

function purposeFailure(error: unknown): ProofError {
  const loaderError = findLoaderError(error);
  if (loaderError !== undefined) return failure(loaderError.code, loaderError.message);
  const message = errorMessage(error);
  if (message.startsWith('The challenge is not as expected')) return failure('CHALLENGE_MISMATCH', message);
  if (message.startsWith('The domain is not as expected')) return failure('DOMAIN_MISMATCH', message);
  return failure('KEY_NOT_AUTHORIZED', message);
}

function suiteFailure(error: unknown): ProofError {
  const loaderError = findLoaderError(error);
  if (loaderError !== undefined) return failure(loaderError.code, loaderError.message);
  const message = errorMessage(error);
  // Canonicalisation (e.g. safe-mode rejections of undefined terms) fails before any signature math.
  if (isJsonLdError(error)) return failure('MALFORMED', describeJsonLdError(error) ?? message);
  if (message.includes('dateTimeStamp')) return failure('MALFORMED', message);
  return failure('SIGNATURE_INVALID', message);
}

/**
 * Turns a jsonld-signatures / vc result into one error. Entries of `results` that carry a `proof`
 * come from jsonld-signatures (a suite or purpose failure); an entry without one is @digitalbazaar/vc
 * rejecting the document's shape before any proof was looked at.
 */
export function classifyResult(result: unknown): ProofError {
  if (!isRecord(result)) return failure('MALFORMED', 'verifier returned no result');
  for (const entry of valuesOf(result.results)) {
    if (!isRecord(entry) || entry.verified === true) continue;
    if (!('proof' in entry)) return classifyThrown(entry.error);
    const purposeResult = entry.purposeResult;
    if (isRecord(purposeResult) && purposeResult.valid === false) return purposeFailure(purposeResult.error);
    return suiteFailure(entry.error);
  }
  return classifyThrown(result.error);
}

/** For errors that escaped before any proof was checked (bad shape, unmatched proof, loader refusal). */
export function classifyThrown(error: unknown): ProofError {
  const loaderError = findLoaderError(error);
  if (loaderError !== undefined) return failure(loaderError.code, loaderError.message);
  const inner = isRecord(error) ? valuesOf(error.errors)[0] : undefined;
  const cause = inner ?? error;
  return failure('MALFORMED', describeJsonLdError(cause) ?? errorMessage(cause));
}
