import { createHash } from 'node:crypto';
import { canonicalJson } from '@edu-ledger/domain';
import type { ChainCheck } from '@edu-ledger/ledger-port';
import { ZERO_HASH, headerHash, sha256, type Block } from './block.js';
import { checkSignature, keyObject } from './integrity-check.js';
import { fnv1a32 } from './key-filter.js';
import type { RecordedNodeKey } from './node-key.js';
import { encodeHistory, encodeState, historyKey, pad, type StateStore, type Version } from './state-store.js';

/** The chain's tip as the ledger holds it in memory. */
export interface ChainTip {
  height: number;
  lastHash: string;
  /** The node key the ledger records: every block from `since` on must carry its signature. */
  nodeKey?: RecordedNodeKey;
}

/**
 * Recomputes everything derivable from the blocks — header chain, data hashes, world state,
 * history and transaction index — and compares it byte for byte with what is stored; checks every
 * block's node-key signature against the recorded key.
 *
 * Memory stays bounded whatever the ledger's size: the expected entries are built for one share
 * of the keys at a time (keys are split into buckets by a hash), replaying the blocks once per
 * bucket. It starts with one bucket and, when a bucket would hold more than
 * `maxEntriesInMemory` expected entries, starts again with four times as many.
 */
export async function verifyChain(
  store: StateStore,
  tip: ChainTip,
  options: { maxEntriesInMemory?: number } = {},
): Promise<ChainCheck> {
  const limit = options.maxEntriesInMemory ?? VERIFY_MAX_ENTRIES;
  for (let buckets = 1; ; buckets *= 4) {
    // One key's history cannot be split; past this many buckets the limit is no longer applied.
    const check = await verifyInBuckets(
      store,
      tip,
      buckets,
      buckets >= VERIFY_MAX_BUCKETS ? Infinity : limit,
    );
    if (check !== undefined) return check;
  }
}

/** One complete verification with `buckets` buckets; undefined if a bucket outgrew `limit`. */
async function verifyInBuckets(
  store: StateStore,
  tip: ChainTip,
  buckets: number,
  limit: number,
): Promise<ChainCheck | undefined> {
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < 50) problems.push(p);
  };
  const inBucket = (key: string, bucket: number): boolean =>
    buckets === 1 || fnv1a32(key) % buckets === bucket;
  let height = 0;
  let lastHash = ZERO_HASH;
  const publicKey = keyObject(tip.nodeKey, note);
  const since = tip.nodeKey?.since ?? Infinity;
  let checkedTransactions = 0;
  let checkedKeys = 0;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const first = bucket === 0;
    const expectedState = new Map<string, string>();
    const expectedHistory = new Map<string, string>();
    const expectedTx = new Map<string, string>();
    let previousHash = ZERO_HASH;
    let count = 0;
    for await (const [blockKey, raw] of store.blocks.iterator()) {
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
      if (first && publicKey && block.header.number >= since)
        checkSignature(block, previousHash, publicKey, note);
      for (const [index, tx] of block.data.transactions.entries()) {
        if (inBucket(tx.txId, bucket)) {
          expectedTx.set(tx.txId, JSON.stringify({ b: block.header.number, c: tx.validationCode, n: index }));
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
      if (count !== tip.height) note(`tip says height ${tip.height} but ${count} blocks are stored`);
      if (previousHash !== tip.lastHash) note('tip hash does not match the last stored block');
      const tipRaw = await store.meta.get('tip');
      if (count > 0 && tipRaw !== JSON.stringify({ height: count, lastHash: previousHash })) {
        note('stored tip record does not match the chain');
      }
    }
    // History keys are length-prefixed state keys, so a history entry belongs to its key's bucket.
    const inThisBucket = (what: 'state' | 'history' | 'tx', key: string): boolean =>
      inBucket(what === 'history' ? stateKeyOfHistory(key) : key, bucket);
    await compareSublevel(
      'state',
      store.state.iterator(),
      expectedState,
      note,
      (k) => inThisBucket('state', k),
      fingerprint,
    );
    await compareSublevel(
      'history',
      store.history_.iterator(),
      expectedHistory,
      note,
      (k) => inThisBucket('history', k),
      fingerprint,
    );
    await compareSublevel(
      'transaction index',
      store.txIndex.iterator(),
      expectedTx,
      note,
      (k) => inThisBucket('tx', k),
      (v) => v,
    );
    checkedKeys += expectedState.size;
  }
  return { ok: problems.length === 0, height, lastHash, checkedTransactions, checkedKeys, problems };
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
