import type { ClassicLevel } from 'classic-level';
import { KeyFilter } from './key-filter.js';

/** Height of the transaction that last wrote a key: [block number, transaction index]. */
export type Version = readonly [number, number];

export interface StateEntry {
  key: string;
  /** Base64 value bytes. */
  value: string;
  version: Version;
}

export interface HistoryRecord {
  txId: string;
  timestamp: string;
  /** Base64 value bytes, null for a delete. */
  value: string | null;
  version: Version;
}

type Db = ClassicLevel<string, string>;
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;

/** Point-read cache size: about 25 MB at the most with typical record sizes. Hot keys (organisations, accreditations, keys, status lists) are few; new credentials are written once and rarely read. */
const STATE_CACHE_ENTRIES = 25_000;

/** Keys the filter is sized for (5 MB); beyond it reads of absent keys reach LevelDB more often. */
const KEY_FILTER_CAPACITY = 4_000_000;

/** Range cache: how many ranges, and the most entries a range may have to be kept. */
const RANGE_CACHE_RANGES = 256;
const RANGE_CACHE_MAX_ENTRIES = 64;

export const pad = (n: number, width: number): string => n.toString().padStart(width, '0');

/** Stored form of a state value; canonical so verify can compare bytes. */
export function encodeState(value: string, version: Version): string {
  return JSON.stringify({ b: version[0], t: version[1], v: value });
}

export function encodeHistory(h: Omit<HistoryRecord, 'version'>): string {
  return JSON.stringify({ ts: h.timestamp, tx: h.txId, v: h.value });
}

/**
 * History keys are length-prefixed so the history range of one key can never include another
 * key's entries, whatever characters the keys contain.
 */
export function historyKey(key: string, version: Version): string {
  return `${historyPrefix(key)}${pad(version[0], 12)}${pad(version[1], 6)}`;
}

function historyPrefix(key: string): string {
  return `${pad(key.length, 8)}${key}`;
}

function parseState(key: string, raw: string): StateEntry {
  const parsed = JSON.parse(raw) as { b: number; t: number; v: string };
  return { key, value: parsed.v, version: [parsed.b, parsed.t] };
}

/** Read access to committed world state, history and the sublevels that hold them. */
export class StateStore {
  readonly state;
  readonly history_;
  readonly blocks;
  readonly txIndex;
  readonly meta;

  constructor(readonly db: Db) {
    this.state = db.sublevel<string, string>('s', UTF8);
    this.history_ = db.sublevel<string, string>('h', UTF8);
    this.blocks = db.sublevel<string, string>('b', UTF8);
    this.txIndex = db.sublevel<string, string>('x', UTF8);
    this.meta = db.sublevel<string, string>('m', UTF8);
  }

  /**
   * Point reads dominate a simulation (every chaincode getState), and the ledger is the only
   * writer of its state, so committed values are cached write-through: `applyCommitted` updates the
   * cache right after each block's batch is on disk. Absent keys are cached too. A reader racing a
   * commit may see the previous version, exactly as if it had read just before the commit; MVCC
   * validation then decides, as for any stale read.
   */
  private readonly cache = new Map<string, StateEntry | null>();
  /** Bumped by every commit: a disk read that straddled a commit must not be cached. */
  private epoch = 0;

  /** Which keys may exist; see key-filter.ts. Filled from disk in the background after open. */
  private readonly filter = new KeyFilter(KEY_FILTER_CAPACITY);
  private filling: Promise<void> | undefined;

  /** Starts filling the key filter from the keys on disk (reads use LevelDB until it is done). */
  startKeyFilter(): void {
    this.filling ??= this.filter.fill(this.state.keys()).catch(() => this.filter.stop());
  }

  /** Resolves when the background fill has finished; true if the filter is in use. */
  async keyFilterReady(): Promise<boolean> {
    await this.filling;
    return this.filter.isReady;
  }

  /** Stops the background fill; call before closing the database. */
  async stopKeyFilter(): Promise<void> {
    this.filter.stop();
    await this.filling;
  }

  async get(key: string): Promise<StateEntry | undefined> {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    if (this.filter.isReady && !this.filter.mightContain(key)) return undefined;
    const epoch = this.epoch;
    const raw = await this.state.get(key);
    const entry = raw === undefined ? undefined : parseState(key, raw);
    // If a block was committed meanwhile, this value may predate it: return it (MVCC will judge)
    // but do not let it overwrite what the commit put in the cache.
    if (epoch === this.epoch) this.remember(key, entry ?? null);
    return entry;
  }

  /** Called after a block is durably written: the cache follows the committed state. */
  applyCommitted(writes: Iterable<[string, { value: string | null; version: Version }]>): void {
    this.epoch += 1;
    for (const [key, { value, version }] of writes) {
      this.filter.add(key);
      this.remember(key, value === null ? null : { key, value, version });
      for (const [rangeKey, cached] of this.ranges) {
        if (key >= cached.start && key < cached.end) this.ranges.delete(rangeKey);
      }
    }
  }

  private remember(key: string, entry: StateEntry | null): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    // Bounded, oldest first out: Map iteration order is insertion order.
    if (this.cache.size > STATE_CACHE_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
  }

  /**
   * Small range reads are cached the same way: an accreditation or role check reads the same few
   * keys on every request. A commit drops every cached range that contains a written key, so a
   * cached range is always the committed one; large ranges (audit pages) are not kept.
   */
  private readonly ranges = new Map<string, { start: string; end: string; entries: StateEntry[] }>();

  /** Keys in [start, end), in order, at most `limit`. */
  async range(start: string, end: string, limit = -1): Promise<StateEntry[]> {
    const rangeKey = `${start}\u0000${end}\u0000${limit}`;
    const hit = this.ranges.get(rangeKey);
    if (hit) return [...hit.entries];
    const epoch = this.epoch;
    const out: StateEntry[] = [];
    for await (const [key, raw] of this.state.iterator({ gte: start, lt: end, limit })) {
      out.push(parseState(key, raw));
    }
    if (epoch === this.epoch && out.length <= RANGE_CACHE_MAX_ENTRIES) {
      this.ranges.set(rangeKey, { start, end, entries: [...out] });
      if (this.ranges.size > RANGE_CACHE_RANGES) {
        const oldest = this.ranges.keys().next();
        if (!oldest.done) this.ranges.delete(oldest.value);
      }
    }
    return out;
  }

  /** Every committed version of a key, newest first (Fabric's order). */
  async history(key: string): Promise<HistoryRecord[]> {
    const prefix = historyPrefix(key);
    const out: HistoryRecord[] = [];
    // Read forwards and reverse here: a key has few versions, and a forward seek is much cheaper
    // in LevelDB than a reverse one (measured: audit pages read twenty histories each).
    for await (const [hkey, raw] of this.history_.iterator({ gte: prefix, lt: `${prefix}~` })) {
      const parsed = JSON.parse(raw) as { ts: string; tx: string; v: string | null };
      const tail = hkey.slice(prefix.length);
      out.push({
        txId: parsed.tx,
        timestamp: parsed.ts,
        value: parsed.v,
        version: [Number(tail.slice(0, 12)), Number(tail.slice(12))],
      });
    }
    return out.reverse();
  }
}
