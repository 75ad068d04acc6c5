/**
 * What an outside verifier of our JWTs needs, and nothing of ours: a DID resolver for did-jwt-vc
 * (did:key by key-did-resolver; did:web answered from a running gateway's `/orgs/<orgId>/did.json`,
 * the document a verifier would fetch from `https://<host>/orgs/<orgId>/did.json`), and the
 * issuer's public key as a JWK for jose.
 */
import { Resolver, type DIDDocument, type DIDResolutionResult, type ParsedDID } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btcDecode(text: string): Uint8Array {
  let n = 0n;
  for (const c of text) {
    const digit = BASE58_ALPHABET.indexOf(c);
    if (digit < 0) throw new Error(`not base58btc: ${c}`);
    n = n * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  for (; n > 0n; n /= 256n) bytes.unshift(Number(n % 256n));
  for (const c of text) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

/** An Ed25519 public JWK (RFC 8037) from a Multikey `publicKeyMultibase` (`z` + 0xed01 + 32 bytes). */
export function ed25519Jwk(publicKeyMultibase: string): { kty: 'OKP'; crv: 'Ed25519'; x: string } {
  if (!publicKeyMultibase.startsWith('z')) throw new Error('not a base58btc multibase value');
  const bytes = base58btcDecode(publicKeyMultibase.slice(1));
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) throw new Error('not an Ed25519 key');
  return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes.subarray(2)).toString('base64url') };
}

/** The verification method `kid` in a DID document, as did.json serves it. */
export function methodIn(document: any, kid: string): any {
  const method = (document.verificationMethod ?? []).find(
    (m: { id: string }) => m.id === kid || `${document.id}${m.id}` === kid,
  );
  if (!method) throw new Error(`${kid} is not in ${document.id}`);
  return method;
}

/**
 * A did-resolver Resolver: did:key locally (key-did-resolver); did:web, when a gateway URL is
 * given, by the did:web rule (`did:web:host:a:b` → `https://host/a/b/did.json`) with the gateway in
 * place of the host, over real HTTP.
 */
export function didResolver(gatewayUrl?: string): Resolver {
  const web = async (did: string, parsed: ParsedDID): Promise<DIDResolutionResult> => {
    const path = parsed.id.split(':').slice(1).map(decodeURIComponent).join('/');
    const response = await fetch(`${gatewayUrl}/${path}/did.json`);
    if (!response.ok) {
      return {
        didDocument: null,
        didDocumentMetadata: {},
        didResolutionMetadata: { error: 'notFound', message: `${did}: HTTP ${response.status}` },
      };
    }
    return {
      didDocument: (await response.json()) as DIDDocument,
      didDocumentMetadata: {},
      didResolutionMetadata: { contentType: 'application/did+json' },
    };
  };
  return new Resolver({ ...keyDidResolver(), ...(gatewayUrl === undefined ? {} : { web }) });
}

/** The parts of a compact JWS, parsed (not verified). */
export function jwtParts(jwt: string): { header: any; payload: any } {
  const [header, payload] = jwt
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}
