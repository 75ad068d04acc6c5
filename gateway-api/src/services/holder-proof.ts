import { decodeJWT, verifyJWT } from 'did-jwt';
import { DomainError } from '@edu-ledger/domain';
import { createDocumentLoader, type DocumentLoader } from '@edu-ledger/credentials';
import { currentArrivalOrigin } from '../http/arrival-origin.js';

/** The longest a holder's proof may live: it authorises one request, right now. */
export const MAX_PROOF_LIFETIME_S = 600;
/** Tolerated clock difference between wallet and gateway when judging `exp`/`iat`. */
const CLOCK_SKEW_S = 60;

type Resolvable = NonNullable<NonNullable<Parameters<typeof verifyJWT>[1]>['resolver']>;
type DidDocument = NonNullable<Awaited<ReturnType<Resolvable['resolve']>>['didDocument']>;

/**
 * Holders have no ledger identity: they prove control of their did:key with a short-lived did-jwt
 * naming the URL it is meant for (`aud`) and, where the gateway handed one out, its challenge
 * (`nonce`). did:key is resolved locally, so checking a proof never fetches anything.
 *
 * The URL may name the gateway by its PUBLIC_URL or by the origin the request arrived at (a wallet
 * left on its default `http://127.0.0.1:8080` talks to a gateway whose PUBLIC_URL says
 * `http://localhost:8080`); either way it is the same route on this gateway, and nothing else.
 */
export class HolderProofs {
  private readonly loader: DocumentLoader = createDocumentLoader();

  constructor(private readonly now: () => Date) {}

  /**
   * The holder's DID and the proof's claims; 401 UNAUTHENTICATED for any defect.
   *
   * @param expected.audience - the route's URL on the gateway's PUBLIC_URL.
   */
  async verify(
    proof: string,
    expected: { audience: string; nonce?: string },
  ): Promise<{ did: string; payload: Record<string, unknown> }> {
    const audience = audienceNamed(proof, acceptedAudiences(expected.audience));
    const resolver: Resolvable = {
      resolve: async (didUrl: string) => {
        const did = didUrl.split('#')[0] ?? '';
        try {
          const { document } = await this.loader(did);
          // The loader built it from the did:key itself, in DID Core shape.
          return {
            didResolutionMetadata: { contentType: 'application/did+ld+json' },
            didDocument: document as DidDocument,
            didDocumentMetadata: {},
          };
        } catch {
          return { didResolutionMetadata: { error: 'notFound' }, didDocument: null, didDocumentMetadata: {} };
        }
      },
    };
    const nowS = Math.floor(this.now().getTime() / 1000);
    let payload: Record<string, unknown>;
    let signer: string;
    try {
      const verified = await verifyJWT(proof, {
        resolver,
        audience,
        proofPurpose: 'authentication',
        skewTime: CLOCK_SKEW_S,
        policies: { now: nowS },
      });
      payload = verified.payload;
      signer = verified.issuer;
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'not verifiable';
      throw new DomainError('UNAUTHENTICATED', `holder proof refused: ${reason}`);
    }
    const iss = payload['iss'];
    if (typeof iss !== 'string' || !iss.startsWith('did:key:') || signer !== iss) {
      throw new DomainError('UNAUTHENTICATED', 'holder proof refused: iss must be the signing did:key');
    }
    if (expected.nonce !== undefined && payload['nonce'] !== expected.nonce) {
      throw new DomainError('UNAUTHENTICATED', 'holder proof refused: nonce is not the expected challenge');
    }
    const exp = payload['exp'];
    if (typeof exp !== 'number' || exp - nowS > MAX_PROOF_LIFETIME_S + CLOCK_SKEW_S) {
      throw new DomainError(
        'UNAUTHENTICATED',
        `holder proof refused: exp is required and at most ${MAX_PROOF_LIFETIME_S} s ahead`,
      );
    }
    return { did: iss, payload };
  }
}

/**
 * The URLs a proof for the route at `publicAudience` may name: that one, and the same path on the
 * origin the request arrived at, when that origin is known to be this gateway's.
 */
function acceptedAudiences(publicAudience: string): string[] {
  const origin = currentArrivalOrigin();
  if (origin === undefined) return [publicAudience];
  const { pathname, search } = new URL(publicAudience);
  const arrived = `${origin}${pathname}${search}`;
  return arrived === publicAudience ? [publicAudience] : [publicAudience, arrived];
}

/**
 * The accepted audience the proof names. Every holder proof must name its target (verifyJWT only
 * checks `aud` when there is one), so a missing or other `aud` is refused here, naming the URLs
 * this gateway takes.
 */
function audienceNamed(proof: string, accepted: readonly string[]): string {
  let aud: unknown;
  try {
    aud = decodeJWT(proof).payload.aud;
  } catch {
    throw new DomainError('UNAUTHENTICATED', 'holder proof refused: not a decodable JWT');
  }
  if (typeof aud === 'string' && accepted.includes(aud)) return aud;
  throw new DomainError('UNAUTHENTICATED', `holder proof refused: aud must be ${accepted.join(' or ')}`);
}
