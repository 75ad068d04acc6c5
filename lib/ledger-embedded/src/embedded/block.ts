import { createHash } from 'node:crypto';
import { canonicalJson, type ClientIdentity } from '@edu-ledger/domain';
import type { ReadWriteSet, SimulatedEvent } from './simulator.js';

export const ZERO_HASH = '0'.repeat(64);

export type ValidationCode = 'VALID' | 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT';

/**
 * A transaction as its block records it. read-check.ts looks records up in a block's canonical
 * text, so it relies on this layout: members sorted, `args` first and `validationCode` last, and
 * no other object with an `args` member; a new member must keep that true (its tests would fail).
 */
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
  /**
   * The node key's signature over the head this block makes (see node-key.ts). Outside the header,
   * so header hashes are unchanged; absent on blocks committed before the ledger had a node key.
   */
  signature?: BlockSignature;
}

/** A block's head signature: Ed25519, base64, over `headMessage` with this `signedAt`. */
export interface BlockSignature {
  value: string;
  signedAt: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const headerHash = (header: Block['header']): string => sha256(canonicalJson(header));
