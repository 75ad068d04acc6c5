import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { parseOrThrow } from '@edu-ledger/domain';
import { IdempotencyKey, type IdempotencyStore } from '../stores/idempotency.js';
import type { Principal } from '../stores/tokens.js';

/**
 * `Idempotency-Key` on write routes. While a request with the header runs, its scope is kept here
 * (as arrival-origin.ts keeps the origin), so that deep inside the services:
 * - every ledger submit carries a request key derived from the scope, the transaction and how
 *   many times this request already submitted it, which the chaincode records with the write and
 *   refuses to commit twice (chaincode/src/requests.ts);
 * - salts and generated ids come from {@link repeatableBytes}, so a retry after a crash writes the
 *   same bytes to the vault as its first attempt, matching the digest the ledger already holds.
 * Writes that serve many requests at once (Merkle-batched anchors) run outside any scope
 * ({@link outsideRequest}).
 */
interface RequestScope {
  scope: string;
  store: IdempotencyStore;
  submits: Map<string, number>;
  /** How many times each label of {@link repeatableBytes} was drawn in this request. */
  draws: Map<string, number>;
  /** Whether a write of this request may already be on the ledger (a retry of a claimed key). */
  retry: boolean;
}

const current = new AsyncLocalStorage<RequestScope | undefined>();

/** A write request as the HTTP layer received it. */
export interface WriteRequest {
  /** The `Idempotency-Key` header, if sent. */
  idempotencyKey: string | undefined;
  principal: Principal | undefined;
  method: string;
  path: string;
  body: unknown;
}

/**
 * Runs `work` as the request named by its `Idempotency-Key`, if it has one and a caller (a key
 * without a caller has no one to belong to, and is ignored, as it is on reads).
 * @throws DomainError INVALID_ARGUMENT for a malformed key, IDEMPOTENCY_KEY_REUSED for a key first
 *   used with another request.
 */
export async function withIdempotency<T>(
  request: WriteRequest,
  store: IdempotencyStore | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const { idempotencyKey, principal, method } = request;
  if (idempotencyKey === undefined || principal === undefined || store === undefined || method === 'GET') {
    return work();
  }
  const key = parseOrThrow(IdempotencyKey, idempotencyKey, 'Idempotency-Key header');
  const scope = store.scope(principal, key);
  const fingerprint = store.fingerprint(method, request.path, request.body);
  const claimAndRun = async (): Promise<T> => {
    const retry = await store.claim(scope, fingerprint, new Date());
    return current.run({ scope, store, submits: new Map(), draws: new Map(), retry }, work);
  };
  return store.oneAtATime(scope, claimAndRun);
}

/** The ledger request key for this submit of `fn`, when the request being handled has a scope. */
export function nextRequestKey(fn: string): string | undefined {
  const request = current.getStore();
  if (!request) return undefined;
  const occurrence = request.submits.get(fn) ?? 0;
  request.submits.set(fn, occurrence + 1);
  return request.store.requestKey(request.scope, fn, occurrence);
}

/**
 * Random bytes, or under an Idempotency-Key the same bytes on every attempt (see above): the n-th
 * draw of a label in a request gives what the n-th draw gave in its first attempt.
 */
export function repeatableBytes(label: string, length: number): Buffer {
  const request = current.getStore();
  if (!request) return randomBytes(length);
  const draw = request.draws.get(label) ?? 0;
  request.draws.set(label, draw + 1);
  return request.store.repeatable(request.scope, `${label}#${draw}`, length);
}

/**
 * Whether the request being handled retries an Idempotency-Key already seen, so that its earlier
 * attempt may have written: services then let the ledger judge a "record exists" instead of
 * refusing first.
 */
export function isRetriedRequest(): boolean {
  return current.getStore()?.retry ?? false;
}

/** Runs `work` outside any request's scope: for writes that carry many requests (anchor batches). */
export function outsideRequest<T>(work: () => T): T {
  return current.run(undefined, work);
}
