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

/** Why a committed record failed its integrity check (see RecordIntegrityError). */
export type RecordIntegrityReason =
  /** The block's transaction wrote the key, but with another value than the stored record's. */
  | 'value-differs'
  /** The block has no valid transaction at that index that wrote the key. */
  | 'no-such-write'
  /** The block the record names is not on the chain, or cannot be read. */
  | 'block-missing'
  /** The block is there but not the one the chain vouches for (data hash, link or signature). */
  | 'block-unsound';

const REASON_TEXT: Readonly<Record<RecordIntegrityReason, string>> = {
  'value-differs': 'its value differs from what that block wrote',
  'no-such-write': 'that block did not write it',
  'block-missing': 'that block is missing',
  'block-unsound': 'that block fails its hash chain or signature',
};

/**
 * A committed record that its own block does not vouch for: the stored state was changed outside
 * the ledger (offline, in the database) after the block was written. The ledger refuses to serve
 * it rather than answer from it; the detail names where the record claims to come from, never its
 * value, and the key is a property for logs and tools, not part of the message.
 */
export class RecordIntegrityError extends DomainError {
  constructor(
    /** The composite key's object type ('' for a simple key). */
    readonly namespace: string,
    readonly key: string,
    /** The version the record carries: the block and transaction that wrote it. */
    readonly blockNumber: number,
    readonly txNumber: number,
    readonly reason: RecordIntegrityReason,
  ) {
    super(
      'LEDGER_UNAVAILABLE',
      `账本记录未通过完整性校验 / a ledger record failed its integrity check: ` +
        `${namespace || '(simple key)'} written in block ${blockNumber}, transaction ${txNumber}; ` +
        `${REASON_TEXT[reason]}`,
    );
    this.name = 'RecordIntegrityError';
  }
}
