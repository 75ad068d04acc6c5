import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ChaincodeEvent, Checkpointer } from '@hyperledger/fabric-gateway';

interface Saved {
  blockNumber?: string;
  transactionId?: string;
}

/**
 * Where the gateway's event stream resumes after a restart, kept in a file that is never seen
 * half-written: each checkpoint goes to a temporary file that is then renamed over the old one
 * (fabric-gateway's own file checkpointer rewrites the file in place, so a kill in the middle of
 * that write leaves a truncated file, and the next start cannot parse it). Same JSON as that
 * checkpointer, so an existing file is read as it was. A file that still cannot be read (edited by
 * hand, a disk fault) is reported through `onUnreadable` and the stream starts from now: events
 * only refresh caches that also expire on their own, so starting late costs freshness, not data.
 */
export class AtomicFileCheckpointer implements Checkpointer {
  private blockNumber: bigint | undefined;
  private transactionId: string | undefined;
  private readonly temporary: string;

  private constructor(private readonly path: string) {
    this.temporary = `${path}.next`;
  }

  static async open(path: string, onUnreadable: (error: unknown) => void = () => undefined) {
    const checkpointer = new AtomicFileCheckpointer(path);
    await checkpointer.load(onUnreadable);
    return checkpointer;
  }

  getBlockNumber(): bigint | undefined {
    return this.blockNumber;
  }

  getTransactionId(): string | undefined {
    return this.transactionId;
  }

  /** The whole block is done: resume at the next one. */
  async checkpointBlock(blockNumber: bigint): Promise<void> {
    this.blockNumber = blockNumber + 1n;
    this.transactionId = undefined;
    await this.save();
  }

  /** Done up to and including this transaction of the block. */
  async checkpointTransaction(blockNumber: bigint, transactionId: string): Promise<void> {
    this.blockNumber = blockNumber;
    this.transactionId = transactionId;
    await this.save();
  }

  async checkpointChaincodeEvent(event: ChaincodeEvent): Promise<void> {
    await this.checkpointTransaction(event.blockNumber, event.transactionId);
  }

  private async load(onUnreadable: (error: unknown) => void): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const saved = JSON.parse(text) as Saved;
      this.blockNumber = saved.blockNumber === undefined ? undefined : BigInt(saved.blockNumber);
      this.transactionId = typeof saved.transactionId === 'string' ? saved.transactionId : undefined;
    } catch (error) {
      this.blockNumber = undefined;
      this.transactionId = undefined;
      onUnreadable(error);
    }
  }

  private async save(): Promise<void> {
    const saved: Saved = {
      ...(this.blockNumber === undefined ? {} : { blockNumber: this.blockNumber.toString() }),
      ...(this.transactionId === undefined ? {} : { transactionId: this.transactionId }),
    };
    await writeFile(this.temporary, JSON.stringify(saved), { mode: 0o600 });
    await rename(this.temporary, this.path);
  }
}
