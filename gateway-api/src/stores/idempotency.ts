import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { DomainError, canonicalJson } from '@edu-ledger/domain';
import type { GatewayDb } from './gateway-db.js';
import { deriveKey } from './sealed.js';
import type { Principal } from './tokens.js';

/** What a client may send as `Idempotency-Key` (a UUID, a ULID, `batch-7:row-12`, …). */
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'Idempotency-Key: 1 to 200 of A-Z a-z 0-9 . _ : -');

const Claim = z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/), at: z.string() });

/**
 * The gateway's side of exactly-once retries. A (caller, Idempotency-Key) pair becomes a scope: an
 * HMAC, so neither the caller's label nor the key is stored or sent to the ledger in the clear. The
 * scope is claimed with a fingerprint of the request (method, path, body) before the request runs,
 * so a key reused for another request is refused instead of replaying the wrong answer. The
 * ledger, not this store, decides whether a write already happened (see chaincode/src/requests.ts);
 * this store also supplies the randomness a retried request must repeat (salts, ids), derived from
 * the scope so a retry writes exactly what its first attempt wrote.
 */
export class IdempotencyStore {
  private readonly key: Buffer;
  /** The last request of each scope still running here: a retry waits for its first attempt. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: GatewayDb,
    masterKey: Buffer,
  ) {
    this.key = deriveKey(masterKey, 'idempotency');
  }

  scope(principal: Principal, idempotencyKey: string): string {
    return this.mac(['scope', principal.orgId, principal.role, principal.label, idempotencyKey]);
  }

  /** A digest of the request; keyed, since a body may hold personal data worth guessing at. */
  fingerprint(method: string, path: string, body: unknown): string {
    return this.mac(['request', method.toUpperCase(), path, canonicalJson(body ?? null)]);
  }

  /**
   * Claims `scope` for this request, or checks that an earlier claim was for the same request.
   * Resolves true when the scope was claimed before (this is a retry).
   * @throws DomainError IDEMPOTENCY_KEY_REUSED when the key was first used for another request.
   */
  async claim(scope: string, fingerprint: string, now: Date): Promise<boolean> {
    const raw = await this.db.idempotency.get(scope);
    if (raw !== undefined) {
      const earlier = Claim.parse(JSON.parse(raw));
      if (earlier.fingerprint !== fingerprint) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was first sent with another request (method, path or body); use a new key',
        );
      }
      return true;
    }
    await this.db.put(this.db.idempotency, scope, JSON.stringify({ fingerprint, at: now.toISOString() }));
    return false;
  }

  /** Runs the requests of one scope one after another (in this process; the ledger judges across). */
  oneAtATime<T>(scope: string, work: () => Promise<T>): Promise<T> {
    const previous = this.running.get(scope) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.running.set(scope, settled);
    void settled.then(() => {
      if (this.running.get(scope) === settled) this.running.delete(scope);
    });
    return run;
  }

  /** Bytes that are random to everyone else and the same on every retry of the scope's request. */
  repeatable(scope: string, label: string, length: number): Buffer {
    return createHmac('sha256', this.key)
      .update(`repeatable\0${scope}\0${label}`)
      .digest()
      .subarray(0, length);
  }

  /** The ledger's request key for the `occurrence`-th submit of `fn` within the scope's request. */
  requestKey(scope: string, fn: string, occurrence: number): string {
    return this.mac(['ledger-request', scope, fn, String(occurrence)]);
  }

  private mac(parts: readonly string[]): string {
    return createHmac('sha256', this.key).update(parts.join('\0')).digest('hex');
  }
}
