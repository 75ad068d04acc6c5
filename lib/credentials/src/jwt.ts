import { createHash } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { ExportedKey } from './keys.js';
import { signerFor } from './keys.js';
import type { Credential, DocumentLoader, ProofCheck } from './model.js';
import { isRecord } from './util.js';

/** VC 2.0 "Securing with JOSE": the media type of a JWT-secured credential. */
export const VC_JWT_MEDIA_TYPE = 'application/vc+jwt';
const ENVELOPE_PREFIX = `data:${VC_JWT_MEDIA_TYPE},`;

const b64url = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');

/**
 * Secures a credential as a compact JWS (VC-JOSE-COSE): the payload is the credential itself,
 * signed EdDSA with the issuer's Ed25519 key; `kid` names the verification method, `iat` the time.
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
  const issuer = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
  if (issuer !== key.controller)
    throw new Error(`issueCredentialJwt: issuer ${issuer} is not the key's controller`);
  const header = { alg: 'EdDSA', kid: key.id, typ: 'vc+jwt', cty: 'vc' };
  const payload = { ...credential, iat: Math.floor(now.getTime() / 1000) };
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

/** A compact JWS from a bare JWT string or an EnvelopedVerifiableCredential; undefined otherwise. */
export function jwtOf(input: unknown): string | undefined {
  const candidate =
    typeof input === 'string'
      ? input
      : isRecord(input) &&
          input['type'] === 'EnvelopedVerifiableCredential' &&
          typeof input['id'] === 'string'
        ? input['id'].startsWith(ENVELOPE_PREFIX)
          ? input['id'].slice(ENVELOPE_PREFIX.length)
          : undefined
        : undefined;
  return candidate !== undefined && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(candidate)
    ? candidate
    : undefined;
}

/** What the ledger anchors for a JWT credential: the SHA-256 of its exact compact form. */
export function jwtDigest(jwt: string): string {
  return createHash('sha256').update(jwt, 'utf8').digest('hex');
}

/**
 * Checks a JWT credential's signature against the key its `kid` names (resolved through the same
 * document loader: did:key locally, did:web from the ledger). Never throws for a bad credential.
 */
export async function verifyCredentialJwt({
  jwt,
  documentLoader,
}: {
  jwt: string;
  documentLoader: DocumentLoader;
}): Promise<ProofCheck & { credential?: Record<string, unknown> }> {
  const [h, p, s] = jwt.split('.');
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8'));
  } catch {
    return {
      verified: false,
      error: { code: 'MALFORMED', message: 'not a JWS with JSON header and payload' },
    };
  }
  if (
    !isRecord(header) ||
    header['alg'] !== 'EdDSA' ||
    typeof header['kid'] !== 'string' ||
    !isRecord(payload)
  ) {
    return {
      verified: false,
      error: { code: 'MALFORMED', message: 'expected an EdDSA JWS with a kid and a credential' },
    };
  }
  const kid = header['kid'];
  const created =
    typeof payload['iat'] === 'number' ? new Date(payload['iat'] * 1000).toISOString() : undefined;
  const { iat: _iat, ...credential } = payload;
  const fields = { verificationMethod: kid, ...(created ? { created } : {}), cryptosuite: 'EdDSA (vc+jwt)' };
  const issuer = isRecord(credential['issuer']) ? credential['issuer']['id'] : credential['issuer'];
  if (typeof issuer !== 'string' || kid.split('#')[0] !== issuer) {
    return {
      verified: false,
      ...fields,
      error: { code: 'KEY_NOT_AUTHORIZED', message: 'kid is not a key of the issuer' },
    };
  }
  let verified: boolean;
  try {
    const { document } = await documentLoader(kid);
    const pair = await Ed25519Multikey.from(isRecord(document) ? document : {});
    verified = await pair.verifier().verify({
      data: new TextEncoder().encode(`${h}.${p}`),
      signature: Buffer.from(s ?? '', 'base64url'),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { verified: false, ...fields, error: { code: 'KEY_NOT_FOUND', message } };
  }
  return verified
    ? { verified: true, ...fields, credential }
    : {
        verified: false,
        ...fields,
        credential,
        error: { code: 'SIGNATURE_INVALID', message: 'JWS signature does not verify' },
      };
}
