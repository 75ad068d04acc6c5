import { headerHash, type Block } from './block.js';
import { LedgerIntegrityError, checkAtOpen, readTip, type StoredTip } from './integrity-check.js';
import { NodeKey, headOfBlock, type RecordedNodeKey, type SignedHead } from './node-key.js';
import { pad, type StateStore } from './state-store.js';

/** What `EmbeddedLedger.open` needs from the stored ledger before it serves anything. */
export interface OpenedState {
  tip: StoredTip;
  nodeKey: NodeKey;
  recordedKey: RecordedNodeKey;
  /** The newest block's signed head; undefined for an empty chain or an unsigned (older) block. */
  head: SignedHead | undefined;
}

/**
 * Loads the tip and the node key (creating and recording the key on first open), then, unless
 * `checkBlocks` is 0, runs the fast integrity check.
 *
 * @throws LedgerIntegrityError when the key is missing or not the recorded one (the ledger could
 * not sign new blocks, or would sign them with a stranger's key), or when the check finds problems.
 */
export async function loadAndCheck(
  store: StateStore,
  path: string,
  keyFile: string,
  checkBlocks: number,
): Promise<OpenedState> {
  const problems: string[] = [];
  const note = (p: string): void => void problems.push(p);
  const tip = await readTip(store, note);
  const last = await lastBlock(store, tip);
  const recordedRaw = await store.meta.get('nodeKey');
  let recordedKey = recordedRaw === undefined ? undefined : (JSON.parse(recordedRaw) as RecordedNodeKey);
  const nodeKey = NodeKey.load(keyFile, recordedKey === undefined);
  if (!nodeKey) {
    throw new LedgerIntegrityError(path, [
      `the node key file ${keyFile} is missing: restore it from a backup`,
    ]);
  }
  if (recordedKey && recordedKey.publicKey !== nodeKey.publicKey) {
    note(`the node key file ${keyFile} is not the key recorded in the ledger`);
  }
  if (!recordedKey) {
    // A signed block with no recorded key means the record was removed, perhaps to disown the
    // signatures; recording a new key then would hide that.
    if (last?.signature) note('the ledger has signed blocks but no recorded node key');
    recordedKey = { publicKey: nodeKey.publicKey, since: tip.height };
    if (problems.length === 0) {
      // Synced, as blocks are: a key recorded only in the OS cache could be lost in a crash.
      const value = JSON.stringify(recordedKey);
      await store.db.batch([{ type: 'put', sublevel: store.meta, key: 'nodeKey', value }], { sync: true });
    }
  }
  if (checkBlocks > 0 && problems.length === 0) {
    problems.push(...(await checkAtOpen(store, tip, recordedKey, checkBlocks)));
  }
  if (problems.length > 0) throw new LedgerIntegrityError(path, problems);
  const head =
    last && tip.height > 0 ? headOfBlock(last, recordedKey.publicKey, headerHash(last.header)) : undefined;
  return { tip, nodeKey, recordedKey, head };
}

async function lastBlock(store: StateStore, tip: StoredTip): Promise<Block | undefined> {
  if (tip.height === 0) return undefined;
  const raw = await store.blocks.get(pad(tip.height - 1, 12));
  try {
    return raw === undefined ? undefined : (JSON.parse(raw) as Block);
  } catch {
    // The check reports it; without the check the ledger simply has no signed head yet.
    return undefined;
  }
}
