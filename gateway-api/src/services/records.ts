import type { QueryName, SubmitName, TransactionRequest } from '@edu-ledger/domain';
import type { Principal } from '../stores/tokens.js';
import type { ChaincodeClient } from './chaincode.js';
import type { Directory } from './directory.js';

/**
 * Submits and queries record transactions as the calling principal's ledger identity, so the
 * chaincode checks the caller's own role and organisation on every call.
 */
export class RecordsService {
  constructor(
    private readonly chaincode: ChaincodeClient,
    private readonly directory: Directory,
  ) {}

  async submit<N extends SubmitName>(
    principal: Principal,
    fn: N,
    request: TransactionRequest<N>,
  ): Promise<{ record: unknown; txId: string; blockNumber: number }> {
    const identity = await this.directory.identityFor(principal);
    const result = await this.chaincode.submit(identity, fn, request);
    return {
      record: JSON.parse(result.result) as unknown,
      txId: result.txId,
      blockNumber: result.blockNumber,
    };
  }

  async query<N extends QueryName>(
    principal: Principal,
    fn: N,
    request: TransactionRequest<N>,
  ): Promise<unknown> {
    const identity = await this.directory.identityFor(principal);
    return this.chaincode.evaluate(identity, fn, request);
  }
}
