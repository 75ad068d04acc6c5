import * as vc from '@digitalbazaar/vc';
import type { DocumentLoader, ProofCheck } from './model.js';
import {
  CRYPTOSUITE,
  ED25519_2020,
  classifyResult,
  classifyThrown,
  failure,
  inspectProof,
  proofFields,
  legacyVerifySuite,
  SD_CRYPTOSUITE,
  verifySuite,
} from './proof-check.js';
import { fullDisclosure, sdProofKind, sdVerifySuite } from './selective-disclosure.js';
import { isRecord } from './util.js';

/**
 * Credential status is read from the ledger by the caller. @digitalbazaar/vc 7 calls `checkStatus`
 * whenever a credential carries `credentialStatus` and its proof verified (and throws if none is
 * given), so this stand-in answers "no objection" and its answer is never reported.
 */
async function statusCheckedElsewhere(): Promise<{ verified: boolean }> {
  return { verified: true };
}

/**
 * Checks a credential's `eddsa-rdfc-2022`, `ecdsa-sd-2023` (base or derived) or, for VC 1.1-era
 * credentials, `Ed25519Signature2020` proof: well-formedness, that every context is bundled,
 * the signature, and that the key is the issuer's assertion method. Never throws for a bad
 * credential; the failure comes back as `error.code`.
 *
 * Not checked here, on purpose: `credentialStatus` (the caller reads status from the ledger) and
 * the validity period. @digitalbazaar/vc 7 compares `now` with validFrom/validUntil, allowing
 * `maxClockSkew` seconds either way; passing `maxClockSkew: Infinity` turns that comparison off
 * while keeping its date-format checks, so an expired or not-yet-valid credential still gets its
 * proof judged on its own. `now` is forwarded to vc for those format checks only; the caller
 * applies its own clock to validFrom/validUntil.
 */
export async function verifyCredentialProof({
  credential,
  documentLoader,
  now = new Date(),
}: {
  credential: unknown;
  documentLoader: DocumentLoader;
  now?: Date;
}): Promise<ProofCheck> {
  let document: unknown;
  try {
    // A private copy: nothing the libraries do can reach the caller's object, and non-JSON input
    // (functions, class instances with hidden state) is rejected here rather than half-processed.
    document = structuredClone(credential);
  } catch {
    return { verified: false, error: failure('MALFORMED', 'credential is not plain data') };
  }
  const inspected = inspectProof(document, 'assertionMethod', [CRYPTOSUITE, SD_CRYPTOSUITE, ED25519_2020]);
  if (!inspected.ok) return { verified: false, error: inspected.error };
  const fields = proofFields(inspected.proof);
  if (!isRecord(document) || document.credentialSubject === undefined) {
    return { verified: false, ...fields, error: failure('MALFORMED', 'credential has no credentialSubject') };
  }

  const selective = inspected.proof.cryptosuite === SD_CRYPTOSUITE;
  if (selective) {
    const kind = sdProofKind(document);
    if (kind === undefined) {
      return {
        verified: false,
        ...fields,
        error: failure('MALFORMED', 'ecdsa-sd-2023 proofValue is unknown'),
      };
    }
    if (kind === 'base') {
      // The cryptosuite checks derived proofs only: derive a full disclosure and check that instead.
      try {
        const { derived, complete } = await fullDisclosure(document, documentLoader);
        if (!complete) {
          return {
            verified: false,
            ...fields,
            error: failure('MALFORMED', 'a full disclosure of this base proof differs from the credential'),
          };
        }
        document = derived;
      } catch (error) {
        return { verified: false, ...fields, error: classifyThrown(error) };
      }
    }
  }

  let result: unknown;
  try {
    result = await vc.verifyCredential({
      credential: document,
      suite: selective
        ? sdVerifySuite()
        : inspected.proof.cryptosuite === ED25519_2020
          ? legacyVerifySuite()
          : verifySuite(),
      documentLoader,
      checkStatus: statusCheckedElsewhere,
      now,
      maxClockSkew: Infinity,
    });
  } catch (error) {
    return { verified: false, ...fields, error: classifyThrown(error) };
  }
  if (isRecord(result) && result.verified === true) return { verified: true, ...fields };
  return { verified: false, ...fields, error: classifyResult(result) };
}
