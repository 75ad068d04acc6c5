import { CredentialsContract } from './credentials.contract.js';
import { KeysContract } from './keys.contract.js';
import { RegistryContract } from './registry.contract.js';

export { CredentialsContract, KeysContract, RegistryContract };
export type {
  LedgerContext,
  LedgerStub,
  LedgerClientIdentity,
  KV,
  KeyModification,
} from './ledger-context.js';
export { isAdminIdentity } from './caller.js';

/** The contracts a Fabric peer (or the embedded ledger) hosts, in the order Fabric lists them. */
export const contracts = [RegistryContract, KeysContract, CredentialsContract];
