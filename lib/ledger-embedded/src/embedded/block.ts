import { createHash } from 'node:crypto';
import { canonicalJson, type ClientIdentity } from '@edu-ledger/domain';
import type { ReadWriteSet, SimulatedEvent } from './simulator.js';

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

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const headerHash = (header: Block['header']): string => sha256(canonicalJson(header));
