/** A JSON-LD document as returned to jsonld.js by a document loader. */
export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: Record<string, unknown>;
  /**
   * jsonld.js keeps a resolved context in its process-wide cache only when the loader tags it
   * 'static' (never changes). Bundled contexts are static; DID documents are not.
   */
  tag?: 'static';
}

/** Resolves a URL (JSON-LD context or DID URL) to a document without touching the network. */
export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

export type ContextEntry = string | Record<string, unknown>;

export interface CredentialSubject {
  id?: string;
  [key: string]: unknown;
}

/** An unsigned credential (VC Data Model 2.0 shape; extra members are allowed). */
export interface Credential {
  '@context': ContextEntry[];
  id?: string;
  type: string[];
  issuer: string | { id: string; [key: string]: unknown };
  credentialSubject: CredentialSubject | CredentialSubject[];
  validFrom?: string;
  validUntil?: string;
  [key: string]: unknown;
}

export type ProofPurposeTerm = 'assertionMethod' | 'authentication';

/**
 * The cryptosuites this package signs and verifies with. `Ed25519Signature2020` is the VC 1.1-era
 * proof type (a suite of its own rather than a Data Integrity cryptosuite); it is verified only,
 * never created, so wallets holding older credentials can still present them.
 */
export type CryptosuiteName = 'eddsa-rdfc-2022' | 'ecdsa-sd-2023' | 'Ed25519Signature2020';

/**
 * The proofs this package creates: Data Integrity with `eddsa-rdfc-2022`, or `ecdsa-sd-2023` (a
 * base proof from the issuer, or a proof the holder derived for selective disclosure).
 */
export interface DataIntegrityProofJson {
  type: 'DataIntegrityProof';
  cryptosuite: CryptosuiteName;
  created: string;
  verificationMethod: string;
  proofPurpose: ProofPurposeTerm;
  proofValue: string;
  challenge?: string;
  domain?: string;
  [key: string]: unknown;
}

export interface VerifiableCredential extends Credential {
  proof: DataIntegrityProofJson;
}

export interface Presentation {
  '@context': ContextEntry[];
  id?: string;
  type: string[];
  holder: string;
  verifiableCredential: VerifiableCredential[];
  [key: string]: unknown;
}

export interface VerifiablePresentation extends Presentation {
  proof: DataIntegrityProofJson;
}

/**
 * Why a proof check failed. `KEY_NOT_AUTHORIZED`: the key exists but its controller has not
 * authorised it for the proof purpose (or is not the credential's issuer).
 * `RESOLVER_UNAVAILABLE`: the DID resolver itself failed, so the answer may change on retry.
 */
export type ProofErrorCode =
  | 'MALFORMED'
  | 'CONTEXT_NOT_ALLOWED'
  | 'SIGNATURE_INVALID'
  | 'KEY_NOT_FOUND'
  | 'KEY_NOT_AUTHORIZED'
  | 'RESOLVER_UNAVAILABLE'
  | 'CHALLENGE_MISMATCH'
  | 'DOMAIN_MISMATCH'
  | 'CREDENTIAL_INVALID';

export interface ProofError {
  code: ProofErrorCode;
  message: string;
}

export interface ProofCheck {
  verified: boolean;
  verificationMethod?: string;
  created?: string;
  cryptosuite?: string;
  error?: ProofError;
}

export interface PresentationCheck {
  verified: boolean;
  holderBound: boolean;
  credentialResults: ProofCheck[];
  error?: ProofError;
}
