/**
 * The two ways a credential reaches the wallet: a Data Integrity document (the proof is inside), or
 * a vc+jwt (VC-JOSE-COSE: a compact JWS whose payload is the credential), which the wallet keeps as
 * the VC 2.0 `EnvelopedVerifiableCredential` the gateway hands out, so the exact JWS the ledger
 * anchored is what gets verified and presented.
 *
 * Only parsing lives here, without the VC library: `list` and `show` read vc+jwt credentials
 * without loading JSON-LD. Signatures are checked with `@edu-ledger/credentials` when a credential
 * is received, added or verified.
 */

const VC_JWT_PREFIX = 'data:application/vc+jwt,';
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** JWT claims that secure the credential rather than belong to it (see lib/credentials jwt.ts). */
const JWT_CLAIMS = new Set(['iss', 'sub', 'jti', 'iat', 'exp', 'nbf']);

export type CredentialFormat = 'vc+jwt' | 'data-integrity';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The compact JWS of a vc+jwt credential, bare or enveloped; undefined for anything else. */
export function credentialJwt(value: unknown): string | undefined {
  let candidate: string | undefined;
  if (typeof value === 'string') candidate = value.trim();
  else if (isRecord(value) && typeof value.id === 'string' && value.id.startsWith(VC_JWT_PREFIX)) {
    const type = value.type;
    const types = Array.isArray(type) ? type : [type];
    if (types.includes('EnvelopedVerifiableCredential')) candidate = value.id.slice(VC_JWT_PREFIX.length);
  }
  return candidate !== undefined && COMPACT_JWS.test(candidate) ? candidate : undefined;
}

/** The credential a vc+jwt carries (its payload without the JWT claims), unverified. */
function decodedPayload(jwt: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    if (!isRecord(payload)) return undefined;
    return Object.fromEntries(Object.entries(payload).filter(([name]) => !JWT_CLAIMS.has(name)));
  } catch {
    return undefined;
  }
}

/** A credential as the wallet stores it, with what it says. */
export interface CredentialForm {
  format: CredentialFormat;
  /** What is stored and presented: the Data Integrity document, or the EnvelopedVerifiableCredential. */
  stored: Record<string, unknown>;
  /** What it says: the document itself, or the vc+jwt's decoded payload. */
  content: Record<string, unknown>;
  /** The compact JWS of a vc+jwt. */
  jwt?: string;
}

/**
 * Reads a credential as handed over: a Data Integrity document, an EnvelopedVerifiableCredential, or
 * a compact vc+jwt string; each bare or under `verifiableCredential` (a VC-API issue answer).
 * Undefined when it is none of these.
 */
export function credentialForm(input: unknown): CredentialForm | undefined {
  const value: unknown =
    isRecord(input) && 'verifiableCredential' in input ? input.verifiableCredential : input;
  const jwt = credentialJwt(value);
  if (jwt !== undefined) {
    const content = decodedPayload(jwt);
    if (content === undefined) return undefined;
    return {
      format: 'vc+jwt',
      stored: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: `${VC_JWT_PREFIX}${jwt}`,
        type: 'EnvelopedVerifiableCredential',
      },
      content,
      jwt,
    };
  }
  if (!isRecord(value) || value.type === 'EnvelopedVerifiableCredential') return undefined;
  return { format: 'data-integrity', stored: value, content: value };
}

/** A stored credential read back: what it says, however it is secured. */
export function storedForm(stored: Record<string, unknown>): CredentialForm {
  const jwt = credentialJwt(stored);
  const content = jwt === undefined ? undefined : decodedPayload(jwt);
  return jwt !== undefined && content !== undefined
    ? { format: 'vc+jwt', stored, content, jwt }
    : { format: 'data-integrity', stored, content: stored };
}

/**
 * Parses a credential file: JSON (see {@link credentialForm}), or a bare compact vc+jwt as the
 * gateway's JWT credentials are often saved. Undefined when the text is neither.
 */
export function parseCredentialText(text: string): CredentialForm | undefined {
  const trimmed = text.trim();
  if (COMPACT_JWS.test(trimmed)) return credentialForm(trimmed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  return credentialForm(parsed);
}
