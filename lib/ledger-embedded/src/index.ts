export * from '@edu-ledger/ledger-port';
export {
  EmbeddedLedger,
  type Block,
  type BlockTransaction,
  type EmbeddedLedgerOptions,
} from './embedded/embedded-ledger.js';
export { x509Identity } from './identities.js';
export { DevelopmentCertificates } from './dev-ca/development-certificates.js';
export { parseIdentityId } from './identities.js';
