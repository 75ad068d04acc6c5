import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {
  createDiscloseCryptosuite,
  createSignCryptosuite,
  createVerifyCryptosuite,
} from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { canonicalJson } from './canonical.js';
import { isVerifiableCredential, rethrowLoaderError } from './issue.js';
import { signerFor, type ExportedKey } from './keys.js';
import type { Credential, DocumentLoader, VerifiableCredential } from './model.js';
import { SD_CRYPTOSUITE } from './proof-check.js';
import { idOf, isRecord } from './util.js';

/**
 * Selective disclosure with `ecdsa-sd-2023` (W3C Data Integrity ECDSA Cryptosuites v1.0, the same
 * Data Integrity family as `eddsa-rdfc-2022`). The issuer signs a *base proof* with a P-256 key; the
 * holder derives, without any key, a credential that carries only the statements it chooses (plus
 * the issuer's mandatory ones) and a *derived proof* anyone can verify against the issuer's key.
 */

/**
 * Statements every derived credential must disclose: who issued it and when, what it is, its
 * status entry, and its `id` (verifiers look the credential up on the ledger by id).
 *
 * For an Open Badges 3.0 credential also everything the OB 3.0 JSON Schema requires of the subject
 * (its `type` and `achievement`) and of the achievement (`id`, `type`, `name`, `description`,
 * `criteria`): otherwise a holder could derive a badge that says nothing about what was achieved
 * and is no longer a valid OpenBadgeCredential. The achievement describes the badge, not the
 * person, so nothing private is forced out; the subject's own statements (its `id`, results,
 * credits) stay the holder's choice. Pointers a credential does not have are left out at signing,
 * so these cost other credentials nothing.
 */
export const DEFAULT_MANDATORY_POINTERS: readonly string[] = [
  '/id',
  '/type',
  '/issuer',
  '/validFrom',
  '/validUntil',
  '/credentialStatus',
  '/credentialSubject/type',
  '/credentialSubject/achievement/id',
  '/credentialSubject/achievement/type',
  '/credentialSubject/achievement/name',
  '/credentialSubject/achievement/description',
  '/credentialSubject/achievement/criteria',
];

/** Base proofs (CBOR tag 0xd95d00) start with this multibase prefix; derived ones (0xd95d01) with `u2V0B`. */
const BASE_PROOF_PREFIX = 'u2V0A';
const DERIVED_PROOF_PREFIX = 'u2V0B';

export type SdProofKind = 'base' | 'derived';

/** Which kind of `ecdsa-sd-2023` proof a credential carries, or undefined when it has none. */
export function sdProofKind(credential: unknown): SdProofKind | undefined {
  if (!isRecord(credential)) return undefined;
  const proofs = Array.isArray(credential.proof) ? credential.proof : [credential.proof];
  for (const proof of proofs) {
    if (!isRecord(proof) || proof.cryptosuite !== SD_CRYPTOSUITE || typeof proof.proofValue !== 'string')
      continue;
    if (proof.proofValue.startsWith(BASE_PROOF_PREFIX)) return 'base';
    if (proof.proofValue.startsWith(DERIVED_PROOF_PREFIX)) return 'derived';
  }
  return undefined;
}

/** Generates a random P-256 Multikey (`zDn…`) controlled by `controller`, for ecdsa-sd-2023. */
export async function generateP256Key({
  controller,
  id,
}: {
  controller: string;
  id?: string;
}): Promise<ExportedKey> {
  const pair = await EcdsaMultikey.generate({ curve: 'P-256', controller, ...(id ? { id } : {}) });
  const exported = await pair.export({ publicKey: true, secretKey: true });
  if (exported.secretKeyMultibase === undefined) throw new Error('generated P-256 key has no secret key');
  return {
    id: id ?? `${controller}#${exported.publicKeyMultibase}`,
    controller,
    type: 'Multikey',
    publicKeyMultibase: exported.publicKeyMultibase,
    secretKeyMultibase: exported.secretKeyMultibase,
  };
}

/**
 * Signs a credential with an `ecdsa-sd-2023` base proof. Only pointers that exist in the credential
 * are made mandatory (the library refuses pointers to missing members).
 */
export async function issueSdCredential({
  credential,
  key,
  documentLoader,
  mandatoryPointers = DEFAULT_MANDATORY_POINTERS,
  now = new Date(),
}: {
  credential: Credential;
  key: ExportedKey;
  documentLoader: DocumentLoader;
  mandatoryPointers?: readonly string[];
  now?: Date;
}): Promise<VerifiableCredential> {
  const document = structuredClone(credential);
  if (document.proof !== undefined) throw new Error('issueSdCredential: credential already has a proof');
  const issuer = idOf(document.issuer);
  if (issuer !== key.controller) {
    throw new Error(
      `issueSdCredential: issuer ${String(issuer)} is not the key's controller ${key.controller}`,
    );
  }
  const present = mandatoryPointers.filter((pointer) => pointerExists(document, pointer));
  const suite = new DataIntegrityProof({
    signer: await signerFor(key),
    date: now,
    cryptosuite: createSignCryptosuite({ mandatoryPointers: present }),
  });
  let signed: unknown;
  try {
    signed = await vc.issue({ credential: document, suite, documentLoader, now });
  } catch (error) {
    rethrowLoaderError(error);
  }
  if (!isVerifiableCredential(signed, [SD_CRYPTOSUITE]))
    throw new Error('issueSdCredential: signer returned no ecdsa-sd-2023 proof');
  return signed;
}

/**
 * The holder's side: derives a credential that discloses only `selectivePointers` (JSON Pointers
 * into the credential, e.g. `/credentialSubject/dimensionResults/0`) and the issuer's mandatory
 * statements. Needs no key; everything not selected is absent from the result.
 */
export async function deriveCredential({
  verifiableCredential,
  selectivePointers,
  documentLoader,
}: {
  verifiableCredential: VerifiableCredential;
  selectivePointers: readonly string[];
  documentLoader: DocumentLoader;
}): Promise<VerifiableCredential> {
  if (sdProofKind(verifiableCredential) !== 'base') {
    throw new Error('deriveCredential: the credential carries no ecdsa-sd-2023 base proof');
  }
  const suite = new DataIntegrityProof({
    cryptosuite: createDiscloseCryptosuite({ selectivePointers: [...selectivePointers] }),
  });
  let derived: unknown;
  try {
    derived = await vc.derive({
      verifiableCredential: structuredClone(verifiableCredential),
      suite,
      documentLoader,
    });
  } catch (error) {
    rethrowLoaderError(error);
  }
  if (!isVerifiableCredential(derived, [SD_CRYPTOSUITE]))
    throw new Error('deriveCredential: derivation returned no ecdsa-sd-2023 proof');
  return derived;
}

/** A verification-only suite for derived `ecdsa-sd-2023` proofs. */
export function sdVerifySuite(): DataIntegrityProof {
  return new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() });
}

/**
 * A base proof cannot be checked as it stands (the cryptosuite verifies derived proofs only), so
 * the verifier derives a full disclosure itself, every top-level member selected, and returns it
 * with a flag telling whether it discloses exactly the given credential.
 */
export async function fullDisclosure(
  credential: Record<string, unknown>,
  documentLoader: DocumentLoader,
): Promise<{ derived: unknown; complete: boolean }> {
  const pointers = Object.keys(credential)
    .filter((k) => k !== 'proof' && k !== '@context')
    .map((k) => `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`);
  const suite = new DataIntegrityProof({
    cryptosuite: createDiscloseCryptosuite({ selectivePointers: pointers }),
  });
  const derived: unknown = await vc.derive({
    verifiableCredential: structuredClone(credential),
    suite,
    documentLoader,
  });
  const withoutProof = (value: unknown): string => {
    if (!isRecord(value)) return '';
    const { proof: _proof, ...rest } = value;
    return canonicalJson(rest);
  };
  return { derived, complete: withoutProof(derived) === withoutProof(credential) };
}

function pointerExists(document: unknown, pointer: string): boolean {
  let current: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) {
      const index = Number(part);
      if (!Number.isInteger(index) || index < 0 || index >= current.length) return false;
      current = current[index];
    } else if (isRecord(current) && Object.hasOwn(current, part)) {
      current = current[part];
    } else {
      return false;
    }
  }
  return true;
}
