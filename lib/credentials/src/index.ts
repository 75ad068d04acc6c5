import { installSharedJsonLdContexts } from './jsonld-contexts.js';

// Every signature and verification in this package expands JSON-LD; see jsonld-contexts.ts.
installSharedJsonLdContexts();

export { installSharedJsonLdContexts, sharedJsonLdContextsInstalled } from './jsonld-contexts.js';
export { createDocumentLoader, DocumentLoaderError } from './loader.js';
export type { DocumentLoaderOptions, LoaderErrorCode } from './loader.js';
export {
  BITSTRING_STATUS_LIST_CONTEXT,
  DATA_INTEGRITY_V2_CONTEXT,
  EDU_V1_CONTEXT,
  EDU_V1_CONTEXT_FILE,
  EDU_V1_CONTEXT_PATH,
  EDU_VOCAB,
  eduContextUrl,
  isEduV1ContextUrl,
  MULTIKEY_V1_CONTEXT,
  OB_V3_0_2_CONTEXT,
  CLR_V2_CONTEXT,
  ED25519_2020_CONTEXT,
  OB_V3_CONTEXT,
  VC_V1_CONTEXT,
  VC_V2_CONTEXT,
} from './contexts.js';
export type { BundledContextFile } from './contexts.js';
export { didKeyFromSeed, generateEd25519Key, publicKeyOnly } from './keys.js';
export type { ExportedKey, PublicKey } from './keys.js';
export { issueCredential } from './issue.js';
export { verifyCredentialProof } from './verify.js';
export {
  DEFAULT_MANDATORY_POINTERS,
  deriveCredential,
  generateP256Key,
  issueSdCredential,
  sdProofKind,
} from './selective-disclosure.js';
export type { SdProofKind } from './selective-disclosure.js';
export {
  createPresentation,
  PRESENTATION_JWT_LIFETIME_S,
  signPresentation,
  signPresentationJwt,
  verifyPresentationJwt,
  verifyPresentationProof,
} from './presentation.js';
export type { PresentationJwtCheck, PresentationJwtError, PresentationJwtErrorCode } from './presentation.js';
export { canonicalJson, credentialDigest } from './canonical.js';
export {
  buildStatusListCredential,
  decodeStatusList,
  encodeStatusEntries,
  encodeStatusList,
  isBitSet,
  LEDGER_STATUS_MESSAGES,
  LEDGER_STATUS_SIZE,
  LEDGER_STATUS_VALUES,
  ledgerStatusEntry,
  readListedStatus,
  STATUS_LIST_MIN_BITS,
  STATUS_LIST_MIN_ENTRIES,
  statusEntryValue,
} from './status-list.js';
export type { BitListOptions, LedgerStatus, ListedStatus, MessageListOptions } from './status-list.js';
export type {
  ContextEntry,
  Credential,
  CredentialSubject,
  CryptosuiteName,
  DataIntegrityProofJson,
  DocumentLoader,
  Presentation,
  PresentationCheck,
  ProofCheck,
  ProofError,
  ProofErrorCode,
  ProofPurposeTerm,
  RemoteDocument,
  VerifiableCredential,
  VerifiablePresentation,
} from './model.js';
export {
  CREDENTIAL_JWT_CLAIMS,
  credentialJwtClaims,
  envelopeJwt,
  envelopePresentationJwt,
  issueCredentialJwt,
  jwtDigest,
  jwtOf,
  presentationJwtOf,
  verifyCredentialJwt,
  VC_JWT_MEDIA_TYPE,
  VP_JWT_MEDIA_TYPE,
} from './jwt.js';

export {
  describeJsonLdError,
  echoable,
  jsonLdErrorSubject,
  type JsonLdErrorSubject,
} from './jsonld-errors.js';
