import { DomainError } from '@edu-ledger/domain';
import type {
  KV,
  KeyModification,
  LedgerContext,
  LedgerIterator,
  LedgerStub,
  PageMetadata,
} from '@edu-ledger/chaincode';
import { MAX_UNICODE, createCompositeKey, splitCompositeKey } from './composite-key.js';
import type { StateStore, Version } from './state-store.js';

export interface ReadRecord {
  key: string;
  version: Version | null;
}

/** A range read, kept so commit can detect phantoms (a key appearing or vanishing in the range). */
export interface RangeRead {
  start: string;
  end: string;
  /** Keys and versions seen, in order. */
  seen: ReadRecord[];
}

export interface WriteRecord {
  key: string;
  /** Base64 of the value; null deletes the key. */
  value: string | null;
}

export interface ReadWriteSet {
  reads: ReadRecord[];
  ranges: RangeRead[];
  writes: WriteRecord[];
}

export interface SimulatedEvent {
  name: string;
  payload: string;
}

function arrayIterator<T>(items: readonly T[]): LedgerIterator<T> {
  let i = 0;
  return {
    next: async () => {
      const value = items[i++];
      return value === undefined ? { done: true } : { value, done: false };
    },
    close: async () => undefined,
  };
}

/**
 * Runs one chaincode invocation against committed state the way a Fabric peer simulates a
 * proposal: reads come from committed state (never from this transaction's own writes), writes are
 * buffered into a write set, and every read is recorded with the version it saw for MVCC at commit.
 */
export class TxSimulator implements LedgerStub {
  private readonly reads = new Map<string, Version | null>();
  private readonly ranges: RangeRead[] = [];
  private readonly writes = new Map<string, string | null>();
  private event: SimulatedEvent | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly txId: string,
    private readonly timestamp: Date,
  ) {}

  context(identity: { mspId: string; id: string }): LedgerContext {
    return {
      stub: this,
      clientIdentity: { getMSPID: () => identity.mspId, getID: () => identity.id },
    };
  }

  readWriteSet(): ReadWriteSet {
    return {
      reads: [...this.reads].map(([key, version]) => ({ key, version })),
      ranges: this.ranges,
      writes: [...this.writes].map(([key, value]) => ({ key, value })),
    };
  }

  emittedEvent(): SimulatedEvent | undefined {
    return this.event;
  }

  async getState(key: string): Promise<Uint8Array> {
    checkKey(key);
    const entry = await this.store.get(key);
    if (!this.reads.has(key)) this.reads.set(key, entry?.version ?? null);
    return entry ? Buffer.from(entry.value, 'base64') : new Uint8Array(0);
  }

  async putState(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    if (value.length === 0) throw new DomainError('INVALID_ARGUMENT', 'putState needs a non-empty value');
    this.writes.set(key, Buffer.from(value).toString('base64'));
  }

  async deleteState(key: string): Promise<void> {
    checkKey(key);
    this.writes.set(key, null);
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return createCompositeKey(objectType, attributes);
  }

  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] } {
    return splitCompositeKey(compositeKey);
  }

  async getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<LedgerIterator<KV>> {
    const start = createCompositeKey(objectType, attributes);
    const end = start + MAX_UNICODE;
    const entries = await this.store.range(start, end);
    this.ranges.push({ start, end, seen: entries.map((e) => ({ key: e.key, version: e.version })) });
    return arrayIterator(entries.map((e) => ({ key: e.key, value: Buffer.from(e.value, 'base64') })));
  }

  /**
   * Paginated range. On Fabric these are allowed only in read-only queries, so no range read is
   * recorded; the bookmark is the first key of the next page ('' when there is none).
   */
  async getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): Promise<{ iterator: LedgerIterator<KV>; metadata: PageMetadata }> {
    const prefix = createCompositeKey(objectType, attributes);
    const start = bookmark && bookmark.startsWith(prefix) ? bookmark : prefix;
    const entries = await this.store.range(start, prefix + MAX_UNICODE, pageSize + 1);
    const page = entries.slice(0, pageSize);
    const next = entries[pageSize];
    return {
      iterator: arrayIterator(page.map((e) => ({ key: e.key, value: Buffer.from(e.value, 'base64') }))),
      metadata: { fetchedRecordsCount: page.length, bookmark: next ? next.key : '' },
    };
  }

  async getHistoryForKey(key: string): Promise<LedgerIterator<KeyModification>> {
    checkKey(key);
    const entries = await this.store.history(key);
    return arrayIterator(
      entries.map((h) => ({
        isDelete: h.value === null,
        value: h.value === null ? new Uint8Array(0) : Buffer.from(h.value, 'base64'),
        timestamp: {
          seconds: Math.floor(Date.parse(h.timestamp) / 1000),
          nanos: (Date.parse(h.timestamp) % 1000) * 1e6,
        },
        txId: h.txId,
      })),
    );
  }

  getTxID(): string {
    return this.txId;
  }

  getDateTimestamp(): Date {
    return new Date(this.timestamp.getTime());
  }

  setEvent(name: string, payload: Uint8Array): void {
    if (!name) throw new DomainError('INVALID_ARGUMENT', 'event name must be non-empty');
    // Like Fabric, a transaction carries at most one event: a later call replaces the earlier one.
    this.event = { name, payload: Buffer.from(payload).toString('base64') };
  }
}

function checkKey(key: string): void {
  if (key.length === 0) throw new DomainError('INVALID_ARGUMENT', 'empty ledger key');
}
