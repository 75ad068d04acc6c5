import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel, type BatchOperation } from 'classic-level';
import {
  DomainError,
  REQUEST_KEY_TRANSIENT,
  canonicalJson,
  findErrorCode,
  type ClientIdentity,
} from '@edu-ledger/domain';
import { contracts as defaultContracts, declaredTransactions } from '@edu-ledger/chaincode';
import {
  TransactionInvalidError,
  type ChainCheck,
  type IdentityKind,
  type LedgerEvent,
  type LedgerPort,
  type SubmitOptions,
  type SubmitResult,
  type TxLocation,
} from '@edu-ledger/ledger-port';
import { DevelopmentCertificates } from '../dev-ca/development-certificates.js';
import { x509Identity } from '../identities.js';
import {
  ZERO_HASH,
  headerHash,
  sha256,
  type Block,
  type BlockTransaction,
  type ValidationCode,
} from './block.js';
import { verifyChain } from './chain-check.js';
import { verifyAgainstHead, type HeadCheck } from './head-check.js';
import { MAX_UNICODE, NS } from './composite-key.js';
import { DEFAULT_CHECK_BLOCKS } from './integrity-check.js';
import { loadAndCheck } from './ledger-open.js';
import type { NodeKey, RecordedNodeKey, SignedHead } from './node-key.js';
import { ReadChecker } from './read-check.js';
import { TxSimulator, type ReadWriteSet, type SimulatedEvent, type SimulationMode } from './simulator.js';
import {
  StateStore,
  encodeHistory,
  encodeState,
  historyKey,
  pad,
  type StateEntry,
  type Version,
} from './state-store.js';

/** Every key and value of a store as of one instant (see `EmbeddedLedger.snapshot`). */
export interface RawSnapshot {
  entries(): AsyncIterable<[Buffer, Buffer]>;
  close(): Promise<void>;
}

export { ZERO_HASH, headerHash, sha256, type Block, type BlockTransaction, type ValidationCode };

/** Any fabric-contract-api contract class with a no-argument constructor. */
/** A contract as fabric-shim drives it: its name and the hooks run around every transaction. */
interface ContractInstance {
  getName(): string;
  beforeTransaction(ctx: unknown): Promise<void>;
  afterTransaction(ctx: unknown, result: unknown): Promise<void>;
}
type ContractClass = new () => ContractInstance;
type TxFunction = (ctx: unknown, ...args: string[]) => Promise<unknown>;

export interface EmbeddedLedgerOptions {
  /** Folder holding the LevelDB database. */
  path: string;
  /** Transaction timestamps come from here (tests inject a fixed clock). */
  now?: () => Date;
  /** Largest number of transactions cut into one block. */
  maxBlockTransactions?: number;
  /** fsync each block; off only for benchmarks of the raw engine. */
  sync?: boolean;
  /**
   * The most results one range query returns, as a peer's `ledger.state.totalQueryLimit`
   * (100,000 in Fabric's sample core.yaml); tests lower it to prove code reads in pages.
   */
  totalQueryLimit?: number;
  contracts?: readonly ContractClass[];
  /**
   * How many of the newest blocks `open` re-verifies before serving (default 64); 0 skips the
   * check, for benchmarks and for `ledger:verify`, which runs the full check itself.
   */
  integrityCheckBlocks?: number;
  /** The node's Ed25519 key file (default `node-key.pem` in `path`), created on first open. */
  nodeKeyFile?: string;
  /**
   * Whether submitted transactions check each record they read against its block, as queries
   * always do (see read-check.ts). On by default; off only to measure what the check costs.
   */
  checkSubmitReads?: boolean;
}

/** A transaction function and the number of string arguments its metadata declares. */
interface TxTarget {
  instance: ContractInstance;
  method: TxFunction;
  parameters: number;
}

/** Fabric's sample core.yaml sets `ledger.state.totalQueryLimit` to 100,000. */
const DEFAULT_TOTAL_QUERY_LIMIT = 100_000;

interface Pending {
  tx: Omit<BlockTransaction, 'validationCode'>;
  resolve: (r: SubmitResult) => void;
  reject: (e: Error) => void;
}

/**
 * The default ledger: the chaincode contracts run in-process over LevelDB with Fabric's semantics
 * where they matter — simulate then commit, MVCC read-set validation (conflicting transactions are
 * recorded in the block as invalid and change nothing), one atomic LevelDB batch per block (so a
 * crash can never leave a partial block), hash-chained block headers, key history and events.
 */
export class EmbeddedLedger implements LedgerPort {
  readonly kind = 'embedded' as const;
  private readonly functions = new Map<string, TxTarget>();
  private readonly certificates = new DevelopmentCertificates();
  private readonly listeners = new Set<(e: LedgerEvent) => void>();
  private readonly pending: Pending[] = [];
  private committing = false;
  private chainHeight = 0;
  private lastHash = ZERO_HASH;
  private closed = false;
  private nodeKey!: NodeKey;
  private recordedKey!: RecordedNodeKey;
  private head: SignedHead | undefined;
  private readChecker!: ReadChecker;
  private keyFile = '';
  /** Given to simulations: see `simulate` for which simulations check their reads. */
  private readonly checkRead = (entry: StateEntry): Promise<void> => this.readChecker.check(entry);

  private constructor(
    private readonly db: ClassicLevel<string, string>,
    private readonly store: StateStore,
    private readonly options: Required<
      Omit<EmbeddedLedgerOptions, 'contracts' | 'path' | 'integrityCheckBlocks' | 'nodeKeyFile'>
    >,
    contracts: readonly ContractClass[],
  ) {
    for (const Contract of contracts) {
      const instance = new Contract();
      for (const { name, parameters } of declaredTransactions(instance)) {
        const method: unknown = Reflect.get(instance, name);
        if (typeof method === 'function') {
          this.functions.set(`${instance.getName()}:${name}`, {
            instance,
            method: method as TxFunction,
            parameters,
          });
        }
      }
    }
  }

  /**
   * Opens (or creates) the ledger in `options.path` and, by default, checks its integrity first.
   *
   * @throws LedgerIntegrityError when the stored ledger fails the open-time check or its node key
   * is missing or not the recorded one; the database is closed again before it is thrown.
   */
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
        totalQueryLimit: options.totalQueryLimit ?? DEFAULT_TOTAL_QUERY_LIMIT,
        checkSubmitReads: options.checkSubmitReads ?? true,
      },
      options.contracts ?? defaultContracts,
    );
    try {
      const keyFile = options.nodeKeyFile ?? join(options.path, 'node-key.pem');
      ledger.keyFile = keyFile;
      const opened = await loadAndCheck(
        ledger.store,
        options.path,
        keyFile,
        options.integrityCheckBlocks ?? DEFAULT_CHECK_BLOCKS,
      );
      ledger.chainHeight = opened.tip.height;
      ledger.lastHash = opened.tip.lastHash;
      ledger.nodeKey = opened.nodeKey;
      ledger.recordedKey = opened.recordedKey;
      ledger.head = opened.head;
      ledger.readChecker = new ReadChecker(
        ledger.store,
        () => ({ height: ledger.chainHeight, lastHash: ledger.lastHash }),
        opened.recordedKey,
      );
    } catch (error) {
      await db.close();
      throw error;
    }
    ledger.store.startKeyFilter();
    return ledger;
  }

  /** Resolves when the state key filter has been filled from disk (true if it is in use). */
  keyFilterReady(): Promise<boolean> {
    return this.store.keyFilterReady();
  }

  /** The node key's file; a backup copies it with the database (see {@link snapshot}). */
  get nodeKeyFile(): string {
    return this.keyFile;
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

  async submit(
    identity: ClientIdentity,
    fn: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const transient =
      options.requestKey === undefined ? undefined : { [REQUEST_KEY_TRANSIENT]: options.requestKey };
    const simulated = await this.simulate(identity, fn, args, 'submit', transient);
    return new Promise<SubmitResult>((resolve, reject) => {
      this.pending.push({ tx: simulated, resolve, reject });
      this.scheduleCommit();
    });
  }

  async evaluate(identity: ClientIdentity, fn: string, args: readonly string[]): Promise<string> {
    return (await this.simulate(identity, fn, args, 'evaluate')).response;
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
    mode: SimulationMode,
    transient?: Readonly<Record<string, string>>,
  ): Promise<Omit<BlockTransaction, 'validationCode'>> {
    if (this.closed) throw new DomainError('LEDGER_UNAVAILABLE', 'ledger is closed');
    const target = this.functions.get(fn);
    if (!target) throw new DomainError('INVALID_ARGUMENT', `no transaction ${fn}`);
    // fabric-shim refuses a call whose argument count differs from the declared parameters.
    if (args.length !== target.parameters) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        `${fn}: expected ${target.parameters} parameters, but ${args.length} have been supplied`,
      );
    }
    const certificate = await this.certificates.certificateFor(identity);
    const txId = randomBytes(32).toString('hex');
    const timestamp = this.options.now();
    const simulator = new TxSimulator(this.store, {
      txId,
      timestamp,
      mode,
      totalQueryLimit: this.options.totalQueryLimit,
      ...(transient ? { transient } : {}),
      // Queries answer from what they read, and submits decide from it (a role, an accreditation,
      // a status before its change), so each record read must be the one its block wrote (see
      // read-check.ts): a row edited in the database is refused, never served or acted on.
      ...((mode === 'evaluate' && !isAuditListing(fn)) || (mode === 'submit' && this.options.checkSubmitReads)
        ? { checkRead: this.checkRead }
        : {}),
    });
    let response: unknown;
    try {
      const ctx = simulator.context(identity, certificate);
      // As fabric-shim does: the contract's hooks around the transaction (requests.ts uses them).
      await target.instance.beforeTransaction(ctx);
      response = await target.method.call(target.instance, ctx, ...args);
      await target.instance.afterTransaction(ctx, response);
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
    const hash = headerHash(header);
    const head = this.nodeKey.signHead(number + 1, hash, this.options.now().toISOString());
    const block: Block = { header, data, signature: { value: head.signature, signedAt: head.signedAt } };

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
    this.head = head;

    for (const [index, tx] of transactions.entries()) {
      const pending = batch[index];
      if (!pending) continue;
      if (tx.validationCode === 'VALID') {
        pending.resolve({ txId: tx.txId, blockNumber: number, result: tx.response });
      } else {
        // As the Fabric adapter reports it: in a block, invalid, changed nothing (code MVCC_READ_CONFLICT).
        pending.reject(new TransactionInvalidError(tx.txId, tx.validationCode));
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
   * history and transaction index — and compares it byte for byte with what is stored (see
   * chain-check.ts for how memory stays bounded).
   */
  async verifyChain(options: { maxEntriesInMemory?: number } = {}): Promise<ChainCheck> {
    const tip = { height: this.chainHeight, lastHash: this.lastHash, nodeKey: this.recordedKey };
    return verifyChain(this.store, tip, options);
  }

  /**
   * The latest signed head, for inspectors to keep. A chain whose newest block predates the node
   * key (or an empty one) gets its current tip signed now.
   */
  signedHead(): SignedHead {
    this.head ??= this.nodeKey.signHead(this.chainHeight, this.lastHash, this.options.now().toISOString());
    return { ...this.head };
  }

  /**
   * A point-in-time view of every stored key and value (blocks, state, history, index, meta), as raw
   * bytes, for a backup. The LevelDB snapshot is taken synchronously, so a caller can take another
   * store's snapshot in the same tick and get both as of one instant. Close it when done.
   */
  snapshot(): RawSnapshot {
    const snapshot = this.db.snapshot();
    return {
      entries: () =>
        this.db.iterator<Buffer, Buffer>({ snapshot, keyEncoding: 'buffer', valueEncoding: 'buffer' }),
      close: () => snapshot.close(),
    };
  }

  /** Committed state of one composite-key object type (`anchor`, `gentry`, ...), values decoded. */
  async *stateOfType(objectType: string): AsyncGenerator<{ key: string; value: string }> {
    const prefix = `${NS}${objectType}${NS}`;
    for await (const [key, raw] of this.store.state.iterator({
      gte: prefix,
      lt: `${prefix}${MAX_UNICODE}`,
    })) {
      const { v } = JSON.parse(raw) as { v: string };
      yield { key, value: Buffer.from(v, 'base64').toString('utf8') };
    }
  }

  /** Compares a head kept earlier with the current chain; see head-check.ts. */
  async verifyAgainstHead(head: SignedHead): Promise<HeadCheck> {
    return verifyAgainstHead(head, {
      height: this.chainHeight,
      recordedKey: this.recordedKey,
      getBlock: (n) => this.getBlock(n),
    });
  }
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

/**
 * Audit listings (`audit:*`) read every record of a school, each in another block: checking each
 * against its block took a cold audit page from 16 to 938 ms in bench:scale. The audit answer
 * carries the full chain check instead, which covers every block and the state they imply.
 */
function isAuditListing(fn: string): boolean {
  return fn.startsWith('audit:');
}
