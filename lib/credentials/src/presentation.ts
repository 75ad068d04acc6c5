import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js';
import { isDataIntegrityProof, rethrowLoaderError, signingSuite } from './issue.js';
import type { ExportedKey } from './keys.js';
import type {
  DocumentLoader,
  Presentation,
  PresentationCheck,
  ProofCheck,
  VerifiableCredential,
  VerifiablePresentation,
} from './model.js';
import { classifyResult, classifyThrown, failure, inspectProof, verifySuite } from './proof-check.js';
import { idOf, isRecord, valuesOf } from './util.js';
import { verifyCredentialProof } from './verify.js';

/** Wraps credentials in an unsigned VC 2.0 presentation held by `holder` (copies, not references). */
export function createPresentation({
  verifiableCredential,
  holder,
  id,
}: {
  verifiableCredential: VerifiableCredential[];
  holder: string;
  id?: string;
}): Presentation {
  return {
    '@context': [VC_V2_CONTEXT],
    ...(id === undefined ? {} : { id }),
    type: ['VerifiablePresentation'],
    holder,
    verifiableCredential: structuredClone(verifiableCredential),
  };
}

function isVerifiablePresentation(value: unknown): value is VerifiablePresentation {
  return (
    isRecord(value) &&
    Array.isArray(value['@context']) &&
    Array.isArray(value.type) &&
    typeof value.holder === 'string' &&
    Array.isArray(value.verifiableCredential) &&
    isDataIntegrityProof(value.proof)
  );
}

/**
 * Signs a presentation for an authentication challenge (proofPurpose authentication,
 * `eddsa-rdfc-2022`) and returns the signed copy. The key must belong to the presentation's holder:
 * a presentation signed by anyone else could never prove holder binding.
 */
export async function signPresentation({
  presentation,
  key,
  challenge,
  domain,
  documentLoader,
  now = new Date(),
}: {
  presentation: Presentation;
  key: ExportedKey;
  challenge: string;
  domain: string;
  documentLoader: DocumentLoader;
  now?: Date;
}): Promise<VerifiablePresentation> {
  const document = structuredClone(presentation);
  if (document.holder !== key.controller) {
    throw new Error(
      `signPresentation: holder ${document.holder} is not the key's controller ${key.controller}`,
    );
  }
  const suite = await signingSuite(key, now);
  let signed: unknown;
  try {
    signed = await vc.signPresentation({ presentation: document, suite, challenge, domain, documentLoader });
  } catch (error) {
    rethrowLoaderError(error);
  }
  if (!isVerifiablePresentation(signed)) throw new Error('signPresentation: signer returned no proof');
  return signed;
}

function subjectIds(credential: unknown): (string | undefined)[] {
  if (!isRecord(credential)) return [undefined];
  const subjects = valuesOf(credential.credentialSubject);
  return subjects.length === 0 ? [undefined] : subjects.map((subject) => idOf(subject));
}

function rejected(error: PresentationCheck['error']): PresentationCheck {
  return { verified: false, holderBound: false, credentialResults: [], ...(error ? { error } : {}) };
}

/**
 * Verifies a presentation's authentication proof against the expected `challenge` and `domain`,
 * and every embedded credential's proof (with {@link verifyCredentialProof}'s rules: status and
 * validity periods are the caller's business). `verified` needs both the presentation proof and all
 * credential proofs. `holderBound` additionally needs the presentation to be signed by a key of
 * `holder` and every credential subject's id to equal `holder`. A challenge or domain mismatch, or
 * a malformed presentation, is reported without verifying the credentials.
 */
export async function verifyPresentationProof({
  presentation,
  challenge,
  domain,
  documentLoader,
}: {
  presentation: unknown;
  challenge: string;
  domain: string;
  documentLoader: DocumentLoader;
}): Promise<PresentationCheck> {
  let document: unknown;
  try {
    document = structuredClone(presentation);
  } catch {
    return rejected(failure('MALFORMED', 'presentation is not plain data'));
  }
  if (!isRecord(document)) return rejected(failure('MALFORMED', 'presentation is not a JSON object'));
  const firstContext = valuesOf(document['@context'])[0];
  if (firstContext !== VC_V2_CONTEXT && firstContext !== VC_V1_CONTEXT) {
    return rejected(failure('MALFORMED', 'the first @context must be the VC context'));
  }
  if (!valuesOf(document.type).includes('VerifiablePresentation')) {
    return rejected(failure('MALFORMED', 'type must include VerifiablePresentation'));
  }
  const inspected = inspectProof(document, 'authentication');
  if (!inspected.ok) return rejected(inspected.error);
  // Checked before any cryptography: a replayed or misdirected presentation is refused outright.
  if (inspected.proof.challenge !== challenge) {
    return rejected(failure('CHALLENGE_MISMATCH', 'proof.challenge is not the expected challenge'));
  }
  const proofDomains = valuesOf(inspected.proof.domain);
  if (!proofDomains.includes(domain)) {
    return rejected(failure('DOMAIN_MISMATCH', 'proof.domain is not the expected domain'));
  }

  const credentials = valuesOf(document.verifiableCredential);
  const credentialResults: ProofCheck[] = await Promise.all(
    credentials.map((credential) => verifyCredentialProof({ credential, documentLoader })),
  );

  let result: unknown;
  try {
    result = await jsigs.verify(document, {
      suite: verifySuite(),
      purpose: new jsigs.purposes.AuthenticationProofPurpose({ challenge, domain }),
      documentLoader,
    });
  } catch (error) {
    return { verified: false, holderBound: false, credentialResults, error: classifyThrown(error) };
  }
  const proofVerified = isRecord(result) && result.verified === true;
  const allCredentialsVerified = credentialResults.every((r) => r.verified);

  const holder = typeof document.holder === 'string' ? document.holder : undefined;
  const signerController = proofVerified ? controllerOfVerifiedProof(result) : undefined;
  const holderBound =
    proofVerified &&
    holder !== undefined &&
    signerController === holder &&
    credentials.length > 0 &&
    credentials.every((credential) => subjectIds(credential).every((subjectId) => subjectId === holder));

  if (!proofVerified) {
    return { verified: false, holderBound: false, credentialResults, error: classifyResult(result) };
  }
  if (!allCredentialsVerified) {
    const index = credentialResults.findIndex((r) => !r.verified);
    const inner = credentialResults[index]?.error;
    return {
      verified: false,
      holderBound,
      credentialResults,
      error: failure(
        'CREDENTIAL_INVALID',
        `verifiableCredential[${index}]: ${inner ? `${inner.code}: ${inner.message}` : 'not verified'}`,
      ),
    };
  }
  return { verified: true, holderBound, credentialResults };
}

/** The controller of the verification method that produced the (verified) proof. */
function controllerOfVerifiedProof(result: unknown): string | undefined {
  if (!isRecord(result)) return undefined;
  for (const entry of valuesOf(result.results)) {
    if (isRecord(entry) && entry.verified === true && isRecord(entry.verificationMethod)) {
      return idOf(entry.verificationMethod.controller);
    }
  }
  return undefined;
}
