import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '@edu-ledger/domain';
import { ZERO_HASH, headerHash, sha256, type Block } from './block.js';
import { headMessage, type RecordedNodeKey } from './node-key.js';
import { encodeState, pad, type StateStore } from './state-store.js';

/**
 * Thrown by `EmbeddedLedger.open` when the stored ledger is not the one its blocks describe. The
 * gateway refuses to serve such a ledger: `problems` lists every finding, the message sums them up.
 */
export class LedgerIntegrityError extends Error {
  readonly code = 'LEDGER_INTEGRITY' as const;

  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(
      `LEDGER_INTEGRITY: the ledger in ${path} failed its integrity check at open ` +
        `(${problems.length} problem(s)): ${problems.join('; ')}. ` +
        'Restore it from a backup, or run `npm run ledger:verify` for the full report.',
    );
    this.name = 'LedgerIntegrityError';
  }
}

/** The chain's tip as stored in the meta sublevel. */
export interface StoredTip {
  height: number;
  lastHash: string;
}

/** How far back the open-time check re-verifies blocks, by default. */
export const DEFAULT_CHECK_BLOCKS = 64;
/**
 * The window also stops once it holds this many transactions: under load a block holds up to 200,
 * and re-hashing 64 full blocks would cost more than the open-time budget.
 */
const MAX_WINDOW_TRANSACTIONS = 1_000;
/** The most state keys the open-time check compares with the window's writes. */
const MAX_STATE_KEYS = 2_000;
/** Block numbers probed for existence across the whole chain (a gap far back is found by chance). */
const EXISTENCE_PROBES = 32;

/** Reads the tip record; a record that does not parse is reported, and read as an empty chain. */
export async function readTip(store: StateStore, note: (p: string) => void): Promise<StoredTip> {
  const raw = await store.meta.get('tip');
  if (raw === undefined) return { height: 0, lastHash: ZERO_HASH };
  try {
    const parsed = JSON.parse(raw) as Partial<StoredTip>;
    if (Number.isSafeInteger(parsed.height) && typeof parsed.lastHash === 'string') {
      return { height: parsed.height as number, lastHash: parsed.lastHash };
    }
  } catch {
    // Reported below, like a record of the wrong shape.
  }
  note('the tip record is not valid');
  return { height: 0, lastHash: ZERO_HASH };
}

/**
 * The fast check `open` runs. It costs the same on a ledger of any size: it re-verifies the last
 * `window` blocks, or fewer when they hold many transactions (sequence, canonical bytes, data hashes, links, node-key signatures), that the
 * newest ends where the tip says, that their writes are the current state of keys not written
 * later and that the transaction index holds them; and it probes that block 0 and a few random
 * blocks exist. A block edited or lost further back is left to the full `verifyChain`.
 */
export async function checkAtOpen(
  store: StateStore,
  tip: StoredTip,
  nodeKey: RecordedNodeKey | undefined,
  window: number,
): Promise<string[]> {
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < 20) problems.push(p);
  };
  let lastKey: string | undefined;
  for await (const key of store.blocks.keys({ reverse: true, limit: 1 })) lastKey = key;
  const expectedLast = tip.height > 0 ? pad(tip.height - 1, 12) : undefined;
  if (lastKey !== expectedLast) {
    note(
      `the tip says ${tip.height} block(s) but the last stored block is ` +
        `${lastKey === undefined ? 'none' : Number(lastKey)}: blocks were lost or the tip was edited`,
    );
    return problems;
  }
  if (tip.height === 0) return problems;
  const blocks = await checkWindow(store, tip, window, nodeKey, note);
  await checkWindowWrites(store, blocks, note);
  await probeExistence(store, tip.height, note);
  return problems;
}

/**
 * Re-verifies the newest blocks, at most `window` of them and no more than needed to reach
 * `MAX_WINDOW_TRANSACTIONS`, and returns them parsed, oldest first.
 */
async function checkWindow(
  store: StateStore,
  tip: StoredTip,
  window: number,
  nodeKey: RecordedNodeKey | undefined,
  note: (p: string) => void,
): Promise<Block[]> {
  const publicKey = keyObject(nodeKey, note);
  const newest = await newestBlocks(store, tip.height, window, note);
  const from = tip.height - newest.length;
  let previousHash = from === 0 ? ZERO_HASH : await hashOfBlock(store, from - 1, note);
  const blocks: Block[] = [];
  for (const [offset, block] of newest.entries()) {
    const number = from + offset;
    if (block.header.number !== number) note(`block ${number}: out of sequence`);
    if (sha256(canonicalJson(block.data)) !== block.header.dataHash)
      note(`block ${number}: data hash mismatch`);
    if (previousHash !== undefined && block.header.previousHash !== previousHash) {
      note(`block ${number}: previous-hash link broken`);
    }
    previousHash = headerHash(block.header);
    if (publicKey && nodeKey && number >= nodeKey.since) checkSignature(block, previousHash, publicKey, note);
    blocks.push(block);
  }
  if (previousHash !== tip.lastHash) note('the tip hash does not match the last stored block');
  return blocks;
}

/** The newest blocks, read backwards from the tip, in chain order; gaps and bad bytes are noted. */
async function newestBlocks(
  store: StateStore,
  height: number,
  window: number,
  note: (p: string) => void,
): Promise<Block[]> {
  const out: Block[] = [];
  let transactions = 0;
  let expected = height - 1;
  for await (const [key, raw] of store.blocks.iterator({ reverse: true, limit: window })) {
    if (key !== pad(expected, 12)) {
      note(`block ${expected} is missing (found ${key} below it)`);
      break;
    }
    expected -= 1;
    let block: Block;
    try {
      block = JSON.parse(raw) as Block;
    } catch {
      note(`block ${key}: not valid JSON`);
      break;
    }
    if (canonicalJson(block) !== raw) note(`block ${key}: stored bytes are not the canonical encoding`);
    out.push(block);
    transactions += block.data.transactions.length;
    if (transactions >= MAX_WINDOW_TRANSACTIONS) break;
  }
  return out.reverse();
}

/** The header hash of a stored block, so the window's first link can be checked too. */
async function hashOfBlock(
  store: StateStore,
  n: number,
  note: (p: string) => void,
): Promise<string | undefined> {
  const raw = await store.blocks.get(pad(n, 12));
  try {
    if (raw !== undefined) return headerHash((JSON.parse(raw) as Block).header);
  } catch {
    // Reported below.
  }
  note(`block ${n} is missing or not valid JSON`);
  return undefined;
}

/** Notes a block whose node-key signature is absent or does not verify (only its head is needed). */
export function checkSignature(
  block: Pick<Block, 'header' | 'signature'>,
  hash: string,
  publicKey: KeyObject,
  note: (p: string) => void,
): void {
  const n = block.header.number;
  if (!block.signature) {
    note(`block ${n}: not signed by the node key`);
    return;
  }
  const message = headMessage({ height: n + 1, lastHash: hash, signedAt: block.signature.signedAt });
  let valid = false;
  try {
    valid = verify(null, message, publicKey, Buffer.from(block.signature.value, 'base64'));
  } catch {
    // A malformed signature counts as one that does not verify.
  }
  if (!valid) note(`block ${n}: node-key signature does not verify`);
}

/** The recorded public key as a KeyObject (parsed once per check), or a note that it is unusable. */
export function keyObject(
  nodeKey: RecordedNodeKey | undefined,
  note: (p: string) => void,
): KeyObject | undefined {
  if (!nodeKey) return undefined;
  try {
    return createPublicKey(nodeKey.publicKey);
  } catch {
    note('the node key recorded in the ledger is not a valid public key');
    return undefined;
  }
}

/**
 * The window's valid writes, newest first, must be the current state of every key not written
 * later, and every transaction of the window must be in the transaction index as the block says.
 */
async function checkWindowWrites(
  store: StateStore,
  blocks: readonly Block[],
  note: (p: string) => void,
): Promise<void> {
  const expectedState = new Map<string, string | undefined>();
  const expectedTx = new Map<string, string>();
  for (const block of [...blocks].reverse()) {
    const txs = block.data.transactions;
    for (let index = txs.length - 1; index >= 0; index--) {
      const tx = txs[index];
      if (!tx) continue;
      expectedTx.set(tx.txId, JSON.stringify({ b: block.header.number, c: tx.validationCode, n: index }));
      if (tx.validationCode !== 'VALID' || expectedState.size >= MAX_STATE_KEYS) continue;
      // Writes of one transaction are to distinct keys, so their order within it does not matter.
      for (const w of tx.rwset.writes) {
        if (expectedState.has(w.key)) continue;
        const version = [block.header.number, index] as const;
        expectedState.set(w.key, w.value === null ? undefined : encodeState(w.value, version));
      }
    }
  }
  const stateKeys = [...expectedState.keys()];
  const stored = await store.state.getMany(stateKeys);
  for (const [i, key] of stateKeys.entries()) {
    if (stored[i] !== expectedState.get(key)) note(`state: ${printable(key)} differs from its last write`);
  }
  const txIds = [...expectedTx.keys()];
  const indexed = await store.txIndex.getMany(txIds);
  for (const [i, txId] of txIds.entries()) {
    if (indexed[i] !== expectedTx.get(txId)) note(`transaction index: entry ${txId} differs from its block`);
  }
}

/** Block 0 and a few random blocks must exist: a seek per probe, no matter how long the chain. */
async function probeExistence(store: StateStore, height: number, note: (p: string) => void): Promise<void> {
  const probes = new Set<number>([0]);
  for (let i = 0; i < EXISTENCE_PROBES && probes.size < height; i++)
    probes.add(Math.floor(Math.random() * height));
  for (const n of [...probes].sort((a, b) => a - b)) {
    let found: string | undefined;
    for await (const key of store.blocks.keys({ gte: pad(n, 12), limit: 1 })) found = key;
    if (found !== pad(n, 12)) note(`block ${n} is missing`);
  }
}

function printable(key: string): string {
  return JSON.stringify(key).slice(1, -1).slice(0, 120);
}
