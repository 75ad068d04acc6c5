import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  credentialDigest,
  issueCredential,
  type Credential,
  type DocumentLoader,
  type ExportedKey,
  type VerifiableCredential,
} from '@edu-ledger/credentials';

/** A signed credential and the digest the ledger anchors for it (see credentialDigest). */
export interface Signed {
  credential: VerifiableCredential;
  digest: string;
}

/** Signs credentials; where the CPU work happens is the implementation's business. */
export interface CredentialSigner {
  sign(credential: Credential, key: ExportedKey, now: Date): Promise<Signed>;
  close(): Promise<void>;
}

/** Signs on the calling thread. */
export class InProcessSigner implements CredentialSigner {
  constructor(private readonly documentLoader: DocumentLoader) {}

  async sign(credential: Credential, key: ExportedKey, now: Date): Promise<Signed> {
    const signed = await issueCredential({ credential, key, documentLoader: this.documentLoader, now });
    return { credential: signed, digest: credentialDigest(signed) };
  }

  async close(): Promise<void> {}
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Job>;
  /** Jobs waiting to be posted together at the end of this turn of the event loop. */
  outbox: SignJob[];
  dead: boolean;
}

interface Job {
  id: number;
  resolve: (signed: Signed) => void;
  reject: (error: Error) => void;
}

/** One signing job as posted to a worker. */
export interface SignJob {
  id: number;
  credential: Credential;
  key: ExportedKey;
  now: string;
}

/** One answer from a worker. */
export type SignAnswer = { id: number; signed: Signed } | { id: number; error: string };

/**
 * Signs on worker threads. RDF canonicalisation in eddsa-rdfc-2022 is CPU-bound and single
 * threaded, so a pool lets issuance use every core while the main thread serves HTTP and commits
 * to the ledger. Jobs go to the worker with the fewest in flight. The worker also computes the
 * digest, so the main thread does not serialise the signed credential a second time. Jobs made in
 * the same turn of the event loop travel in one message each way: fewer cross-thread wake-ups
 * (on two cores no change in throughput could be measured either way).
 */
export class WorkerPoolSigner implements CredentialSigner {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  constructor(size = availableParallelism()) {
    for (let i = 0; i < Math.max(1, size); i++) this.slots.push(this.spawn());
  }

  sign(credential: Credential, key: ExportedKey, now: Date): Promise<Signed> {
    if (this.closed) return Promise.reject(new Error('signer is closed'));
    const index = this.slots.reduce(
      (best, slot, i) => (slot.inFlight.size < (this.slots[best]?.inFlight.size ?? Infinity) ? i : best),
      0,
    );
    let slot = this.slots[index];
    if (!slot || slot.dead) {
      // A worker that died is replaced on demand, so one crash does not stop issuance.
      slot = this.spawn();
      this.slots[index] = slot;
    }
    const id = this.nextId++;
    const target = slot;
    return new Promise<Signed>((resolve, reject) => {
      target.inFlight.set(id, { id, resolve, reject });
      if (target.outbox.push({ id, credential, key, now: now.toISOString() }) === 1) {
        setImmediate(() => {
          const jobs = target.outbox.splice(0);
          if (!target.dead) target.worker.postMessage(jobs);
        });
      }
    });
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./sign-worker-entry.mjs', import.meta.url), {
      // A signing worker holds little (contexts, one key object); a small young generation keeps
      // three isolates' garbage from adding up to most of the process's memory.
      resourceLimits: { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 96 },
    });
    const slot: Slot = { worker, inFlight: new Map<number, Job>(), outbox: [], dead: false };
    const fail = (error: Error): void => {
      slot.dead = true;
      for (const job of slot.inFlight.values()) job.reject(error);
      slot.inFlight.clear();
    };
    worker.on('message', (answers: SignAnswer[]) => {
      for (const answer of answers) {
        const job = slot.inFlight.get(answer.id);
        if (!job) continue;
        slot.inFlight.delete(answer.id);
        if ('signed' in answer) job.resolve(answer.signed);
        else job.reject(new Error(answer.error));
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`signing worker exited with code ${code}`)));
    worker.unref();
    return slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
