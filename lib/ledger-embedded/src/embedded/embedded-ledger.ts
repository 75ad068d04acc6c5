import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { ClassicLevel, type BatchOperation } from 'classic-level';
import { DomainError, canonicalJson, findErrorCode, type ClientIdentity } from '@edu-ledger/domain';
import { contracts as defaultContracts, declaredTransactions } from '@edu-ledger/chaincode';
import type {
  ChainCheck,
  IdentityKind,
  LedgerEvent,
  LedgerPort,
  SubmitResult,
  TxLocation,
} from '@edu-ledger/ledger-port';
import { x509Identity } from '../identities.js';
import { TxSimulator, type ReadWriteSet, type SimulatedEvent } from './simulator.js';
import { fnv1a32 } from './key-filter.js';
import {
  StateStore,
  encodeHistory,
  encodeState,
  historyKey,
  pad,
  type StateEntry,
  type Version,
} from './state-store.js';

/** Any fabric-contract-api contract class with a no-argument constructor. */
type ContractClass = new () => { getName(): string };
type TxFunction = (ctx: unknown, ...args: string[]) => Promise<unknown>;

export const ZERO_HASH = '0'.repeat(64);

export type ValidationCode = 'VALID' | 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT';

export interface BlockTransaction {
  txId: string;
  timestamp: string;
  creator: ClientIdentity;
  fn: string;
  args: string[];
  rwset: ReadWriteSet;
  event: SimulatedEvent | null;
  response: string;
  validationCode: ValidationCode;
}

export interface Block {
  header: { number: number; previousHash: string; dataHash: string };
  data: { transactions: BlockTransaction[] };
}

export interface EmbeddedLedgerOptions {
  /** Folder holding the LevelDB database. */
  path: string;
  /** Transaction timestamps come from here (tests inject a fixed clock). */
  now?: () => Date;
  /** Largest number of transactions cut into one block. */
  maxBlockTransactions?: number;
  /** fsync each block; off only for benchmarks of the raw engine. */
  sync?: boolean;
  contracts?: readonly ContractClass[];
}

interface Pending {
  tx: Omit<BlockTransaction, 'validationCode'>;
  resolve: (r: SubmitResult) => void;
  reject: (e: Error) => void;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const headerHash = (header: Block['header']): string => sha256(canonicalJson(header));

/**
 * The default ledger: the chaincode contracts run in-process over LevelDB with Fabric's semantics
 * where they matter — simulate then commit, MVCC read-set validation (conflicting transactions are
 * recorded in the block as invalid and change nothing), one atomic LevelDB batch per block (so a
 * crash can never leave a partial block), hash-chained block headers, key history and events.
 */
export class EmbeddedLedger implements LedgerPort {
  readonly kind = 'embedded' as const;
  private readonly functions = new Map<string, { instance: object; method: TxFunction }>();
  private readonly listeners = new Set<(e: LedgerEvent) => void>();
  private readonly pending: Pending[] = [];
  private committing = false;
  private chainHeight = 0;
  private lastHash = ZERO_HASH;
  private closed = false;

  private constructor(
    private readonly db: ClassicLevel<string, string>,
    private readonly store: StateStore,
    private readonly options: Required<Omit<EmbeddedLedgerOptions, 'contracts' | 'path'>>,
    contracts: readonly ContractClass[],
  ) {
    for (const Contract of contracts) {
      const instance = new Contract();
      for (const { name } of declaredTransactions(instance)) {
        const method: unknown = Reflect.get(instance, name);
        if (typeof method === 'function') {
          this.functions.set(`${instance.getName()}:${name}`, { instance, method: method as TxFunction });
        }
      }
    }
  }

  static async open(options: EmbeddedLedgerOptions): Promise<EmbeddedLedger> {
    mkdirSync(options.path, { recursive: true });
    const db = new ClassicLevel<string, string>(options.path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const ledger = new EmbeddedLedger(
      db,
      new StateStore(db),
      {
        now: options.now ?? (() => new Date()),
        maxBlockTransactions: options.maxBlockTransactions ?? 200,
        sync: options.sync ?? true,
      },
      options.contracts ?? defaultContracts,
    );
    const tip = await ledger.store.meta.get('tip');
    if (tip !== undefined) {
      const parsed = JSON.parse(tip) as { height: number; lastHash: string };
      ledger.chainHeight = parsed.height;
      ledger.lastHash = parsed.lastHash;
    }
    ledger.store.startKeyFilter();
    return ledger;
  }

  /** Resolves when the state key filter has been filled from disk (true if it is in use). */
  keyFilterReady(): Promise<boolean> {
    return this.store.keyFilterReady();
  }

  get blockHeight(): number {
    return this.chainHeight;
  }

  async height(): Promise<number> {
    return this.chainHeight;
  }

  /** The embedded ledger stands in for every organisation's CA, so it holds every identity. */
  async identity(mspId: string, name: string, kind: IdentityKind): Promise<ClientIdentity> {
    return x509Identity(mspId, name, kind);
  }

  async submit(identity: ClientIdentity, fn: string, args: readonly string[]): Promise<SubmitResult> {
    const simulated = await this.simulate(identity, fn, args);
    return new Promise<SubmitResult>((resolve, reject) => {
      this.pending.push({ tx: simulated, resolve, reject });
      this.scheduleCommit();
    });
  }

  async evaluate(identity: ClientIdentity, fn: string, args: readonly string[]): Promise<string> {
    return (await this.simulate(identity, fn, args)).response;
  }

  onEvent(listener: (event: LedgerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async locateTransaction(txId: string): Promise<TxLocation | undefined> {
    const raw = await this.store.txIndex.get(txId);
    if (raw === undefined) return undefined;
    const parsed = JSON.parse(raw) as { b: number; c: string };
    return { txId, blockNumber: parsed.b, validationCode: parsed.c };
  }

  /** The stored block, parsed; undefined past the tip. */
  async getBlock(number: number): Promise<Block | undefined> {
    const raw = await this.store.blocks.get(pad(number, 12));
    return raw === undefined ? undefined : (JSON.parse(raw) as Block);
  }

  /** Committed events from a block onwards, for consumers resuming from a checkpoint. */
  async eventsFrom(blockNumber: number): Promise<LedgerEvent[]> {
    const out: LedgerEvent[] = [];
    for (let n = blockNumber; n < this.chainHeight; n++) {
      const block = await this.getBlock(n);
      for (const tx of block?.data.transactions ?? []) {
        if (tx.validationCode === 'VALID' && tx.event) out.push(toLedgerEvent(n, tx.txId, tx.event));
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.committing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.store.stopKeyFilter();
    await this.db.close();
  }

  private async simulate(
    identity: ClientIdentity,
    fn: string,
    args: readonly string[],
  ): Promise<Omit<BlockTransaction, 'validationCode'>> {
    if (this.closed) throw new DomainError('LEDGER_UNAVAILABLE', 'ledger is closed');
    const target = this.functions.get(fn);
    if (!target) throw new DomainError('INVALID_ARGUMENT', `no transaction ${fn}`);
    const txId = randomBytes(32).toString('hex');
    const timestamp = this.options.now();
    const simulator = new TxSimulator(this.store, txId, timestamp);
    let response: unknown;
    try {
      response = await target.method.call(target.instance, simulator.context(identity), ...args);
    } catch (error) {
      throw asDomainError(error);
    }
    return {
      txId,
      timestamp: timestamp.toISOString(),
      creator: { mspId: identity.mspId, id: identity.id },
      fn,
      args: [...args],
      rwset: simulator.readWriteSet(),
      event: simulator.emittedEvent() ?? null,
      response: typeof response === 'string' ? response : JSON.stringify(response ?? null),
    };
  }

  private scheduleCommit(): void {
    if (this.committing || this.pending.length === 0) return;
    this.committing = true;
    setImmediate(() => {
      const batch = this.pending.splice(0, this.options.maxBlockTransactions);
      this.commitBlock(batch)
        .catch((error: unknown) => {
          const failure = new DomainError('LEDGER_UNAVAILABLE', 'commit failed');
          failure.cause = error;
          for (const p of batch) p.reject(failure);
        })
        .finally(() => {
          this.committing = false;
          this.scheduleCommit();
        });
    });
  }

  /** Validates a block's transactions in order against state plus earlier writes in the block. */
  private async commitBlock(batch: Pending[]): Promise<void> {
    const number = this.chainHeight;
    const overlay = new Map<string, { value: string | null; version: Version }>();
    const transactions: BlockTransaction[] = [];
    for (const [index, { tx }] of batch.entries()) {
      const validationCode = await this.validate(tx.rwset, overlay);
      if (validationCode === 'VALID') {
        for (const w of tx.rwset.writes) overlay.set(w.key, { value: w.value, version: [number, index] });
      }
      transactions.push({ ...tx, validationCode });
    }
    const data = { transactions };
    const header = { number, previousHash: this.lastHash, dataHash: sha256(canonicalJson(data)) };
    const block: Block = { header, data };
    const hash = headerHash(header);

    const ops: BatchOperation<ClassicLevel<string, string>, string, string>[] = [];
    ops.push({ type: 'put', sublevel: this.store.blocks, key: pad(number, 12), value: canonicalJson(block) });
    for (const [index, tx] of transactions.entries()) {
      ops.push({
        type: 'put',
        sublevel: this.store.txIndex,
        key: tx.txId,
        value: JSON.stringify({ b: number, c: tx.validationCode, n: index }),
      });
      if (tx.validationCode !== 'VALID') continue;
      for (const w of tx.rwset.writes) {
        ops.push({
          type: 'put',
          sublevel: this.store.history_,
          key: historyKey(w.key, [number, index]),
          value: encodeHistory({ txId: tx.txId, timestamp: tx.timestamp, value: w.value }),
        });
      }
    }
    for (const [key, { value, version }] of overlay) {
      ops.push(
        value === null
          ? { type: 'del', sublevel: this.store.state, key }
          : { type: 'put', sublevel: this.store.state, key, value: encodeState(value, version) },
      );
    }
    ops.push({
      type: 'put',
      sublevel: this.store.meta,
      key: 'tip',
      value: JSON.stringify({ height: number + 1, lastHash: hash }),
    });
    await this.db.batch(ops, { sync: this.options.sync });
    this.store.applyCommitted(overlay);
    this.chainHeight = number + 1;
    this.lastHash = hash;

    for (const [index, tx] of transactions.entries()) {
      const pending = batch[index];
      if (!pending) continue;
      if (tx.validationCode === 'VALID') {
        pending.resolve({ txId: tx.txId, blockNumber: number, result: tx.response });
      } else {
        pending.reject(
          new DomainError('MVCC_READ_CONFLICT', `transaction ${tx.txId} invalidated: ${tx.validationCode}`),
        );
      }
    }
    for (const tx of transactions) {
      if (tx.validationCode === 'VALID' && tx.event) this.publish(toLedgerEvent(number, tx.txId, tx.event));
    }
  }

  private async validate(
    rwset: ReadWriteSet,
    overlay: ReadonlyMap<string, { value: string | null; version: Version }>,
  ): Promise<ValidationCode> {
    for (const read of rwset.reads) {
      const current = await this.currentVersion(read.key, overlay);
      if (!sameVersion(current, read.version)) return 'MVCC_READ_CONFLICT';
    }
    for (const range of rwset.ranges) {
      const now = await this.rangeWithOverlay(range.start, range.end, overlay);
      if (now.length !== range.seen.length) return 'PHANTOM_READ_CONFLICT';
      for (const [i, entry] of now.entries()) {
        const seen = range.seen[i];
        if (!seen || seen.key !== entry.key || !sameVersion(seen.version, entry.version)) {
          return 'PHANTOM_READ_CONFLICT';
        }
      }
    }
    return 'VALID';
  }

  private async currentVersion(
    key: string,
    overlay: ReadonlyMap<string, { value: string | null; version: Version }>,
  ): Promise<Version | null> {
    const pending = overlay.get(key);
    if (pending) return pending.value === null ? null : pending.version;
    return (await this.store.get(key))?.version ?? null;
  }

  private async rangeWithOverlay(
    start: string,
    end: string,
    overlay: ReadonlyMap<string, { value: string | null; version: Version }>,
  ): Promise<{ key: string; version: Version }[]> {
    const merged = new Map<string, Version>();
    for (const e of await this.store.range(start, end)) merged.set(e.key, e.version);
    for (const [key, { value, version }] of overlay) {
      if (key < start || key >= end) continue;
      if (value === null) merged.delete(key);
      else merged.set(key, version);
    }
    return [...merged]
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map(([key, version]) => ({ key, version }));
  }

  private publish(event: LedgerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop delivery to the others or break the commit path.
      }
    }
  }

  /**
   * Recomputes everything derivable from the blocks — header chain, data hashes, world state,
   * history and transaction index — and compares it byte for byte with what is stored.
   *
   * Memory stays bounded whatever the ledger's size: the expected entries are built for one share
   * of the keys at a time (keys are split into buckets by a hash), replaying the blocks once per
   * bucket. It starts with one bucket and, when a bucket would hold more than
   * `maxEntriesInMemory` expected entries, starts again with four times as many.
   */
  async verifyChain(options: { maxEntriesInMemory?: number } = {}): Promise<ChainCheck> {
    const limit = options.maxEntriesInMemory ?? VERIFY_MAX_ENTRIES;
    for (let buckets = 1; ; buckets *= 4) {
      // One key's history cannot be split; past this many buckets the limit is no longer applied.
      const check = await this.verifyInBuckets(buckets, buckets >= VERIFY_MAX_BUCKETS ? Infinity : limit);
      if (check !== undefined) return check;
    }
  }

  /** One complete verification with `buckets` buckets; undefined if a bucket outgrew `limit`. */
  private async verifyInBuckets(buckets: number, limit: number): Promise<ChainCheck | undefined> {
    const problems: string[] = [];
    const note = (p: string): void => {
      if (problems.length < 50) problems.push(p);
    };
    const inBucket = (key: string, bucket: number): boolean =>
      buckets === 1 || fnv1a32(key) % buckets === bucket;
    let height = 0;
    let lastHash = ZERO_HASH;
    let checkedTransactions = 0;
    let checkedKeys = 0;
    for (let bucket = 0; bucket < buckets; bucket++) {
      const first = bucket === 0;
      const expectedState = new Map<string, string>();
      const expectedHistory = new Map<string, string>();
      const expectedTx = new Map<string, string>();
      let previousHash = ZERO_HASH;
      let count = 0;
      for await (const [blockKey, raw] of this.store.blocks.iterator()) {
        const expectedNumber = count++;
        let block: Block;
        try {
          block = JSON.parse(raw) as Block;
        } catch {
          if (first) note(`block ${blockKey}: not valid JSON`);
          continue;
        }
        if (first) {
          if (canonicalJson(block) !== raw)
            note(`block ${blockKey}: stored bytes are not the canonical encoding`);
          if (blockKey !== pad(expectedNumber, 12) || block.header.number !== expectedNumber) {
            note(`block ${blockKey}: out of sequence (expected ${expectedNumber})`);
          }
          if (block.header.previousHash !== previousHash)
            note(`block ${expectedNumber}: previous-hash link broken`);
          if (sha256(canonicalJson(block.data)) !== block.header.dataHash)
            note(`block ${expectedNumber}: data hash mismatch`);
          checkedTransactions += block.data.transactions.length;
        }
        previousHash = headerHash(block.header);
        for (const [index, tx] of block.data.transactions.entries()) {
          if (inBucket(tx.txId, bucket)) {
            expectedTx.set(
              tx.txId,
              JSON.stringify({ b: block.header.number, c: tx.validationCode, n: index }),
            );
          }
          if (tx.validationCode !== 'VALID') continue;
          const version: Version = [block.header.number, index];
          for (const w of tx.rwset.writes) {
            if (!inBucket(w.key, bucket)) continue;
            if (w.value === null) expectedState.delete(w.key);
            else expectedState.set(w.key, fingerprint(encodeState(w.value, version)));
            expectedHistory.set(
              historyKey(w.key, version),
              fingerprint(encodeHistory({ txId: tx.txId, timestamp: tx.timestamp, value: w.value })),
            );
          }
          if (expectedState.size + expectedHistory.size + expectedTx.size > limit) return undefined;
        }
      }
      if (first) {
        height = count;
        lastHash = previousHash;
        if (count !== this.chainHeight)
          note(`tip says height ${this.chainHeight} but ${count} blocks are stored`);
        if (previousHash !== this.lastHash) note('tip hash does not match the last stored block');
        const tipRaw = await this.store.meta.get('tip');
        if (count > 0 && tipRaw !== JSON.stringify({ height: count, lastHash: previousHash })) {
          note('stored tip record does not match the chain');
        }
      }
      // History keys are length-prefixed state keys, so a history entry belongs to its key's bucket.
      const inThisBucket = (what: 'state' | 'history' | 'tx', key: string): boolean =>
        inBucket(what === 'history' ? stateKeyOfHistory(key) : key, bucket);
      await compareSublevel(
        'state',
        this.store.state.iterator(),
        expectedState,
        note,
        (k) => inThisBucket('state', k),
        fingerprint,
      );
      await compareSublevel(
        'history',
        this.store.history_.iterator(),
        expectedHistory,
        note,
        (k) => inThisBucket('history', k),
        fingerprint,
      );
      await compareSublevel(
        'transaction index',
        this.store.txIndex.iterator(),
        expectedTx,
        note,
        (k) => inThisBucket('tx', k),
        (v) => v,
      );
      checkedKeys += expectedState.size;
    }
    return { ok: problems.length === 0, height, lastHash, checkedTransactions, checkedKeys, problems };
  }
}

/**
 * Expected entries one verification pass may hold: state and history values are kept as 128-bit
 * SHA-256 fingerprints, about 170 bytes an entry with their keys (an estimate), so about 200 MB.
 * A ledger of 100,000 credentials (600,000 entries) is checked in one pass; 1,000,000 in sixteen.
 */
const VERIFY_MAX_ENTRIES = 1_200_000;
const VERIFY_MAX_BUCKETS = 1024;

/** What the chain check keeps of a stored value: its SHA-256, 128 bits, base64. */
function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('base64').slice(0, 22);
}

/** The state key a history key belongs to (see historyKey: an 8-digit length, then the key). */
function stateKeyOfHistory(historyKeyText: string): string {
  const length = Number(historyKeyText.slice(0, 8));
  return historyKeyText.slice(8, 8 + length);
}

async function compareSublevel(
  what: string,
  iterator: AsyncIterable<[string, string]>,
  expected: Map<string, string>,
  note: (p: string) => void,
  mine: (key: string) => boolean,
  reduce: (value: string) => string,
): Promise<void> {
  const seen = new Set<string>();
  for await (const [key, value] of iterator) {
    if (!mine(key)) continue;
    seen.add(key);
    const want = expected.get(key);
    if (want === undefined) note(`${what}: unexpected entry ${printable(key)}`);
    else if (want !== reduce(value)) note(`${what}: altered entry ${printable(key)}`);
  }
  for (const key of expected.keys()) if (!seen.has(key)) note(`${what}: missing entry ${printable(key)}`);
}

function printable(key: string): string {
  return JSON.stringify(key).slice(1, -1).slice(0, 120);
}

function sameVersion(a: Version | null, b: Version | null): boolean {
  if (a === null || b === null) return a === b;
  return a[0] === b[0] && a[1] === b[1];
}

function toLedgerEvent(blockNumber: number, txId: string, event: SimulatedEvent): LedgerEvent {
  const text = Buffer.from(event.payload, 'base64').toString('utf8');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // Non-JSON payloads are delivered as text.
  }
  return { blockNumber, txId, name: event.name, payload };
}

/** Chaincode failures cross the boundary as messages only; recover the stable code from them. */
function asDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const found = findErrorCode(message);
  return found ? new DomainError(found.code, found.detail) : new DomainError('INTERNAL', 'chaincode failed');
}

export type { StateEntry };
