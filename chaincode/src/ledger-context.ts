/**
 * The part of Fabric's transaction context our contracts use. Fabric's own `Context` satisfies it
 * structurally, and so does the embedded ledger's context, so one set of contracts runs on both.
 */
export interface KV {
  key: string;
  value: Uint8Array;
}

export interface KeyModification {
  isDelete: boolean;
  value: Uint8Array;
  timestamp: { seconds: number | string | { toNumber(): number }; nanos: number };
  txId: string;
}

export interface LedgerIterator<T> {
  next(): Promise<{ value?: T; done?: boolean }>;
  close(): Promise<void>;
}

export interface PageMetadata {
  fetchedRecordsCount: number;
  bookmark: string;
}

export interface LedgerStub {
  getState(key: string): Promise<Uint8Array>;
  putState(key: string, value: Uint8Array): Promise<void>;
  deleteState(key: string): Promise<void>;
  createCompositeKey(objectType: string, attributes: string[]): string;
  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] };
  getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<LedgerIterator<KV>>;
  getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): Promise<{ iterator: LedgerIterator<KV>; metadata?: PageMetadata }>;
  getHistoryForKey(key: string): Promise<LedgerIterator<KeyModification>>;
  getTxID(): string;
  /** The proposal's transient data: seen by the endorsers, never written to the ledger. */
  getTransient(): Map<string, Uint8Array>;
  getDateTimestamp(): Date;
  setEvent(name: string, payload: Uint8Array): void;
}

export interface LedgerClientIdentity {
  getMSPID(): string;
  getID(): string;
  /** The caller's certificate (PEM bytes for an X.509 MSP), as the peer received it. */
  getIDBytes(): Uint8Array;
}

export interface LedgerContext {
  stub: LedgerStub;
  clientIdentity: LedgerClientIdentity;
}
