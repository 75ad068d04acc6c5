import { createHash } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { ExportedKey } from './keys.js';
import { signerFor } from './keys.js';
import type { Credential, DocumentLoader, ProofCheck, ProofError, ProofErrorCode } from './model.js';
import { idOf, isRecord, valuesOf } from './util.js';

/** VC 2.0 "Securing with JOSE" (VC-JOSE-COSE): the media type of a JWT-secured credential. */
export const VC_JWT_MEDIA_TYPE = 'application/vc+jwt';
/** VC-JOSE-COSE: the media type of a JWT-secured presentation. */
export const VP_JWT_MEDIA_TYPE = 'application/vp+jwt';
const ENVELOPE_PREFIX = `data:${VC_JWT_MEDIA_TYPE},`;
const VP_ENVELOPE_PREFIX = `data:${VP_JWT_MEDIA_TYPE},`;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The JWT claims this package writes or reads around a credential or presentation (RFC 7519 and
 * OpenID's `nonce`). They secure the document; they are not part of it, so verification returns the
 * document without them.
 */
export const CREDENTIAL_JWT_CLAIMS = ['iss', 'sub', 'jti', 'iat', 'exp', 'nbf'] as const;
export const PRESENTATION_JWT_CLAIMS = [...CREDENTIAL_JWT_CLAIMS, 'aud', 'nonce'] as const;

/** `typ` values accepted for each kind (VC-JOSE-COSE says SHOULD `vc+jwt` / `vp+jwt`). */
const CREDENTIAL_TYPS = ['vc+jwt', 'application/vc+jwt', 'vc+ld+jwt'];

const b64url = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');

/**
 * The JWT claims VC-JOSE-COSE lets a credential carry beside itself, each only where it cannot
 * conflict with the credential: `iss` = the issuer's id, `jti` = the credential's id (when it has
 * one), `sub` = the subject's id (when there is exactly one subject and it has an id).
 */
export function credentialJwtClaims(credential: Credential): { iss: string; jti?: string; sub?: string } {
  const iss = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
  const subjects = valuesOf(credential.credentialSubject);
  const sub = subjects.length === 1 ? idOf(subjects[0]) : undefined;
  return {
    iss,
    ...(typeof credential.id === 'string' ? { jti: credential.id } : {}),
    ...(sub === undefined ? {} : { sub }),
  };
}

/**
 * Secures a credential as a compact JWS (VC-JOSE-COSE): the payload is the credential itself plus
 * the JWT claims `iss` (the issuer), `jti` (its id) and `sub` (its one subject's id) where they apply
 * (see {@link credentialJwtClaims}) and `iat`; signed EdDSA with the issuer's Ed25519 key, whose
 * DID URL is the header's `kid` (it resolves in the issuer's DID document).
 */
export async function issueCredentialJwt({
  credential,
  key,
  now = new Date(),
}: {
  credential: Credential;
  key: ExportedKey;
  now?: Date;
}): Promise<string> {
  const claims = credentialJwtClaims(credential);
  if (claims.iss !== key.controller)
    throw new Error(`issueCredentialJwt: issuer ${claims.iss} is not the key's controller`);
  // A member named like a claim would be overwritten by it, and the JWS would then say something else.
  for (const name of CREDENTIAL_JWT_CLAIMS) {
    const value: unknown = (claims as Record<string, unknown>)[name];
    if (name in credential && credential[name] !== value) {
      throw new Error(`issueCredentialJwt: the credential's "${name}" would conflict with the JWT claim`);
    }
  }
  const header = { alg: 'EdDSA', kid: key.id, typ: 'vc+jwt', cty: 'vc' };
  const payload = { ...credential, ...claims, iat: Math.floor(now.getTime() / 1000) };
  return signCompactJws(header, payload, key);
}

/** Signs `header.payload` with an Ed25519 key: the JWS compact serialisation. */
export async function signCompactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: ExportedKey,
): Promise<string> {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = await (await signerFor(key)).sign({ data: new TextEncoder().encode(signingInput) });
  return `${signingInput}.${b64url(signature)}`;
}

/** The VC 2.0 enveloped form in which a JWT credential travels inside JSON (VC-API responses). */
export function envelopeJwt(jwt: string): { '@context': string[]; id: string; type: string } {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: `${ENVELOPE_PREFIX}${jwt}`,
    type: 'EnvelopedVerifiableCredential',
  };
}

/** The VC 2.0 `EnvelopedVerifiablePresentation` form of a vp+jwt. */
export function envelopePresentationJwt(jwt: string): { '@context': string[]; id: string; type: string } {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: `${VP_ENVELOPE_PREFIX}${jwt}`,
    type: 'EnvelopedVerifiablePresentation',
  };
}

function enveloped(input: unknown, type: string, prefix: string): string | undefined {
  const candidate =
    typeof input === 'string'
      ? input
      : isRecord(input) && valuesOf(input['type']).includes(type) && typeof input['id'] === 'string'
        ? input['id'].startsWith(prefix)
          ? input['id'].slice(prefix.length)
          : undefined
        : undefined;
  return candidate !== undefined && COMPACT_JWS.test(candidate) ? candidate : undefined;
}

/** A compact JWS from a bare JWT string or an EnvelopedVerifiableCredential; undefined otherwise. */
export function jwtOf(input: unknown): string | undefined {
  return enveloped(input, 'EnvelopedVerifiableCredential', ENVELOPE_PREFIX);
}

/**
 * A compact JWS from a bare JWT string or an `EnvelopedVerifiablePresentation`
 * (`data:application/vp+jwt,<jws>`); undefined otherwise. A bare string is returned whatever it
 * secures: {@link verifyPresentationJwt} checks that it is a presentation.
 */
export function presentationJwtOf(input: unknown): string | undefined {
  return enveloped(input, 'EnvelopedVerifiablePresentation', VP_ENVELOPE_PREFIX);
}

/** What the ledger anchors for a JWT credential: the SHA-256 of its exact compact form. */
export function jwtDigest(jwt: string): string {
  return createHash('sha256').update(jwt, 'utf8').digest('hex');
}

/** A compact JWS taken apart; its parts are only parsed, never trusted, until the signature verifies. */
export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Uint8Array;
}

/** Parses a compact JWS with JSON header and payload; a ProofError `MALFORMED` otherwise. */
export function decodeJws(jwt: string): DecodedJws | ProofError {
  const malformed: ProofError = { code: 'MALFORMED', message: 'not a JWS with JSON header and payload' };
  if (!COMPACT_JWS.test(jwt)) return malformed;
  const [h, p, s] = jwt.split('.') as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return malformed;
  }
  if (!isRecord(header) || !isRecord(payload)) return malformed;
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

export function isProofError(value: unknown): value is ProofError {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/** EdDSA, or its fully specified name Ed25519 (RFC 9864): the only JWS algorithms accepted. */
export function isEd25519Alg(alg: unknown): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519';
}

/**
 * Checks a JWS signature with the verification method `kid` names, resolved through the document
 * loader (did:key locally, did:web from the ledger), after checking that its DID document lists it
 * under `relationship` (assertionMethod for an issuer, authentication for a holder).
 * Returns undefined when it verifies; never throws.
 */
export async function checkJwsSignature(
  jws: DecodedJws,
  kid: string,
  relationship: 'assertionMethod' | 'authentication',
  documentLoader: DocumentLoader,
): Promise<ProofError | undefined> {
  const did = kid.split('#')[0] ?? '';
  let method: unknown;
  let didDocument: unknown;
  try {
    [{ document: method }, { document: didDocument }] = await Promise.all([
      documentLoader(kid),
      documentLoader(did),
    ]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code: ProofErrorCode =
      isRecord(error) && error.code === 'RESOLVER_UNAVAILABLE' ? 'RESOLVER_UNAVAILABLE' : 'KEY_NOT_FOUND';
    return { code, message };
  }
  const authorised =
    isRecord(didDocument) && valuesOf(didDocument[relationship]).some((entry) => idOf(entry) === kid);
  if (!authorised) {
    return { code: 'KEY_NOT_AUTHORIZED', message: `${kid} is not listed under ${relationship} of ${did}` };
  }
  let verified: boolean;
  try {
    const pair = await Ed25519Multikey.from(isRecord(method) ? method : {});
    verified = await pair.verifier().verify({
      data: new TextEncoder().encode(jws.signingInput),
      signature: jws.signature,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { code: 'KEY_NOT_FOUND', message: `${kid}: not an Ed25519 key (${message})` };
  }
  return verified ? undefined : { code: 'SIGNATURE_INVALID', message: 'JWS signature does not verify' };
}

/** The payload without the JWT claims named: the secured document itself. */
export function withoutClaims(
  payload: Record<string, unknown>,
  claims: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).filter(([name]) => !claims.includes(name)));
}

/**
 * Checks a JWT credential's signature against the key its `kid` names (resolved through the same
 * document loader: did:key locally, did:web from the ledger; the key must be an assertionMethod of
 * the issuer). The JWT claims must agree with the credential (`iss` = issuer, `jti` = id, `sub` = a
 * subject's id) and a VC 1.1 `vc` claim is refused, as VC-JOSE-COSE says. The credential is returned
 * without the JWT claims. Never throws for a bad credential.
 */
export async function verifyCredentialJwt({
  jwt,
  documentLoader,
}: {
  jwt: string;
  documentLoader: DocumentLoader;
}): Promise<ProofCheck & { credential?: Record<string, unknown> }> {
  const jws = decodeJws(jwt);
  if (isProofError(jws)) return { verified: false, error: jws };
  const { header, payload } = jws;
  if (
    !isEd25519Alg(header['alg']) ||
    typeof header['kid'] !== 'string' ||
    (header['typ'] !== undefined && !CREDENTIAL_TYPS.includes(String(header['typ']))) ||
    'vc' in payload ||
    'vp' in payload
  ) {
    return {
      verified: false,
      error: {
        code: 'MALFORMED',
        message: 'expected an EdDSA vc+jwt with a kid whose payload is the credential itself',
      },
    };
  }
  const kid = header['kid'];
  const created =
    typeof payload['iat'] === 'number' ? new Date(payload['iat'] * 1000).toISOString() : undefined;
  const credential = withoutClaims(payload, CREDENTIAL_JWT_CLAIMS);
  const fields = { verificationMethod: kid, ...(created ? { created } : {}), cryptosuite: 'EdDSA (vc+jwt)' };
  const issuer = idOf(credential['issuer']);
  if (typeof issuer !== 'string' || kid.split('#')[0] !== issuer) {
    return {
      verified: false,
      ...fields,
      error: { code: 'KEY_NOT_AUTHORIZED', message: 'kid is not a key of the issuer' },
    };
  }
  const conflict =
    payload['iss'] !== undefined && payload['iss'] !== issuer
      ? 'iss is not the issuer'
      : payload['jti'] !== undefined && credential['id'] !== undefined && payload['jti'] !== credential['id']
        ? 'jti is not the credential id'
        : payload['sub'] !== undefined &&
            !valuesOf(credential['credentialSubject']).some((s) => idOf(s) === payload['sub'])
          ? 'sub is not the id of a credential subject'
          : undefined;
  if (conflict !== undefined) {
    return { verified: false, ...fields, error: { code: 'MALFORMED', message: conflict } };
  }
  const error = await checkJwsSignature(jws, kid, 'assertionMethod', documentLoader);
  return error === undefined
    ? { verified: true, ...fields, credential }
    : { verified: false, ...fields, ...(error.code === 'SIGNATURE_INVALID' ? { credential } : {}), error };
}
