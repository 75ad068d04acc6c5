import { DomainError } from '@edu-ledger/domain';

/**
 * The ways a submit can fail after the chaincode agreed to it, in fabric-gateway's terms. A
 * chaincode refusal (a stable code such as FORBIDDEN_ROLE) is not one of these: it reaches the
 * caller as a plain DomainError carrying the chaincode's own code.
 */

/**
 * Nothing was committed: endorsement, or the hand-over to the ordering service, failed for a reason
 * of the network's (an unreachable peer or orderer, a deadline passed before ordering). A retry is
 * safe.
 */
export class NotCommittedError extends DomainError {
  constructor(
    detail: string,
    readonly transactionId?: string,
  ) {
    super('LEDGER_UNAVAILABLE', detail);
    this.name = 'NotCommittedError';
  }
}

/**
 * The transaction reached the ordering service but its commit was not observed in time. It may
 * yet commit: whoever wrote it must not undo side effects, and should read it back by transaction
 * id or retry idempotently.
 */
export class CommitOutcomeUnknownError extends DomainError {
  constructor(
    detail: string,
    readonly transactionId: string,
  ) {
    super('COMMIT_OUTCOME_UNKNOWN', detail);
    this.name = 'CommitOutcomeUnknownError';
  }
}

/**
 * The transaction is in a block but was marked invalid by validation, so it changed nothing.
 * MVCC and phantom-read conflicts carry MVCC_READ_CONFLICT (a retry usually succeeds); every other
 * validation code carries TX_INVALID.
 */
export class TransactionInvalidError extends DomainError {
  constructor(
    readonly transactionId: string,
    readonly validationCode: string,
  ) {
    super(
      /MVCC|PHANTOM/.test(validationCode) ? 'MVCC_READ_CONFLICT' : 'TX_INVALID',
      `transaction ${transactionId} was committed as invalid (${validationCode})`,
    );
    this.name = 'TransactionInvalidError';
  }
}

/** True when a failed write may nonetheless be on the ledger, so its side effects must be kept. */
export function mayHaveCommitted(error: unknown): boolean {
  return error instanceof CommitOutcomeUnknownError;
}
