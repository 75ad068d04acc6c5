import type { KV, LedgerIterator, PageMetadata } from '../src/index.js';

const NS = '\u0000';
const MAX_UNICODE = String.fromCodePoint(0x10ffff);

function iterate<T>(items: readonly T[]): LedgerIterator<T> {
  let next = 0;
  return {
    next: async () => {
      const value = items[next++];
      return value === undefined ? { done: true } : { value, done: false };
    },
    close: async () => undefined,
  };
}

/** World state shared by the calls of one test, as a peer's committed state. */
export class MemoryState {
  readonly values = new Map<string, Uint8Array>();

  /** Keys in [start, end) in LevelDB's (byte) order. */
  range(start: string, end: string): KV[] {
    const inRange = [...this.values.keys()].filter((k) => k >= start && k < end);
    inRange.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return inRange.map((key) => ({ key, value: this.values.get(key) ?? new Uint8Array(0) }));
  }
}

export interface StubCall {
  /** `contract:Transaction`, as a client names it. */
  fn: string;
  args: readonly string[];
  creator: { mspid: string; idBytes: Uint8Array };
  timestamp: Date;
  transient?: Readonly<Record<string, string>>;
}

/**
 * The stub fabric-shim hands its dispatcher, reduced to what the dispatcher, fabric-shim's
 * ClientIdentity and our contracts call, over in-memory state. Like a peer: writes apply only when
 * the transaction succeeds (`commit`), and a paginated query starts at the bookmark as given,
 * wherever that is, so a chaincode that trusts a crafted bookmark would read past its prefix here
 * as it would on Fabric.
 */
export class FabricStub {
  readonly writes = new Map<string, Uint8Array | null>();
  readonly events: { name: string; payload: Uint8Array }[] = [];

  constructor(
    private readonly state: MemoryState,
    private readonly call: StubCall,
    private readonly txId: string,
  ) {}

  /** Buffers, as a peer's stub gives them: the dispatcher decodes them with Buffer's toString. */
  getBufferArgs(): Buffer[] {
    return [this.call.fn, ...this.call.args].map((a) => Buffer.from(a, 'utf8'));
  }
  getFunctionAndParameters(): { fcn: string; params: string[] } {
    return { fcn: this.call.fn, params: [...this.call.args] };
  }
  /** Transient data as a peer hands it over: bytes by name, none unless the call brought some. */
  getTransient(): Map<string, Uint8Array> {
    return new Map(Object.entries(this.call.transient ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
  }
  getTxID(): string {
    return this.txId;
  }
  getChannelID(): string {
    return 'edu-channel';
  }
  getCreator(): { mspid: string; idBytes: Uint8Array } {
    return this.call.creator;
  }
  getDateTimestamp(): Date {
    return new Date(this.call.timestamp);
  }

  async getState(key: string): Promise<Uint8Array> {
    return this.state.values.get(key) ?? new Uint8Array(0);
  }
  async putState(key: string, value: Uint8Array): Promise<void> {
    this.writes.set(key, value);
  }
  async deleteState(key: string): Promise<void> {
    this.writes.set(key, null);
  }
  setEvent(name: string, payload: Uint8Array): void {
    this.events.push({ name, payload });
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return `${NS}${objectType}${NS}${attributes.map((a) => `${a}${NS}`).join('')}`;
  }
  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] } {
    const [objectType = '', ...attributes] = compositeKey.slice(1, -1).split(NS);
    return { objectType, attributes };
  }

  async getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<LedgerIterator<KV>> {
    const start = this.createCompositeKey(objectType, attributes);
    return iterate(this.state.range(start, start + MAX_UNICODE));
  }

  async getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): Promise<{ iterator: LedgerIterator<KV>; metadata?: PageMetadata }> {
    const start = this.createCompositeKey(objectType, attributes);
    // A peer's handler replaces the range's start key with the bookmark, unchecked.
    const entries = this.state.range(bookmark || start, start + MAX_UNICODE);
    const page = entries.slice(0, pageSize);
    const next = entries[pageSize]?.key ?? '';
    // An empty last page's metadata encodes to no bytes, which fabric-shim reports as no metadata.
    const metadata =
      page.length > 0 || next !== '' ? { fetchedRecordsCount: page.length, bookmark: next } : undefined;
    return { iterator: iterate(page), metadata };
  }

  async getHistoryForKey(): Promise<LedgerIterator<never>> {
    return iterate([]);
  }

  /** Applies the buffered writes, as a valid transaction's commit does. */
  commit(): void {
    for (const [key, value] of this.writes) {
      if (value === null) this.state.values.delete(key);
      else this.state.values.set(key, value);
    }
  }
}
