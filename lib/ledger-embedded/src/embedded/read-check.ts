import type { KeyObject } from 'node:crypto';
import { RecordIntegrityError, type RecordIntegrityReason } from '@edu-ledger/ledger-port';
import { headerHash, sha256, type Block } from './block.js';
import { splitCompositeKey } from './composite-key.js';
import { checkSignature, keyObject } from './integrity-check.js';
import type { RecordedNodeKey } from './node-key.js';
import { pad, type StateEntry, type StateStore } from './state-store.js';

/** The chain's tip as the ledger holds it in memory (loaded from the stored tip, then committed). */
export interface ReadCheckTip {
  height: number;
  lastHash: string;
}

/** What a block is vouched for by: its header and node-key signature. */
type BlockHead = Pick<Block, 'header' | 'signature'>;

/**
 * A block found sound: its data as stored, which hashed to its header's data hash, and where each
 * transaction starts in it. Records are looked up in the text itself (see `writtenValue`), so a
 * block of a megabyte is never parsed, and costs no more memory than its text.
 */
interface SoundBlock {
  previousHash: string;
  text: string;
  /** Where each transaction's object starts in `text`, then where the last one ends. */
  starts: readonly number[];
}

/**
 * How many sound blocks are kept. Reads cluster on few blocks (the organisations, roles,
 * accreditations and keys every request reads were written in a handful of blocks; a credential's
 * anchor and status in the block that anchored it), so a few hundred cover the hot set.
 */
const CACHE_BLOCKS = 256;
/**
 * And at most this many characters of block text, whatever the blocks' sizes: a block of
 * 500-credential anchoring batches is over a megabyte, so it is these that bound memory (32 MB of
 * ASCII text; up to twice that were it all Chinese).
 */
const CACHE_CHARS = 32 * 2 ** 20;
/**
 * Read-ahead: when checks of blocks not in the cache move forward through the chain (credentials
 * verified in about the order they were issued, a status list read slot by slot), each reads and
 * checks up to twice as many following blocks as the last, up to this many, in one database read;
 * the newest is vouched for by its signature and the others by their links to it (see `vouched`),
 * so a signature check and a database read serve many blocks. A read that is not the next one
 * ahead starts again from a single block, so scattered reads do not pay for blocks never read.
 */
const READ_AHEAD_BLOCKS = 16;
/** And no more characters than this in one read ahead (beyond the block asked for). */
const READ_AHEAD_CHARS = 256 * 1024;
/** The most stored texts held for checks under way (concurrent reads may each read ahead). */
const READ_AHEAD_KEPT = 4 * READ_AHEAD_BLOCKS;

/** A stored block is `canonicalJson(block)`: its members in this order (see `commitBlock`). */
const DATA_PREFIX = '{"data":';
const HEADER_MARK = ',"header":';

/**
 * Re-checks committed records against the blocks that wrote them, so that state edited in the
 * database behind the ledger's back is refused when it is read instead of being served.
 *
 * A record carries the version [block, transaction] of its last write. It passes when that block's
 * transaction is valid and wrote exactly this value to this key, and the block is sound: its data
 * hashes to its header's `dataHash`; its header hash is what the next block records as previous
 * hash (for the newest block: the tip's hash); and the chain vouches for that hash — by the next
 * block when that one was found sound already, else by the block's node-key signature, or, for
 * blocks from before the ledger had a node key, by the links up to a block that is signed, or to
 * the tip. The link alone would not do: whoever edits a block can edit the next block's previous
 * hash too; without the node key they cannot sign either.
 *
 * What this does not catch: a record put back to an older write of the same key (value and
 * version both taken from an earlier block) is one its block does vouch for. Only the full
 * `verifyChain` replay, which knows every key's last write, sees that. Nor can it stop someone who
 * holds the node key and rewrites the chain from that block on: a head kept by an inspector can.
 *
 * Blocks found sound are kept (committed blocks never change while the ledger runs, so nothing is
 * invalidated on commit): a record of a kept block costs a search of its transaction's text, and a
 * record read again a WeakSet lookup. A block enters the cache only after every check above
 * passed; a block that failed is never kept, and is checked again by the next read that names it.
 * A block not in the cache costs its database read and the next block's (for the link), a
 * signature check and its hash, about 3 ms per megabyte: some 0.2–0.3 ms of CPU for a block of a
 * few transactions as the gateway commits them, less when read ahead (see READ_AHEAD_BLOCKS).
 */
export class ReadChecker {
  /** Sound blocks by number, least recently used first (Map iteration order is insertion order). */
  private readonly cache = new Map<number, SoundBlock>();
  private cachedChars = 0;
  /**
   * Records that passed, as the state store hands them out: it keeps hot records (and small ranges)
   * as the same objects, and never changes one, so a record read again costs one lookup here.
   */
  private readonly passed = new WeakSet<StateEntry>();
  /** Checks under way, so concurrent reads of one block share a single check. */
  private readonly checking = new Map<number, Promise<SoundBlock | RecordIntegrityReason>>();
  private readonly publicKey: KeyObject | undefined;
  /** Blocks numbered from here are signed and must carry a valid node-key signature. */
  private readonly signedFrom: number;
  /**
   * Unsigned blocks from this number up to the first signed block (or the tip) are known to link to
   * it, so a later check of one of them stops here instead of walking the links again.
   */
  private linkedFrom = Number.POSITIVE_INFINITY;
  /**
   * Stored texts read before their check: blocks read ahead, and the last block read only for its
   * header (the next block in a link check), which is often the next one checked. Bytes as read,
   * not blocks found sound: each is checked like any other, then dropped.
   */
  private readonly readAhead = new Map<number, string>();
  /** Where the next read ahead is expected to start, and how many blocks the last one covered. */
  private nextCold = -1;
  private run = 1;
  /** Reads ahead under way: a read of a block one of them covers waits for it (see `checkBlock`). */
  private readonly runs = new Set<{ from: number; to: number; done: Promise<unknown> }>();

  constructor(
    private readonly store: StateStore,
    private readonly tip: () => ReadCheckTip,
    nodeKey: RecordedNodeKey | undefined,
  ) {
    // An unusable recorded key fails the open-time check; with that check off, no block counts as
    // signed and every block is vouched for by its links to the tip instead.
    this.publicKey = keyObject(nodeKey, () => undefined);
    this.signedFrom = this.publicKey && nodeKey ? nodeKey.since : Number.POSITIVE_INFINITY;
  }

  /**
   * Resolves when the record (its key, base64 value and version) is the one its block wrote.
   *
   * @throws RecordIntegrityError when it is not, or when the block is missing or not sound.
   */
  async check(entry: StateEntry): Promise<void> {
    if (this.passed.has(entry)) return;
    const { key, version, value } = entry;
    const [number, index] = version;
    let block: SoundBlock | RecordIntegrityReason | undefined = this.cache.get(number);
    if (block) {
      this.cache.delete(number);
      this.cache.set(number, block);
    } else {
      block = await this.soundBlock(number);
    }
    let reason: RecordIntegrityReason | undefined;
    if (typeof block === 'string') reason = block;
    else {
      const written = writtenValue(block, index, key, value);
      // A delete in the block with a record still stored is a value that differs too.
      if (written === 'none') reason = 'no-such-write';
      else if (written !== 'same') reason = 'value-differs';
    }
    if (reason !== undefined) {
      throw new RecordIntegrityError(splitCompositeKey(key).objectType, key, number, index, reason);
    }
    this.passed.add(entry);
  }

  /** Checks a block not in the cache, once however many reads wait for it. */
  private soundBlock(number: number, readAhead = true): Promise<SoundBlock | RecordIntegrityReason> {
    let pending = this.checking.get(number);
    if (!pending) {
      pending = this.checkBlock(number, readAhead).finally(() => this.checking.delete(number));
      this.checking.set(number, pending);
    }
    return pending;
  }

  private async checkBlock(number: number, readAhead: boolean): Promise<SoundBlock | RecordIntegrityReason> {
    // Taken once: a block committed during this check does not change what block `number` must be.
    const tip = this.tip();
    if (!Number.isSafeInteger(number) || number < 0 || number >= tip.height) return 'block-missing';
    if (readAhead) {
      const covering = [...this.runs].find((r) => number > r.from && number <= r.to);
      if (covering) {
        await covering.done;
        const checked = this.cache.get(number);
        if (checked) return checked;
      } else {
        // Decided before any await, so that concurrent reads moving forward see it at once.
        this.run = number === this.nextCold ? Math.min(this.run * 2, READ_AHEAD_BLOCKS) : 1;
        this.nextCold = number + this.run;
        if (this.run > 1) await this.readAheadRun(number, this.run, tip);
      }
    }
    const raw = await this.readStored(number);
    if (raw === undefined) return 'block-missing';
    const stored = splitStored(raw);
    if (!stored || stored.head.header.number !== number) return 'block-unsound';
    const { header } = stored.head;
    const hash = headerHash(header);
    const recorded = number === tip.height - 1 ? tip.lastHash : await this.previousHashOf(number + 1);
    if (recorded !== hash) return 'block-unsound';
    if (!(await this.vouched(number, stored.head, hash, tip))) return 'block-unsound';
    // The data exactly as stored must hash to the header's data hash: since a stored block is its
    // canonical JSON, it is then the very text `commitBlock` hashed, which records are looked up in
    // (hashing the stored text spares re-encoding, and parsing, a block of a megabyte or more).
    if (sha256(stored.dataText) !== header.dataHash) return 'block-unsound';
    const starts = transactionStarts(stored.dataText);
    if (!starts) return 'block-unsound';
    const sound: SoundBlock = { previousHash: header.previousHash, text: stored.dataText, starts };
    this.remember(number, sound);
    return sound;
  }

  /**
   * Reads blocks `number` to `number + size - 1` (fewer if READ_AHEAD_CHARS is reached) and the one
   * after them in one database read, then checks those after `number`, newest first, so that each
   * is vouched for by the sound block after it; `number` itself is left to the caller.
   */
  private async readAheadRun(number: number, size: number, tip: ReadCheckTip): Promise<void> {
    const end = Math.min(number + size + 1, tip.height);
    const work = (async (): Promise<void> => {
      let newest = number;
      let chars = 0;
      for await (const [key, raw] of this.store.blocks.iterator({ gte: pad(number, 12), lt: pad(end, 12) })) {
        const n = Number(key);
        this.keepAhead(n, raw);
        // The last one read is there for its header only, unless it is the tip, which has no next.
        if (n < end - 1 || n === tip.height - 1) newest = n;
        chars += raw.length;
        if (chars > READ_AHEAD_CHARS) break;
      }
      // Not through `soundBlock`: a read waiting for this run may hold that block's entry there.
      for (let n = newest; n > number; n--) if (!this.cache.has(n)) await this.checkBlock(n, false);
    })();
    const run = { from: number, to: number + size - 1, done: work.catch(() => undefined) };
    this.runs.add(run);
    try {
      await work;
    } finally {
      this.runs.delete(run);
      // The block after the run stays, if small: it is where the next read ahead starts.
      for (let n = number + 1; n < end; n++) {
        if (n < end - 1 || (this.readAhead.get(n)?.length ?? 0) > READ_AHEAD_CHARS) this.readAhead.delete(n);
      }
    }
  }

  /**
   * Whether the chain vouches for `hash` as block `number`'s: its signature when it is signed;
   * otherwise the links upwards to a signed block, to a block already found sound, to the tip, or
   * to an unsigned block already found linked.
   */
  private async vouched(number: number, head: BlockHead, hash: string, tip: ReadCheckTip): Promise<boolean> {
    // The next block, once found sound, vouches for the previous hash it records, and
    // `checkBlock` compared that with `hash` already.
    if (this.cache.has(number + 1)) return true;
    let n = number;
    let current = head;
    let currentHash = hash;
    for (;;) {
      if (n >= this.signedFrom && this.publicKey) {
        let ok = true;
        checkSignature(current, currentHash, this.publicKey, () => (ok = false));
        if (!ok) return false;
        break;
      }
      if (n === tip.height - 1) {
        if (currentHash !== tip.lastHash) return false;
        break;
      }
      if (n >= this.linkedFrom) break;
      const sound = this.cache.get(n + 1);
      if (sound) {
        if (sound.previousHash !== currentHash) return false;
        break;
      }
      const next = await this.headOf(n + 1);
      if (!next || next.header.number !== n + 1 || next.header.previousHash !== currentHash) return false;
      n += 1;
      current = next;
      currentHash = headerHash(next.header);
    }
    if (number < this.signedFrom) this.linkedFrom = Math.min(this.linkedFrom, number);
    return true;
  }

  /** The previous hash a block records: a cached block is sound, so its own is vouched for. */
  private async previousHashOf(number: number): Promise<string | undefined> {
    const cached = this.cache.get(number);
    if (cached) return cached.previousHash;
    return (await this.headOf(number))?.header.previousHash;
  }

  /** A stored block's header and signature, read from the end of its text without parsing its data. */
  private async headOf(number: number): Promise<BlockHead | undefined> {
    const raw = this.readAhead.get(number) ?? (await this.store.blocks.get(pad(number, 12)));
    if (raw === undefined) return undefined;
    // Kept for when this block is checked next, if small.
    if (raw.length <= READ_AHEAD_CHARS) this.keepAhead(number, raw);
    return splitStored(raw)?.head;
  }

  private keepAhead(number: number, raw: string): void {
    this.readAhead.set(number, raw);
    // Bounded, oldest first out: an entry missing is only read again.
    if (this.readAhead.size > READ_AHEAD_KEPT) {
      const oldest = this.readAhead.keys().next();
      if (!oldest.done) this.readAhead.delete(oldest.value);
    }
  }

  /** A block's stored text: from `readAhead` when it was read already (and dropped from it then). */
  private async readStored(number: number): Promise<string | undefined> {
    const ahead = this.readAhead.get(number);
    if (ahead !== undefined) {
      this.readAhead.delete(number);
      return ahead;
    }
    return this.store.blocks.get(pad(number, 12));
  }

  private remember(number: number, block: SoundBlock): void {
    const old = this.cache.get(number);
    if (old) this.cachedChars -= old.text.length;
    this.cache.delete(number);
    this.cache.set(number, block);
    this.cachedChars += block.text.length;
    // Oldest out until within both bounds; the block just checked stays even if alone too large.
    for (const [oldest, entry] of this.cache) {
      if (this.cache.size <= CACHE_BLOCKS && this.cachedChars <= CACHE_CHARS) break;
      if (oldest === number) break;
      this.cache.delete(oldest);
      this.cachedChars -= entry.text.length;
    }
  }
}

/**
 * Splits a stored block into the text of its data and its parsed header and signature. The data
 * is taken as written, up to the last header member: were a member repeated in edited bytes, the
 * data used is still the text that was hashed. Undefined when the text is not laid out as
 * `canonicalJson(block)` lays it out, or its header is not a header.
 */
function splitStored(raw: string): { dataText: string; head: BlockHead } | undefined {
  const at = raw.lastIndexOf(HEADER_MARK);
  if (!raw.startsWith(DATA_PREFIX) || at < DATA_PREFIX.length) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(`{${raw.slice(at + 1)}`);
  } catch {
    return undefined;
  }
  const header: unknown = typeof head === 'object' && head !== null ? Reflect.get(head, 'header') : undefined;
  if (typeof header !== 'object' || header === null) return undefined;
  const { number, previousHash, dataHash } = header as Record<string, unknown>;
  if (!Number.isSafeInteger(number) || typeof previousHash !== 'string' || typeof dataHash !== 'string') {
    return undefined;
  }
  return { dataText: raw.slice(DATA_PREFIX.length, at), head: head as BlockHead };
}

/*
 * Looking records up in a block's text. The text is `canonicalJson(block.data)` as committed (its
 * hash proved it), so its layout is known: `{"transactions":[...]}`, each transaction an object
 * whose members are sorted, `args` first and `validationCode` last, each write `{"key":…,"value":…}`
 * (a read is `{"key":…,"version":…}`). Every string in it is JSON-encoded, quotes escaped, so these
 * patterns can only match the structure itself, never text inside a value.
 */
const TRANSACTIONS_PREFIX = '{"transactions":[';
const TRANSACTIONS_SUFFIX = ']}';
const TRANSACTION_START = '{"args":';
const VALID_END = ',"validationCode":"VALID"}';

/** Where each transaction starts, then where the last one ends; undefined for another layout. */
function transactionStarts(text: string): number[] | undefined {
  if (!text.startsWith(TRANSACTIONS_PREFIX) || !text.endsWith(TRANSACTIONS_SUFFIX)) return undefined;
  const starts: number[] = [];
  let at = text.indexOf(TRANSACTION_START, TRANSACTIONS_PREFIX.length);
  while (at >= 0) {
    starts.push(at);
    at = text.indexOf(TRANSACTION_START, at + TRANSACTION_START.length);
  }
  starts.push(text.length - TRANSACTIONS_SUFFIX.length);
  return starts;
}

/**
 * What transaction `index` of a sound block wrote to `key`, compared with `value` (base64): the
 * same value, another one (or a delete), or nothing (no such valid transaction, or no such write).
 */
function writtenValue(
  block: SoundBlock,
  index: number,
  key: string,
  value: string,
): 'same' | 'other' | 'none' {
  const { text, starts } = block;
  const from = starts[index];
  const next = starts[index + 1];
  if (from === undefined || next === undefined) return 'none';
  // A transaction is followed by a comma, except the last.
  const end = text.charCodeAt(next - 1) === 0x2c ? next - 1 : next;
  if (!text.startsWith(VALID_END, end - VALID_END.length)) return 'none';
  // A transaction writes each key at most once.
  const needle = `{"key":${JSON.stringify(key)},"value":`;
  const at = text.indexOf(needle, from);
  if (at < 0 || at >= end) return 'none';
  return text.startsWith(`${JSON.stringify(value)}}`, at + needle.length) ? 'same' : 'other';
}
