import type { LedgerPort } from '@edu-ledger/ledger-port';
import type { Principal } from '../stores/tokens.js';
import type { Directory } from './directory.js';

/**
 * Submits and queries record transactions as the calling principal's ledger identity, so the
 * chaincode checks the caller's own role and organisation on every call.
 */
export class RecordsService {
  constructor(
    private readonly ledger: LedgerPort,
    private readonly directory: Directory,
  ) {}

  async submit(
    principal: Principal,
    fn: string,
    request: unknown,
  ): Promise<{ record: unknown; txId: string; blockNumber: number }> {
    const identity = await this.directory.identityFor(principal);
    const result = await this.ledger.submit(identity, fn, [JSON.stringify(request)]);
    return {
      record: JSON.parse(result.result) as unknown,
      txId: result.txId,
      blockNumber: result.blockNumber,
    };
  }

  async query(principal: Principal, fn: string, request: unknown): Promise<unknown> {
    const identity = await this.directory.identityFor(principal);
    return JSON.parse(await this.ledger.evaluate(identity, fn, [JSON.stringify(request)])) as unknown;
  }
}
