import { z } from 'zod';
import { MspId, Timestamp } from './primitives.js';

/**
 * The benchmark's minimal transaction (`heartbeat:Beat`): one key written, nothing read, no event.
 * `slot` names the key within the caller's organisation, so concurrent beats never touch the same
 * key; it is an opaque counter, never anything about a person.
 */
export const BeatRequest = z.strictObject({
  slot: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, 1-64 characters'),
});
export type BeatRequest = z.infer<typeof BeatRequest>;

/** What a beat stores: who wrote it and the transaction time. */
export const Heartbeat = z.strictObject({
  mspId: MspId,
  slot: BeatRequest.shape.slot,
  at: Timestamp,
});
export type Heartbeat = z.infer<typeof Heartbeat>;
