import { z } from 'zod';

/**
 * Exactly-once retries (see chaincode/src/requests.ts): the gateway names a logical write by a
 * request key, sent to the chaincode as transient data under this name.
 */
export const REQUEST_KEY_TRANSIENT = 'edu.request-key';

/** A request key: a digest, so it reveals neither the caller nor its Idempotency-Key. */
export const RequestKey = z.string().regex(/^[0-9a-f]{64}$/, 'request key must be 64 hex digits');

/** What a committed request left for its retries: the DUPLICATE_REQUEST refusal's detail. */
export const RequestOutcome = z.object({ txId: z.string().min(1), result: z.string() });
export type RequestOutcome = z.infer<typeof RequestOutcome>;
