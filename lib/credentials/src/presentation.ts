import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from './contexts.js';
import { isDataIntegrityProof, rethrowLoaderError, signingSuite } from './issue.js';
import {
  checkJwsSignature,
  decodeJws,
  envelopeJwt,
  isEd25519Alg,
  isProofError,
  jwtOf,
  presentationJwtOf,
  PRESENTATION_JWT_CLAIMS,
  signCompactJws,
  verifyCredentialJwt,
  withoutClaims,
} from './jwt.js';
import type { ExportedKey } from './keys.js';
import type {
  DocumentLoader,
  Presentation,
  PresentationCheck,
  ProofCheck,
  ProofError,
  ProofErrorCode,
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
  /** The challenge the verifier asked for; when absent, the proof's own is accepted (VC 2.0). */
  challenge?: string | undefined;
  /** The domain the verifier asked for; when absent, the proof's own is accepted. */
  domain?: string | undefined;
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
  if (challenge !== undefined && inspected.proof.challenge !== challenge) {
    return rejected(failure('CHALLENGE_MISMATCH', 'proof.challenge is not the expected challenge'));
  }
  const proofDomains = valuesOf(inspected.proof.domain);
  if (domain !== undefined && !proofDomains.includes(domain)) {
    return rejected(failure('DOMAIN_MISMATCH', 'proof.domain is not the expected domain'));
  }
  // Not asked for: the proof's own values are what its signature covers, and are accepted.
  const expectedChallenge = challenge ?? stringOr(inspected.proof.challenge);
  const expectedDomain = domain ?? (proofDomains.length > 0 ? stringOr(proofDomains[0]) : undefined);

  const credentials = valuesOf(document.verifiableCredential);
  const credentialResults: ProofCheck[] = await Promise.all(
    credentials.map((credential) => verifyCredentialProof({ credential, documentLoader })),
  );

  let result: unknown;
  try {
    result = await jsigs.verify(document, {
      suite: verifySuite(),
      // A proof with no challenge, none asked for: an authentication proof all the same.
      purpose:
        expectedChallenge === undefined
          ? new jsigs.purposes.ControllerProofPurpose({ term: 'authentication' })
          : new jsigs.purposes.AuthenticationProofPurpose({
              challenge: expectedChallenge,
              ...(expectedDomain === undefined ? {} : { domain: expectedDomain }),
            }),
      documentLoader,
    });
  } catch (error) {
    return { verified: false, holderBound: false, credentialResults, error: classifyThrown(error) };
  }
  const proofVerified = isRecord(result) && result.verified === true;
  const allCredentialsVerified = credentialResults.every((r) => r.verified);

  const holder = idOf(document.holder);
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

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
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

/** How long a vp+jwt made by {@link signPresentationJwt} is valid unless told otherwise. */
export const PRESENTATION_JWT_LIFETIME_S = 600;

/**
 * Secures a presentation as a vp+jwt (VC-JOSE-COSE): the payload is the VC 2.0 presentation itself
 * (holder = the key's controller; vc+jwt credentials, given compact or enveloped, travel as
 * `EnvelopedVerifiableCredential`s; Data Integrity credentials as they are) plus the JWT claims
 * `iss` (the holder), `nonce` (the verifier's challenge), `aud` (its domain), `jti` (the
 * presentation's id), `iat` and `exp`. Signed EdDSA; the header's `kid` is the holder's key.
 */
export async function signPresentationJwt({
  verifiableCredential,
  key,
  id,
  challenge,
  domain,
  now = new Date(),
  lifetimeSeconds = PRESENTATION_JWT_LIFETIME_S,
}: {
  verifiableCredential: readonly unknown[];
  key: ExportedKey;
  id?: string;
  challenge?: string;
  domain?: string;
  now?: Date;
  lifetimeSeconds?: number;
}): Promise<string> {
  const credentials = verifiableCredential.map((credential) => {
    const jwt = jwtOf(credential);
    return jwt === undefined ? structuredClone(credential) : envelopeJwt(jwt);
  });
  const issuedAt = Math.floor(now.getTime() / 1000);
  const presentation = {
    '@context': [VC_V2_CONTEXT],
    ...(id === undefined ? {} : { id }),
    type: ['VerifiablePresentation'],
    holder: key.controller,
    verifiableCredential: credentials,
  };
  const claims = {
    iss: key.controller,
    ...(challenge === undefined ? {} : { nonce: challenge }),
    ...(domain === undefined ? {} : { aud: domain }),
    ...(id === undefined ? {} : { jti: id }),
    iat: issuedAt,
    exp: issuedAt + lifetimeSeconds,
  };
  return signCompactJws(
    { alg: 'EdDSA', kid: key.id, typ: 'vp+jwt', cty: 'vp' },
    { ...presentation, ...claims },
    key,
  );
}

/**
 * Why a vp+jwt failed: a {@link ProofErrorCode}, or `EXPIRED` (`exp` has passed), `NOT_YET_VALID`
 * (`nbf` or `iat` in the future), `HOLDER_MISMATCH` (the signer, `iss` and `holder` are not one DID).
 */
export type PresentationJwtErrorCode = ProofErrorCode | 'EXPIRED' | 'NOT_YET_VALID' | 'HOLDER_MISMATCH';

export interface PresentationJwtError {
  code: PresentationJwtErrorCode;
  message: string;
}

/** The outcome of {@link verifyPresentationJwt}. */
export interface PresentationJwtCheck {
  /**
   * The holder's signature verifies, the time claims hold, the challenge and domain match when they
   * were asked for, and every credential's own proof verifies (proofs only: status, validity
   * periods and trust in the issuers are the caller's business).
   */
  verified: boolean;
  /**
   * The holder signed, and is the subject (`credentialSubject.id`) of every credential, of which
   * there is at least one. VC 2.0 makes holder binding optional: the caller decides whether to need it.
   */
  holderBound: boolean;
  /** The holder's DID (`holder`, else `iss`): whose key signed, once the signature verified. */
  holder?: string;
  /** The holder's key that signed (the header's `kid`). */
  verificationMethod?: string;
  /** The presentation as VC 2.0 JSON, without the JWT claims (once the signature verified). */
  presentation?: Record<string, unknown>;
  /**
   * The `verifiableCredential` entries exactly as presented (EnvelopedVerifiableCredential objects,
   * compact vc+jwt strings, or Data Integrity credentials), for checks against the ledger. Empty
   * unless the holder's signature verified.
   */
  credentials: unknown[];
  /** Each credential's proof, in the order of `credentials` (vc+jwt ones with their decoded payload). */
  credentialResults: (ProofCheck & { credential?: Record<string, unknown> })[];
  /** The claims that bind the presentation to a verifier and a time, as the JWT carried them. */
  claims?: { nonce?: string; aud?: string[]; jti?: string; iat?: string; exp?: string };
  error?: PresentationJwtError;
}

const PRESENTATION_TYPS = ['vp+jwt', 'application/vp+jwt', 'vp+ld+jwt', 'JWT'];
const DEFAULT_CLOCK_TOLERANCE_S = 60;

function jwtRejected(code: PresentationJwtErrorCode, message: string): PresentationJwtCheck {
  return {
    verified: false,
    holderBound: false,
    credentials: [],
    credentialResults: [],
    error: { code, message },
  };
}

const isoOf = (seconds: unknown): string | undefined =>
  typeof seconds === 'number' && Number.isFinite(seconds)
    ? new Date(seconds * 1000).toISOString()
    : undefined;

/**
 * Verifies a presentation secured as a vp+jwt (VC-JOSE-COSE: a compact JWS whose payload is the
 * presentation), given compact or as an `EnvelopedVerifiablePresentation`
 * (`data:application/vp+jwt,…`). A JWT VP in the VC 1.1 encoding (the presentation under a `vp`
 * claim, as did-jwt-vc makes it) is accepted too, unless its `typ` says vp+jwt.
 *
 * - The holder is `holder`, else `iss`; when both are there they must agree, and the header's `kid`
 *   must be a key of that DID listed under `authentication` (did:key resolves locally, other DIDs
 *   through the loader). Without a `kid`, each `authentication` key of the holder is tried.
 * - `challenge` and `domain` are checked only when given (VC 2.0 makes them optional): `nonce` must
 *   equal the challenge and `aud` must be or contain the domain. A mismatch is reported before
 *   any cryptography, and then no credential is looked at.
 * - `exp`, `nbf` and `iat` are checked against `now`, with `clockToleranceSeconds` (60) of leeway.
 * - Each credential's proof is checked: vc+jwt with {@link verifyCredentialJwt}, Data Integrity with
 *   {@link verifyCredentialProof}. The entries themselves are returned in `credentials`.
 *
 * Never throws for a bad presentation.
 */
export async function verifyPresentationJwt({
  presentation,
  challenge,
  domain,
  documentLoader,
  now = new Date(),
  clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_S,
}: {
  presentation: unknown;
  challenge?: string;
  domain?: string;
  documentLoader: DocumentLoader;
  now?: Date;
  clockToleranceSeconds?: number;
}): Promise<PresentationJwtCheck> {
  const jwt = presentationJwtOf(presentation);
  if (jwt === undefined) {
    return jwtRejected('MALFORMED', 'expected a vp+jwt: a compact JWS or an EnvelopedVerifiablePresentation');
  }
  const jws = decodeJws(jwt);
  if (isProofError(jws)) return jwtRejected(jws.code, jws.message);
  const { header, payload } = jws;
  const typ = header['typ'];
  if (!isEd25519Alg(header['alg'])) return jwtRejected('MALFORMED', 'the JWS algorithm must be EdDSA');
  if (typ !== undefined && !PRESENTATION_TYPS.includes(String(typ))) {
    return jwtRejected('MALFORMED', `typ ${String(typ)} is not a presentation's`);
  }
  if ('vc' in payload)
    return jwtRejected('MALFORMED', 'a vc claim: this is a credential, not a presentation');
  // VC-JOSE-COSE: the payload is the presentation; the VC 1.1 JWT encoding put it under `vp`.
  const legacy = 'vp' in payload;
  if (legacy && (typ === 'vp+jwt' || typ === 'application/vp+jwt')) {
    return jwtRejected('MALFORMED', 'a vp+jwt carries the presentation as its payload, not in a vp claim');
  }
  const document = legacy ? payload['vp'] : withoutClaims(payload, PRESENTATION_JWT_CLAIMS);
  if (!isRecord(document)) return jwtRejected('MALFORMED', 'the vp claim is not a JSON object');
  const firstContext = valuesOf(document['@context'])[0];
  if (firstContext !== VC_V2_CONTEXT && firstContext !== VC_V1_CONTEXT) {
    return jwtRejected('MALFORMED', 'the first @context must be the VC context');
  }
  if (!valuesOf(document['type']).includes('VerifiablePresentation')) {
    return jwtRejected('MALFORMED', 'type must include VerifiablePresentation');
  }
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && isoOf(payload[claim]) === undefined) {
      return jwtRejected('MALFORMED', `${claim} must be a NumericDate`);
    }
  }
  const aud = valuesOf(payload['aud']);
  if (!aud.every((a) => typeof a === 'string')) return jwtRejected('MALFORMED', 'aud must be strings');
  const nonce = payload['nonce'];
  const claims = {
    ...(typeof nonce === 'string' ? { nonce } : {}),
    ...(aud.length > 0 ? { aud: aud as string[] } : {}),
    ...(typeof payload['jti'] === 'string' ? { jti: payload['jti'] } : {}),
    ...(isoOf(payload['iat']) ? { iat: isoOf(payload['iat']) } : {}),
    ...(isoOf(payload['exp']) ? { exp: isoOf(payload['exp']) } : {}),
  };

  // Who the holder is: `holder` and `iss` must agree, and the key must be theirs.
  const named = document['holder'] === undefined ? undefined : idOf(document['holder']);
  if (document['holder'] !== undefined && named === undefined) {
    return jwtRejected('MALFORMED', 'holder must be a URL or an object with an id');
  }
  const iss = payload['iss'];
  if (iss !== undefined && typeof iss !== 'string') return jwtRejected('MALFORMED', 'iss must be a string');
  if (named !== undefined && iss !== undefined && named !== iss) {
    return jwtRejected('HOLDER_MISMATCH', `iss ${iss} is not the holder ${named}`);
  }
  const kid = header['kid'];
  if (kid !== undefined && typeof kid !== 'string') return jwtRejected('MALFORMED', 'kid must be a string');
  const holder = named ?? iss ?? kid?.split('#')[0];
  if (holder === undefined) return jwtRejected('MALFORMED', 'no holder: neither holder, iss nor kid');
  if (kid !== undefined && kid.split('#')[0] !== holder) {
    return jwtRejected('HOLDER_MISMATCH', `the signing key ${kid} is not a key of the holder ${holder}`);
  }

  // Checked before any cryptography: a replayed or misdirected presentation is refused outright.
  if (challenge !== undefined && nonce !== challenge) {
    return { ...jwtRejected('CHALLENGE_MISMATCH', 'nonce is not the expected challenge'), claims };
  }
  if (domain !== undefined && !aud.includes(domain)) {
    return { ...jwtRejected('DOMAIN_MISMATCH', 'aud does not name the expected domain'), claims };
  }

  let signedBy: string | undefined;
  let signatureError: ProofError | undefined;
  for (const candidate of kid === undefined ? await authenticationKeys(holder, documentLoader) : [kid]) {
    signatureError = await checkJwsSignature(jws, candidate, 'authentication', documentLoader);
    if (signatureError === undefined) {
      signedBy = candidate;
      break;
    }
  }
  if (signedBy === undefined) {
    const error = signatureError ?? failure('KEY_NOT_FOUND', `${holder} has no authentication key`);
    return { ...jwtRejected(error.code, error.message), claims };
  }

  const credentials = valuesOf(document['verifiableCredential']);
  const authentic = {
    holder,
    verificationMethod: signedBy,
    presentation: { ...document, holder: named ?? holder },
    credentials,
    claims,
  };
  const nowS = now.getTime() / 1000;
  const exp = payload['exp'];
  const notBefore = [payload['nbf'], payload['iat']].find(
    (t): t is number => typeof t === 'number' && t > nowS + clockToleranceSeconds,
  );
  if (typeof exp === 'number' && exp <= nowS - clockToleranceSeconds) {
    return { ...jwtRejected('EXPIRED', `the presentation expired at ${isoOf(exp)}`), ...authentic };
  }
  if (notBefore !== undefined) {
    return { ...jwtRejected('NOT_YET_VALID', `not valid before ${isoOf(notBefore)}`), ...authentic };
  }

  const credentialResults: PresentationJwtCheck['credentialResults'] = await Promise.all(
    credentials.map((credential) => {
      const credentialJwt = jwtOf(credential);
      return credentialJwt === undefined
        ? verifyCredentialProof({ credential, documentLoader })
        : verifyCredentialJwt({ jwt: credentialJwt, documentLoader });
    }),
  );
  const holderBound =
    credentials.length > 0 &&
    credentials.every((credential, i) => {
      const content = jwtOf(credential) === undefined ? credential : credentialResults[i]?.credential;
      return content !== undefined && subjectIds(content).every((subjectId) => subjectId === holder);
    });
  const index = credentialResults.findIndex((r) => !r.verified);
  if (index !== -1) {
    const inner = credentialResults[index]?.error;
    return {
      verified: false,
      holderBound,
      ...authentic,
      credentialResults,
      error: failure(
        'CREDENTIAL_INVALID',
        `verifiableCredential[${index}]: ${inner ? `${inner.code}: ${inner.message}` : 'not verified'}`,
      ),
    };
  }
  return { verified: true, holderBound, ...authentic, credentialResults };
}

/** The `authentication` verification methods of a DID, for a vp+jwt without a `kid`. */
async function authenticationKeys(did: string, documentLoader: DocumentLoader): Promise<string[]> {
  try {
    const { document } = await documentLoader(did);
    return valuesOf(document['authentication'])
      .map((entry) => idOf(entry))
      .filter((id): id is string => id !== undefined);
  } catch {
    return [];
  }
}
