import { merkleProofs, type AnchorItem, type ClientIdentity, type MerkleStep } from '@edu-ledger/domain';
import type { ChaincodeClient } from './chaincode.js';
import { outsideRequest } from './request-scope.js';

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

/** What one anchor transaction was like, for metrics. */
export interface AnchorBatch {
  /** Credentials under its Merkle root. */
  size: number;
  /** From submitting the transaction to its commit (or refusal), seconds. */
  commitSeconds: number;
  committed: boolean;
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
  private readonly batchListeners = new Set<(batch: AnchorBatch) => void>();
  /** Anchor transactions on their way, including anchorTogether's. */
  private submitting = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly chaincode: ChaincodeClient,
    private readonly options: AnchorerOptions = { maxBatch: 100, maxInFlight: 1 },
  ) {}

  /** Calls `listener` after every anchor transaction; returns the function that stops it. */
  onBatch(listener: (batch: AnchorBatch) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** Credentials waiting for a batch to leave (not yet submitted). */
  waitingCount(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.waiting.length;
    return count;
  }

  /** Anchor transactions submitted and not yet committed or refused. */
  inFlightCount(): number {
    return this.submitting;
  }

  /** Settles once nothing waits and no anchor transaction is on its way (for a graceful stop). */
  idle(): Promise<void> {
    if (this.waitingCount() === 0 && this.submitting === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

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
    const result = await this.timedSubmit(identity, items);
    return items.map((_, i) => ({
      txId: result.txId,
      blockNumber: result.blockNumber,
      batchRoot: root,
      proof: proofs[i] ?? [],
    }));
  }

  /** Submits one anchor transaction, telling the batch listeners its size and commit time. */
  private async timedSubmit(identity: ClientIdentity, items: AnchorItem[]) {
    const started = process.hrtime.bigint();
    let committed = false;
    this.submitting += 1;
    try {
      // An anchor carries many requests' credentials, so it belongs to none of them: a retried
      // issuance finds its credential by id instead (IssuanceService.issue).
      const result = await outsideRequest(() =>
        this.chaincode.submit(identity, 'credentials:AnchorCredentials', { items }),
      );
      committed = true;
      return result;
    } finally {
      this.submitting -= 1;
      const commitSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const listener of this.batchListeners) listener({ size: items.length, commitSeconds, committed });
      // Checked a turn later: a refused batch's members are retried one by one from the
      // rejection's continuation, and must count as on their way by then.
      setImmediate(() => this.wakeIdleWaiters());
    }
  }

  private wakeIdleWaiters(): void {
    if (this.waitingCount() > 0 || this.submitting > 0) return;
    const waiters = this.idleWaiters.splice(0);
    for (const wake of waiters) wake();
  }
}
