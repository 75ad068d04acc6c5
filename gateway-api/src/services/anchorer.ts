import { merkleProofs, type AnchorItem, type ClientIdentity, type MerkleStep } from '@edu-ledger/domain';
import type { LedgerPort } from '@edu-ledger/ledger';

export interface AnchorReceipt {
  txId: string;
  blockNumber: number;
  batchRoot: string;
  proof: MerkleStep[];
}

interface Waiting {
  item: AnchorItem;
  resolve: (r: AnchorReceipt) => void;
  reject: (e: unknown) => void;
}

export interface AnchorerOptions {
  /** Most credentials under one Merkle root (one ledger transaction). */
  maxBatch: number;
  /** How long the first credential of a batch waits for company. */
  maxWaitMs: number;
}

/**
 * Collects credential digests per issuing identity and anchors them in one transaction per batch,
 * flushed on size or time. Each caller gets back its own inclusion proof. If a batch is refused,
 * its members are retried one by one so one bad credential cannot sink the others.
 */
export class Anchorer {
  private readonly queues = new Map<
    string,
    { identity: ClientIdentity; waiting: Waiting[]; timer?: NodeJS.Timeout }
  >();

  constructor(
    private readonly ledger: LedgerPort,
    private readonly options: AnchorerOptions = { maxBatch: 100, maxWaitMs: 5 },
  ) {}

  anchor(identity: ClientIdentity, item: AnchorItem): Promise<AnchorReceipt> {
    return new Promise<AnchorReceipt>((resolve, reject) => {
      const key = `${identity.mspId}|${identity.id}`;
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { identity, waiting: [] };
        this.queues.set(key, queue);
      }
      queue.waiting.push({ item, resolve, reject });
      if (queue.waiting.length >= this.options.maxBatch) this.flush(key);
      else queue.timer ??= setTimeout(() => this.flush(key), this.options.maxWaitMs);
    });
  }

  private flush(key: string): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    this.queues.delete(key);
    if (queue.timer) clearTimeout(queue.timer);
    void this.submit(queue.identity, queue.waiting);
  }

  private async submit(identity: ClientIdentity, batch: Waiting[]): Promise<void> {
    try {
      const receipts = await this.anchorNow(
        identity,
        batch.map((w) => w.item),
      );
      batch.forEach((w, i) => {
        const receipt = receipts[i];
        if (receipt) w.resolve(receipt);
        else w.reject(new Error('anchor receipt missing'));
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      await Promise.all(batch.map((w) => this.submit(identity, [w])));
    }
  }

  private async anchorNow(identity: ClientIdentity, items: AnchorItem[]): Promise<AnchorReceipt[]> {
    const { root, proofs } = merkleProofs(items.map((i) => i.digest));
    const result = await this.ledger.submit(identity, 'credentials:AnchorCredentials', [
      JSON.stringify({ items }),
    ]);
    return items.map((_, i) => ({
      txId: result.txId,
      blockNumber: result.blockNumber,
      batchRoot: root,
      proof: proofs[i] ?? [],
    }));
  }
}
