import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import { bundledContext, MULTIKEY_V1_CONTEXT } from './contexts.js';
import type { DocumentLoader, RemoteDocument } from './model.js';
import { isRecord, valuesOf } from './util.js';

export type LoaderErrorCode = 'CONTEXT_NOT_ALLOWED' | 'KEY_NOT_FOUND' | 'RESOLVER_UNAVAILABLE';

/** Thrown by the document loader; the message always starts with `<code>: <url>`. */
export class DocumentLoaderError extends Error {
  override readonly name = 'DocumentLoaderError';

  constructor(
    readonly code: LoaderErrorCode,
    readonly url: string,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${url}${detail === undefined ? '' : ` (${detail})`}`, options);
  }
}

export interface DocumentLoaderOptions {
  /** Resolves DIDs other than did:key (e.g. did:web) from the ledger's registry; null when unknown. */
  resolveDid?: (did: string) => Promise<Record<string, unknown> | null>;
}

const DID_CONTEXT_V1 = 'https://www.w3.org/ns/did/v1';
const DID_PATTERN = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;
const FRAGMENT_PATTERN = /^[A-Za-z0-9._:%-]+$/;
const VERIFICATION_RELATIONSHIPS = [
  'authentication',
  'assertionMethod',
  'capabilityInvocation',
  'capabilityDelegation',
  'keyAgreement',
] as const;

/**
 * Builds the only document loader this package's sign and verify functions should be given. It
 * answers from the bundled context files and resolves DID URLs (did:key locally, anything else
 * through `resolveDid`); every other URL is refused before any I/O, so nothing is ever fetched.
 * Our own context answers under every deployment's URL for it (`<base>/contexts/edu/v1`, see
 * `isEduV1ContextUrl`) and under the original `https://edu-ledger.example/contexts/edu/v1`, always
 * with the bundled copy: what any host serves at such a URL is never read.
 */
export function createDocumentLoader(opts: DocumentLoaderOptions = {}): DocumentLoader {
  const didKey = didKeyDriver();
  // 'z6Mk' is the multibase prefix of every Ed25519 public key; other key types stay unsupported.
  didKey.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });

  async function resolveDidDocument(did: string): Promise<Record<string, unknown>> {
    if (did.startsWith('did:key:')) {
      let doc: unknown;
      try {
        doc = await didKey.get({ did });
      } catch (error) {
        throw new DocumentLoaderError('KEY_NOT_FOUND', did, 'not a valid Ed25519 did:key', { cause: error });
      }
      if (!isRecord(doc)) throw new DocumentLoaderError('KEY_NOT_FOUND', did, 'did:key produced no document');
      return doc;
    }
    if (opts.resolveDid === undefined) {
      throw new DocumentLoaderError('KEY_NOT_FOUND', did, 'no resolver configured for this DID method');
    }
    let resolved: Record<string, unknown> | null;
    try {
      resolved = await opts.resolveDid(did);
    } catch (error) {
      throw new DocumentLoaderError('RESOLVER_UNAVAILABLE', did, 'DID resolver failed', { cause: error });
    }
    if (resolved === null) throw new DocumentLoaderError('KEY_NOT_FOUND', did, 'DID not registered');
    if (!isRecord(resolved) || resolved.id !== did) {
      throw new DocumentLoaderError('KEY_NOT_FOUND', did, 'resolver returned a document for another DID');
    }
    return normaliseDidDocument(structuredClone(resolved), did);
  }

  return async function documentLoader(url: string): Promise<RemoteDocument> {
    if (typeof url !== 'string') throw new DocumentLoaderError('CONTEXT_NOT_ALLOWED', String(url));
    const context = bundledContext(url);
    if (context !== undefined)
      return { contextUrl: null, documentUrl: url, document: context, tag: 'static' };
    if (!url.startsWith('did:')) throw new DocumentLoaderError('CONTEXT_NOT_ALLOWED', url);

    const hashAt = url.indexOf('#');
    const did = hashAt === -1 ? url : url.slice(0, hashAt);
    const fragment = hashAt === -1 ? undefined : url.slice(hashAt + 1);
    if (!DID_PATTERN.test(did) || (fragment !== undefined && !FRAGMENT_PATTERN.test(fragment))) {
      throw new DocumentLoaderError('KEY_NOT_FOUND', url, 'unsupported DID URL syntax');
    }
    const didDocument = await resolveDidDocument(did);
    if (fragment === undefined) return { contextUrl: null, documentUrl: url, document: didDocument };

    const method = findVerificationMethod(didDocument, url);
    if (method === undefined) {
      throw new DocumentLoaderError('KEY_NOT_FOUND', url, 'no such verification method in the DID document');
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: { ...method, '@context': verificationMethodContext(method, didDocument) },
    };
  };
}

/**
 * Resolver output is written by people, so relative `#key-1` references are made absolute (the
 * proof purpose compares absolute ids) and a missing `@context` gets the DID v1 one, which lets
 * jsonld-signatures read verification relationships without framing (and without loading it).
 */
function normaliseDidDocument(doc: Record<string, unknown>, did: string): Record<string, unknown> {
  const absolute = (ref: unknown): unknown => {
    if (typeof ref === 'string') return ref.startsWith('#') ? `${did}${ref}` : ref;
    if (isRecord(ref) && typeof ref.id === 'string' && ref.id.startsWith('#')) {
      return { ...ref, id: `${did}${ref.id}` };
    }
    return ref;
  };
  if (doc['@context'] === undefined) doc['@context'] = [DID_CONTEXT_V1, MULTIKEY_V1_CONTEXT];
  if (doc.verificationMethod !== undefined)
    doc.verificationMethod = valuesOf(doc.verificationMethod).map(absolute);
  for (const relationship of VERIFICATION_RELATIONSHIPS) {
    if (doc[relationship] !== undefined) doc[relationship] = valuesOf(doc[relationship]).map(absolute);
  }
  return doc;
}

function findVerificationMethod(
  didDocument: Record<string, unknown>,
  methodId: string,
): Record<string, unknown> | undefined {
  const candidates = [
    ...valuesOf(didDocument.verificationMethod),
    // DID Core also allows methods embedded directly in a relationship.
    ...VERIFICATION_RELATIONSHIPS.flatMap((relationship) => valuesOf(didDocument[relationship])),
  ];
  for (const candidate of candidates) {
    if (isRecord(candidate) && candidate.id === methodId) return candidate;
  }
  return undefined;
}

function verificationMethodContext(
  method: Record<string, unknown>,
  didDocument: Record<string, unknown>,
): unknown {
  // Ed25519Multikey.from() insists on the Multikey context, which DID v1 alone does not carry.
  if (method.type === 'Multikey') return MULTIKEY_V1_CONTEXT;
  return didDocument['@context'];
}
