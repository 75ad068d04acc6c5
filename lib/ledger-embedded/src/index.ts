export * from '@edu-ledger/ledger-port';
export {
  EmbeddedLedger,
  type Block,
  type BlockTransaction,
  type EmbeddedLedgerOptions,
  type RawSnapshot,
} from './embedded/embedded-ledger.js';
export { LedgerIntegrityError } from './embedded/integrity-check.js';
export { verifyAgainstHead, parseSignedHead, type HeadCheck } from './embedded/head-check.js';
export { headMessage, verifyHeadSignature, type SignedHead } from './embedded/node-key.js';
export { x509Identity } from './identities.js';
export { DevelopmentCertificates } from './dev-ca/development-certificates.js';
export { parseIdentityId } from './identities.js';
