import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DomainError } from '@edu-ledger/domain';
import { jsonLdRefusal } from '../http/jsonld-errors.js';
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
  /** Signing jobs asked for and not yet answered (for the metrics' queue depth). */
  queueDepth?(): number;
}

/** Signs on the calling thread. */
export class InProcessSigner implements CredentialSigner {
  constructor(private readonly documentLoader: DocumentLoader) {}

  async sign(credential: Credential, key: ExportedKey, now: Date): Promise<Signed> {
    try {
      const signed = await issueCredential({ credential, key, documentLoader: this.documentLoader, now });
      return { credential: signed, digest: credentialDigest(signed) };
    } catch (error) {
      throw asCallerMistake(error);
    }
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

/**
 * Why a worker could not sign: the fields of the original error that the gateway's error handler
 * classifies by (jsonld.js's `name` and `details.code`, the loader's `code` and `url`), copied
 * because an Error loses everything but its message on the way back from a worker.
 */
export interface SignFailure {
  name: string;
  message: string;
  code?: string;
  url?: string;
  details?: { code?: string; event?: { code?: string; details?: Record<string, string> } };
}

/** One answer from a worker. */
export type SignAnswer = { id: number; signed: Signed } | { id: number; error: SignFailure };

/** A signing failure as rebuilt on the main thread, with the fields of the worker's error. */
export class SigningError extends Error {
  readonly code?: string;
  readonly url?: string;
  readonly details?: SignFailure['details'];

  constructor(failure: SignFailure) {
    super(failure.message);
    this.name = failure.name;
    if (failure.code !== undefined) this.code = failure.code;
    if (failure.url !== undefined) this.url = failure.url;
    if (failure.details !== undefined) this.details = failure.details;
  }
}

const read = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The classifiable fields of an error thrown while signing (see SignFailure). */
export function toSignFailure(error: unknown): SignFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const details = read(error, 'details');
  const event = read(details, 'event');
  const eventDetails: Record<string, string> = {};
  for (const key of ['property', 'type', 'term']) {
    const value = str(read(read(event, 'details'), key));
    if (value !== undefined) eventDetails[key] = value;
  }
  const code = str(read(error, 'code'));
  const url = str(read(error, 'url'));
  const detailsCode = str(read(details, 'code'));
  const eventCode = str(read(event, 'code'));
  return {
    name: error.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(url === undefined ? {} : { url }),
    ...(details === undefined
      ? {}
      : {
          details: {
            ...(detailsCode === undefined ? {} : { code: detailsCode }),
            ...(eventCode === undefined ? {} : { event: { code: eventCode, details: eventDetails } }),
          },
        }),
  };
}

/**
 * A credential that is not valid JSON-LD (an undefined term, an unknown or broken @context) is the
 * caller's mistake: INVALID_ARGUMENT naming the problem. Any other error is passed on unchanged.
 */
export function asCallerMistake<E>(error: E): E | DomainError {
  const refusal = jsonLdRefusal(error);
  return refusal === undefined ? error : new DomainError('INVALID_ARGUMENT', refusal);
}

/** Options of the worker pool. */
export interface WorkerPoolOptions {
  /**
   * How long one job may take from the call to its answer before it is refused; a worker that
   * never answers (stuck, or its answer lost) must not leave an HTTP request hanging.
   */
  jobTimeoutMs?: number;
}

/**
 * Signs on worker threads. RDF canonicalisation in eddsa-rdfc-2022 is CPU-bound and single
 * threaded, so a pool lets issuance use every core while the main thread serves HTTP and commits
 * to the ledger. Jobs go to the worker with the fewest in flight. The worker also computes the
 * digest, so the main thread does not serialise the signed credential a second time. Jobs made in
 * the same turn of the event loop travel in one message each way: fewer cross-thread wake-ups
 * (on two cores no change in throughput could be measured either way). Every job is answered:
 * signed, refused with its own error, or refused when its deadline passes.
 */
export class WorkerPoolSigner implements CredentialSigner {
  private readonly slots: Slot[] = [];
  private readonly jobTimeoutMs: number;
  private nextId = 0;
  private closed = false;

  constructor(size = availableParallelism(), options: WorkerPoolOptions = {}) {
    this.jobTimeoutMs = options.jobTimeoutMs ?? 30_000;
    for (let i = 0; i < Math.max(1, size); i++) this.slots.push(this.spawn());
  }

  sign(credential: Credential, key: ExportedKey, now: Date): Promise<Signed> {
    if (this.closed) return Promise.reject(new Error('signer is closed'));
    const target = this.pickSlot();
    const id = this.nextId++;
    return new Promise<Signed>((resolve, reject) => {
      const deadline = setTimeout(() => {
        if (target.inFlight.delete(id))
          reject(new Error(`signing job timed out after ${this.jobTimeoutMs} ms`));
      }, this.jobTimeoutMs);
      deadline.unref();
      target.inFlight.set(id, {
        id,
        resolve: (signed) => {
          clearTimeout(deadline);
          resolve(signed);
        },
        reject: (error) => {
          clearTimeout(deadline);
          reject(error);
        },
      });
      if (target.outbox.push({ id, credential, key, now: now.toISOString() }) === 1) {
        setImmediate(() => this.flush(target));
      }
    });
  }

  /** The live worker with the fewest jobs in flight; a worker that died is replaced on demand. */
  private pickSlot(): Slot {
    const index = this.slots.reduce(
      (best, slot, i) => (slot.inFlight.size < (this.slots[best]?.inFlight.size ?? Infinity) ? i : best),
      0,
    );
    const slot = this.slots[index];
    if (slot && !slot.dead) return slot;
    const fresh = this.spawn();
    this.slots[index] = fresh;
    return fresh;
  }

  /**
   * Posts a slot's waiting jobs in one message. When that fails (a credential structured clone
   * cannot copy, such as one nested too deep) each job is posted on its own, so only the job
   * that cannot travel is refused and the rest of the batch is still signed.
   */
  private flush(slot: Slot): void {
    const jobs = slot.outbox.splice(0);
    if (slot.dead) {
      for (const job of jobs) this.settle(slot, job.id, new Error('signing worker is gone'));
      return;
    }
    try {
      slot.worker.postMessage(jobs);
      return;
    } catch {
      // Fall through: find the job that cannot be posted.
    }
    for (const job of jobs) {
      try {
        slot.worker.postMessage([job]);
      } catch {
        this.settle(
          slot,
          job.id,
          new DomainError(
            'INVALID_ARGUMENT',
            '凭证无法处理（结构过深或过大） / the credential cannot be processed (nested too deep or too large)',
          ),
        );
      }
    }
  }

  private settle(slot: Slot, id: number, outcome: Signed | Error): void {
    const job = slot.inFlight.get(id);
    if (!job) return;
    slot.inFlight.delete(id);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
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
      // Each job of the lost worker is refused on its own; none is left without an answer.
      for (const id of [...slot.inFlight.keys()]) this.settle(slot, id, error);
    };
    worker.on('message', (answers: SignAnswer[]) => {
      for (const answer of answers) {
        this.settle(
          slot,
          answer.id,
          'signed' in answer ? answer.signed : asCallerMistake(new SigningError(answer.error)),
        );
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`signing worker exited with code ${code}`)));
    worker.unref();
    return slot;
  }

  queueDepth(): number {
    return this.slots.reduce((sum, slot) => sum + slot.inFlight.size, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
