import { merkleProofs, type AnchorItem, type ClientIdentity, type MerkleStep } from '@edu-ledger/domain';
import type { ChaincodeClient } from './chaincode.js';

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
  /** Anchor transactions one issuing identity may have on their way to the ledger at once. */
  maxInFlight: number;
}

interface Queue {
  identity: ClientIdentity;
  waiting: Waiting[];
  inFlight: number;
  scheduled: boolean;
}

/**
 * Collects credential digests per issuing identity and anchors them in one transaction per batch,
 * each caller getting back its own inclusion proof. Batching follows the load, as a group commit
 * does: a digest that finds the ledger idle for its identity goes at once (with whatever arrived in
 * the same turn of the event loop); while `maxInFlight` anchor transactions are on their way, new
 * digests wait and leave together when one of them completes. So a lone credential is not delayed,
 * and under load each transaction carries everything that arrived meanwhile (up to `maxBatch`). If
 * a batch is refused, its members are retried one by one so one bad credential cannot sink the
 * others.
 */
export class Anchorer {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly chaincode: ChaincodeClient,
    private readonly options: AnchorerOptions = { maxBatch: 100, maxInFlight: 1 },
  ) {}

  anchor(identity: ClientIdentity, item: AnchorItem): Promise<AnchorReceipt> {
    return new Promise<AnchorReceipt>((resolve, reject) => {
      const key = `${identity.mspId}|${identity.id}`;
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { identity, waiting: [], inFlight: 0, scheduled: false };
        this.queues.set(key, queue);
      }
      queue.waiting.push({ item, resolve, reject });
      this.schedule(queue);
    });
  }

  /**
   * Anchors these items in one transaction of their own, now: for credentials that must reach the
   * ledger together or not at all (a CLR and the credentials inside it). Not retried one by one.
   */
  anchorTogether(identity: ClientIdentity, items: AnchorItem[]): Promise<AnchorReceipt[]> {
    return this.anchorNow(identity, items);
  }

  /** Sends a batch at the end of this turn of the event loop, if the identity may send one. */
  private schedule(queue: Queue): void {
    if (queue.scheduled || queue.waiting.length === 0) return;
    if (queue.inFlight >= this.options.maxInFlight && queue.waiting.length < this.options.maxBatch) return;
    queue.scheduled = true;
    setImmediate(() => {
      queue.scheduled = false;
      const batch = queue.waiting.splice(0, this.options.maxBatch);
      if (batch.length === 0) return;
      queue.inFlight += 1;
      void this.submit(queue.identity, batch).finally(() => {
        queue.inFlight -= 1;
        this.schedule(queue);
      });
      this.schedule(queue);
    });
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
    const result = await this.chaincode.submit(identity, 'credentials:AnchorCredentials', { items });
    return items.map((_, i) => ({
      txId: result.txId,
      blockNumber: result.blockNumber,
      batchRoot: root,
      proof: proofs[i] ?? [],
    }));
  }
}
