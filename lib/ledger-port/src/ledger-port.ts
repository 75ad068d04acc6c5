import type { ClientIdentity } from '@edu-ledger/domain';

/** A chaincode event as delivered after commit. */
export interface LedgerEvent {
  blockNumber: number;
  txId: string;
  name: string;
  payload: unknown;
}

export interface SubmitResult {
  txId: string;
  blockNumber: number;
  /** The chaincode's response (canonical JSON text). */
  result: string;
}

export interface ChainCheck {
  ok: boolean;
  height: number;
  lastHash: string;
  checkedTransactions: number;
  checkedKeys: number;
  problems: string[];
}

/** Where a transaction ended up, for verifiers that show block and transaction. */
export interface TxLocation {
  txId: string;
  blockNumber: number;
  validationCode: string;
}

/** How one submit is made. */
export interface SubmitOptions {
  /**
   * Makes the write exactly-once across retries: 64 hex digits naming the logical request (the
   * gateway derives it from the caller and its Idempotency-Key). It travels as transient data; a
   * transaction with a key that already committed is refused with DUPLICATE_REQUEST, whose detail
   * is the first transaction's `{"txId","result"}` (see chaincode/src/requests.ts).
   */
  requestKey?: string;
}

/** Which certificate a ledger identity stands for: an MSP admin (NodeOU `admin`) or a client. */
export type IdentityKind = 'admin' | 'client';

/**
 * The one ledger port. The embedded ledger and the Fabric gateway client both implement it, and
 * the same conformance tests run against both. Failures reject with a DomainError carrying the
 * chaincode's stable code, or with one of the errors in `errors.ts` when the network, not the
 * chaincode, decided the outcome.
 */
export interface LedgerPort {
  readonly kind: 'embedded' | 'fabric';
  /**
   * The identity this ledger client acts as for `name` in an MSP. On Fabric it is a certificate
   * the organisation's CA issued (the client holds its key); the embedded ledger issues its own.
   * Rejects with NOT_FOUND when this client holds no such identity.
   */
  identity(mspId: string, name: string, kind: IdentityKind): Promise<ClientIdentity>;
  /**
   * Endorse, order and commit; resolves once the transaction is committed and valid.
   * @throws NotCommittedError, CommitOutcomeUnknownError, TransactionInvalidError, or a DomainError
   * with the chaincode's code.
   */
  submit(
    identity: ClientIdentity,
    fn: string,
    args: readonly string[],
    options?: SubmitOptions,
  ): Promise<SubmitResult>;
  /** Run a query against committed state; nothing is ordered or written. */
  evaluate(identity: ClientIdentity, fn: string, args: readonly string[]): Promise<string>;
  /** Subscribe to committed chaincode events; returns an unsubscribe function. */
  onEvent(listener: (event: LedgerEvent) => void): () => void;
  locateTransaction(txId: string): Promise<TxLocation | undefined>;
  /** Number of blocks on the ledger (the channel's height on Fabric). */
  height(): Promise<number>;
  /** Recompute the hash chain and state from the blocks; report every discrepancy. */
  verifyChain(): Promise<ChainCheck>;
  close(): Promise<void>;
}
