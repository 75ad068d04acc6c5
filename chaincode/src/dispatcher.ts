import { contracts } from './index.js';
import { z } from 'zod';
import fabricContractApi from 'fabric-contract-api';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract.js';

/** The name Fabric's own system contract is registered under; it is not ours to describe. */
const SYSTEM_CONTRACT = 'org.hyperledger.fabric';

/**
 * fabric-shim's contract dispatcher over our contracts, exactly as a peer's chaincode server runs
 * them: arguments and results go through fabric-contract-api's JSON serializer, checked against the
 * metadata the decorators declared.
 * @throws Error when the metadata is unusable (the shim refuses to load such contracts).
 */
export function createChaincode(): ChaincodeFromContract {
  const serializers = {
    transaction: 'jsonSerializer',
    serializers: { jsonSerializer: fabricContractApi.JSONSerializer },
  };
  // The dispatcher appends its system contract to the array it is given: hand it a copy.
  const chaincode = new ChaincodeFromContract([...contracts], serializers, {}, '@edu-ledger/chaincode');
  // fabric-shim's system contract extends the Contract of the fabric-contract-api that fabric-shim
  // loaded; ours must be the same copy, or the decorators' metadata is not the one it reads.
  const system = chaincode.contractImplementations[SYSTEM_CONTRACT]?.contractInstance;
  if (!(system instanceof fabricContractApi.Contract)) {
    throw new Error('fabric-shim loaded another copy of fabric-contract-api than the contracts use');
  }
  return chaincode;
}

const TypeSchema = z.looseObject({ type: z.string().optional() });

const ShimMetadata = z.object({
  contracts: z.record(
    z.string(),
    z.object({
      transactions: z.array(
        z.object({
          name: z.string(),
          tag: z.array(z.string()).default([]),
          parameters: z.array(z.object({ name: z.string(), schema: TypeSchema })).default([]),
          returns: TypeSchema.optional(),
        }),
      ),
    }),
  ),
});

/** One transaction as the shim will dispatch it. */
export interface DispatchedTransaction {
  name: string;
  submit: boolean;
  /** JSON-schema type of each argument, as the shim checks it (`string` for all of ours). */
  parameterTypes: (string | undefined)[];
  returns: string | undefined;
}

/**
 * What the shim made of our contracts: every contract and transaction it will dispatch, with the
 * argument and result types it will check. `server.cjs --check` prints this.
 */
export function describeChaincode(chaincode: ChaincodeFromContract): Record<string, DispatchedTransaction[]> {
  const metadata = ShimMetadata.parse(chaincode.metadata);
  const out: Record<string, DispatchedTransaction[]> = {};
  for (const [name, contract] of Object.entries(metadata.contracts)) {
    if (name === SYSTEM_CONTRACT) continue;
    out[name] = contract.transactions.map((tx) => ({
      name: tx.name,
      submit: tx.tag.includes('SUBMIT'),
      parameterTypes: tx.parameters.map((p) => p.schema.type),
      returns: tx.returns?.type,
    }));
  }
  return out;
}
