import { DomainError, REQUEST_KEY_TRANSIENT, RequestKey, type RequestOutcome } from '@edu-ledger/domain';
import { Contract, type Context } from './fabric.js';
import type { LedgerContext } from './ledger-context.js';

/**
 * Exactly-once writes for retried requests. A client that retries a write after a lost answer (a
 * gateway killed between commit and reply, a dropped connection) must not write twice. The gateway
 * sends a request key — an opaque digest of the caller, its `Idempotency-Key` and the transaction
 * — in the proposal's transient data, which the ledger does not keep. The transaction that carries
 * it records `request ~ <MSP> ~ <key>` with its own id and result in the same write set, so the
 * record and the write it stands for commit together or not at all; a later transaction with the
 * same key is refused with DUPLICATE_REQUEST carrying the first one's id and result, and the
 * gateway answers the retry with those. Two copies racing each other both read the absent key, so
 * MVCC validation lets only one of them commit.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The request key this proposal carries, if any. @throws DomainError INVALID_ARGUMENT when malformed. */
export function requestKeyOf(ctx: LedgerContext): string | undefined {
  const raw = ctx.stub.getTransient().get(REQUEST_KEY_TRANSIENT);
  if (raw === undefined) return undefined;
  const parsed = RequestKey.safeParse(decoder.decode(raw));
  if (!parsed.success) throw new DomainError('INVALID_ARGUMENT', 'request key must be 64 hex digits');
  return parsed.data;
}

function stateKey(ctx: LedgerContext, requestKey: string): string {
  return ctx.stub.createCompositeKey('request', [ctx.clientIdentity.getMSPID(), requestKey]);
}

/** Refuses a request key that already committed, naming the first transaction and its result. */
export async function refuseRepeatedRequest(ctx: LedgerContext): Promise<void> {
  const requestKey = requestKeyOf(ctx);
  if (requestKey === undefined) return;
  const stored = await ctx.stub.getState(stateKey(ctx, requestKey));
  if (stored.length > 0) throw new DomainError('DUPLICATE_REQUEST', decoder.decode(stored));
}

/** Records the request key with this transaction's id and result, in its own write set. */
export async function recordRequest(ctx: LedgerContext, result: unknown): Promise<void> {
  const requestKey = requestKeyOf(ctx);
  if (requestKey === undefined) return;
  const outcome: RequestOutcome = {
    txId: ctx.stub.getTxID(),
    result: typeof result === 'string' ? result : JSON.stringify(result ?? null),
  };
  await ctx.stub.putState(stateKey(ctx, requestKey), encoder.encode(JSON.stringify(outcome)));
}

/**
 * The base of every contract that writes records: fabric-shim runs `beforeTransaction` and
 * `afterTransaction` around each transaction (the embedded ledger does the same), so the request
 * key is checked and recorded for all of them in one place.
 */
export class LedgerContract extends Contract {
  override async beforeTransaction(ctx: Context): Promise<void> {
    await refuseRepeatedRequest(ctx);
  }

  override async afterTransaction(ctx: Context, result: unknown): Promise<void> {
    await recordRequest(ctx, result);
  }
}
