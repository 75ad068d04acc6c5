import 'reflect-metadata';
import { AuditContract } from './audit.contract.js';
import { CreditBankContract } from './credit-bank.contract.js';
import { CredentialsContract } from './credentials.contract.js';
import { GrowthContract } from './growth.contract.js';
import { HeartbeatContract } from './heartbeat.contract.js';
import { InspectionContract } from './inspection.contract.js';
import { KeysContract } from './keys.contract.js';
import { PdContract } from './pd.contract.js';
import { RegistryContract } from './registry.contract.js';

export {
  AuditContract,
  CreditBankContract,
  CredentialsContract,
  GrowthContract,
  HeartbeatContract,
  InspectionContract,
  KeysContract,
  PdContract,
  RegistryContract,
};
export type {
  LedgerContext,
  LedgerStub,
  LedgerClientIdentity,
  KV,
  KeyModification,
} from './ledger-context.js';
export { isAdminIdentity, subjectOrganizationalUnits } from './caller.js';
export { Context, Transaction } from './fabric.js';
export type { LedgerIterator, PageMetadata } from './ledger-context.js';

/** One transaction as fabric-contract-api's metadata declares it. */
export interface DeclaredTransaction {
  name: string;
  /** Tagged SUBMIT (may write) rather than EVALUATE. */
  submit: boolean;
  /** How many arguments fabric-shim will require (the context is not one of them). */
  parameters: number;
}

/** The transactions a contract declares with @Transaction, as Fabric's metadata lists them. */
export function declaredTransactions(contract: object): DeclaredTransaction[] {
  const declared: unknown = Reflect.getMetadata('fabric:transactions', contract);
  if (!Array.isArray(declared)) return [];
  return declared.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const name: unknown = Reflect.get(entry, 'name');
    const tag: unknown = Reflect.get(entry, 'tag');
    const parameters: unknown = Reflect.get(entry, 'parameters');
    if (typeof name !== 'string') return [];
    return [
      {
        name,
        submit: Array.isArray(tag) && tag.includes('SUBMIT'),
        parameters: Array.isArray(parameters) ? parameters.length : 0,
      },
    ];
  });
}

/** The contracts a Fabric peer (or the embedded ledger) hosts, in the order Fabric lists them. */
export const contracts = [
  RegistryContract,
  KeysContract,
  CredentialsContract,
  AuditContract,
  InspectionContract,
  CreditBankContract,
  GrowthContract,
  PdContract,
  HeartbeatContract,
];
