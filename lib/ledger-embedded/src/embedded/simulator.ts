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
import type { StateEntry, StateStore, Version } from './state-store.js';

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

/** How the transaction is run: `submit` may write, `evaluate` is a query whose writes are dropped. */
export type SimulationMode = 'submit' | 'evaluate';

export interface SimulationOptions {
  txId: string;
  timestamp: Date;
  mode: SimulationMode;
  /** A peer's `ledger.state.totalQueryLimit`: the most results one range query returns. */
  totalQueryLimit: number;
  /** The proposal's transient data (never written to a block). */
  transient?: Readonly<Record<string, string>>;
  /**
   * Checks each committed record this simulation reads (point reads and the rows of range reads)
   * against the block that wrote it before the chaincode sees it; rejects to refuse the read.
   */
  checkRead?: (entry: StateEntry) => Promise<void>;
}

/** The most rows a range read may return and still be checked row by row (see `checkAll`). */
export const RANGE_CHECK_LIMIT = 32;

/** The smallest key after `key` in LevelDB's order: where a range cut after `key` ends. */
const justAfter = (key: string): string => `${key}\u0000`;

/**
 * Runs one chaincode invocation against committed state the way a Fabric peer simulates a
 * proposal: reads come from committed state (never from this transaction's own writes), writes are
 * buffered into a write set, and every read is recorded with the version it saw for MVCC at commit.
 * What a peer refuses is refused here too: paginated queries in a transaction that writes, and
 * range queries are cut at `totalQueryLimit` as a peer cuts them.
 */
export class TxSimulator implements LedgerStub {
  private readonly reads = new Map<string, Version | null>();
  private readonly ranges: RangeRead[] = [];
  private readonly writes = new Map<string, string | null>();
  private event: SimulatedEvent | undefined;
  private paginated = false;

  constructor(
    private readonly store: StateStore,
    private readonly options: SimulationOptions,
  ) {}

  /** The context a transaction function receives: this stub and the caller, certificate included. */
  context(identity: { mspId: string; id: string }, certificate: Uint8Array): LedgerContext {
    return {
      stub: this,
      clientIdentity: {
        getMSPID: () => identity.mspId,
        getID: () => identity.id,
        getIDBytes: () => new Uint8Array(certificate),
      },
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
    if (entry && this.options.checkRead) await this.options.checkRead(entry);
    if (!this.reads.has(key)) this.reads.set(key, entry?.version ?? null);
    return entry ? Buffer.from(entry.value, 'base64') : new Uint8Array(0);
  }

  async putState(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    this.checkWriteAllowed();
    if (value.length === 0) throw new DomainError('INVALID_ARGUMENT', 'putState needs a non-empty value');
    this.writes.set(key, Buffer.from(value).toString('base64'));
  }

  async deleteState(key: string): Promise<void> {
    checkKey(key);
    this.checkWriteAllowed();
    this.writes.set(key, null);
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return createCompositeKey(objectType, attributes);
  }

  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] } {
    return splitCompositeKey(compositeKey);
  }

  /**
   * A range over a composite-key prefix, cut at `totalQueryLimit` like a peer's; a cut range is
   * recorded as ending after the last key returned, so commit re-checks exactly what was seen.
   */
  async getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<LedgerIterator<KV>> {
    const start = createCompositeKey(objectType, attributes);
    const limit = this.options.totalQueryLimit;
    const found = await this.store.range(start, start + MAX_UNICODE, limit + 1);
    const entries = found.slice(0, limit);
    await this.checkAll(entries);
    const last = entries[entries.length - 1];
    const end = found.length > limit && last ? justAfter(last.key) : start + MAX_UNICODE;
    this.ranges.push({ start, end, seen: entries.map((e) => ({ key: e.key, version: e.version })) });
    return arrayIterator(entries.map((e) => ({ key: e.key, value: Buffer.from(e.value, 'base64') })));
  }

  /**
   * Paginated range. A peer refuses these in a transaction that writes, whether the write comes
   * before or after the query (so no range read is recorded). Here they are refused in every submit,
   * a little stricter than a peer, whose refusal depends on whether that run happened to write: a
   * submitted transaction is one that may write, and the mistake shows on the first run. The bookmark is the first key of
   * the next page ('' when there is none); a peer would start the range at any bookmark given, even
   * outside the prefix, so one that is not inside the range is refused rather than honoured.
   * @throws DomainError INTERNAL when submitting or after a write; INVALID_ARGUMENT for a bookmark
   * outside the range.
   */
  async getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): Promise<{ iterator: LedgerIterator<KV>; metadata: PageMetadata }> {
    if (this.options.mode === 'submit' || this.writes.size > 0) {
      throw new DomainError(
        'INTERNAL',
        'paginated queries are supported only in a read-only transaction (evaluate)',
      );
    }
    const prefix = createCompositeKey(objectType, attributes);
    if (bookmark && !bookmark.startsWith(prefix)) {
      throw new DomainError('INVALID_ARGUMENT', 'the bookmark is outside the queried range');
    }
    this.paginated = true;
    // Like a peer: the page is the smaller of the page size asked for and totalQueryLimit.
    const size =
      pageSize > 0 ? Math.min(pageSize, this.options.totalQueryLimit) : this.options.totalQueryLimit;
    const entries = await this.store.range(bookmark || prefix, prefix + MAX_UNICODE, size + 1);
    const page = entries.slice(0, size);
    await this.checkAll(page);
    const next = entries[size];
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
    return this.options.txId;
  }

  getTransient(): Map<string, Uint8Array> {
    const entries = Object.entries(this.options.transient ?? {});
    return new Map(entries.map(([name, value]) => [name, Buffer.from(value, 'utf8')]));
  }

  getDateTimestamp(): Date {
    return new Date(this.options.timestamp.getTime());
  }

  setEvent(name: string, payload: Uint8Array): void {
    if (!name) throw new DomainError('INVALID_ARGUMENT', 'event name must be non-empty');
    // Like Fabric, a transaction carries at most one event: a later call replaces the earlier one.
    this.event = { name, payload: Buffer.from(payload).toString('base64') };
  }

  /**
   * Rows a range read returns, checked one by one (rows of one block share its check), when there
   * are at most RANGE_CHECK_LIMIT of them. Small ranges decide things (an organisation's
   * accreditations, its role grants); large ones are listings (audit pages, status lists) whose
   * rows each sit in a different block, and checking them cold cost 16 -> 938 ms for an audit page
   * in `npm run bench:scale`. Those are left to the chain check and the signed head.
   */
  private async checkAll(entries: readonly StateEntry[]): Promise<void> {
    const check = this.options.checkRead;
    if (!check || entries.length > RANGE_CHECK_LIMIT) return;
    for (const entry of entries) await check(entry);
  }

  /** A peer refuses a write once the transaction has run a paginated query. */
  private checkWriteAllowed(): void {
    if (this.paginated) {
      throw new DomainError('INTERNAL', 'writes are not allowed after a paginated query');
    }
  }
}

function checkKey(key: string): void {
  if (key.length === 0) throw new DomainError('INVALID_ARGUMENT', 'empty ledger key');
}
