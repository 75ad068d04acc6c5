import {
  DomainError,
  RequestOutcome,
  TRANSACTIONS,
  parseOrThrow,
  type ClientIdentity,
  type QueryName,
  type SubmitName,
  type TransactionName,
  type TransactionRequest,
} from '@edu-ledger/domain';
import { TransactionInvalidError, type LedgerPort, type SubmitResult } from '@edu-ledger/ledger-port';
import { nextRequestKey } from './request-scope.js';

/** How often a transaction that lost an MVCC race is endorsed again before the conflict is reported. */
const MVCC_ATTEMPTS = 4;

/**
 * The chaincode's transactions as typed calls: each name and request type is checked against the
 * domain's TRANSACTIONS catalogue at compile time, and each request against its schema before it
 * leaves the gateway. A submit that loses an MVCC race is endorsed again (it changed nothing, and
 * the new endorsement reads the winner's writes), so callers see either the outcome against current
 * state or, after repeated losses, MVCC_READ_CONFLICT.
 */
export class ChaincodeClient {
  constructor(
    readonly ledger: LedgerPort,
    private readonly attempts = MVCC_ATTEMPTS,
  ) {}

  /** @throws DomainError with the chaincode's code, or the port's ledger errors. */
  async submit<N extends SubmitName>(
    identity: ClientIdentity,
    name: N,
    request: TransactionRequest<N>,
  ): Promise<SubmitResult> {
    const args = encode(name, request);
    // One key for every attempt: an attempt that lost an MVCC race wrote nothing, its key included.
    const requestKey = nextRequestKey(name);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ledger.submit(identity, name, args, requestKey ? { requestKey } : {});
      } catch (error) {
        if (error instanceof DomainError && error.code === 'DUPLICATE_REQUEST') {
          return this.earlierOutcome(error);
        }
        const conflict = error instanceof TransactionInvalidError && error.code === 'MVCC_READ_CONFLICT';
        if (!conflict || attempt >= this.attempts) throw error;
        // Spread the retries of racing writers so they do not collide again in the next block.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /**
   * A retried request whose write already committed: answered with that transaction, as if it
   * were this submit's own (the chaincode put its id and result in the refusal).
   */
  private async earlierOutcome(refusal: DomainError): Promise<SubmitResult> {
    const json = refusal.detail.slice(refusal.detail.indexOf('{'), refusal.detail.lastIndexOf('}') + 1);
    const outcome = RequestOutcome.safeParse(safeJson(json));
    if (!outcome.success) throw new DomainError('INTERNAL', 'unreadable outcome of an earlier request');
    const location = await this.ledger.locateTransaction(outcome.data.txId);
    if (!location)
      throw new DomainError('LEDGER_UNAVAILABLE', 'the earlier transaction could not be located');
    return { txId: outcome.data.txId, blockNumber: location.blockNumber, result: outcome.data.result };
  }

  /** The query's JSON answer, parsed. */
  async evaluate<N extends QueryName>(
    identity: ClientIdentity,
    name: N,
    request: TransactionRequest<N>,
  ): Promise<unknown> {
    return JSON.parse(await this.evaluateText(identity, name, request)) as unknown;
  }

  /** The query's answer as the chaincode wrote it (canonical JSON text). */
  evaluateText<N extends QueryName>(
    identity: ClientIdentity,
    name: N,
    request: TransactionRequest<N>,
  ): Promise<string> {
    return this.ledger.evaluate(identity, name, encode(name, request));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function encode(name: TransactionName, request: unknown): string[] {
  // Checked here so a malformed request is refused without a round trip, with the same schema and
  // the same INVALID_ARGUMENT the chaincode would answer. The request is sent as given: the
  // chaincode applies the schema's defaults itself.
  parseOrThrow(TRANSACTIONS[name].request, request, name);
  return request === undefined ? [] : [JSON.stringify(request)];
}
