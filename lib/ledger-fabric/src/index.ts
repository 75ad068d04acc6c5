export {
  FabricLedger,
  DEFAULT_DEADLINES,
  type Deadlines,
  type FabricLedgerOptions,
} from './fabric-ledger.js';
export { ConnectionProfile, loadConnectionProfile } from './profile.js';
export { fabricIdentityId, fastSigner, hasAdminOu } from './identities.js';
export { blockHeaderHash, blockDataHash, checkBlockChain } from './chain-check.js';
export { AtomicFileCheckpointer } from './checkpoint.js';
