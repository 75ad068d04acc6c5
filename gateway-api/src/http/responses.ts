import { z } from 'zod';

/**
 * Response bodies the gateway itself shapes around the domain's records (the records themselves
 * are the domain's zod schemas): used by the routes' `responses:` blocks, so the OpenAPI document
 * describes every success body.
 */

/** A JSON object whose shape a standard defines (a did:web document, a JSON-LD context). */
export const JsonObject = z.record(z.string(), z.unknown());

/** What a ledger write answers: the record as the chaincode stored it, and where. */
export function submitted(record: z.ZodType = z.unknown()): z.ZodObject {
  return z.object({ record, txId: z.string(), blockNumber: z.number().int().min(0) });
}

/** One page of a list: the items under their name and the opaque bookmark of the next page. */
export function paged(name: string, item: z.ZodType): z.ZodObject {
  return z.object({
    [name]: z.array(item),
    bookmark: z.string().describe("opaque; '' at the end"),
  });
}

/** A signed credential: a Data Integrity credential, or an EnvelopedVerifiableCredential (vc+jwt). */
export const IssuedCredential = z.object({ verifiableCredential: JsonObject });

export const Health = z.object({ status: z.literal('ok'), ledger: z.enum(['embedded', 'fabric']) });

/** The chain check: whether the hash chain and replayed state match what is stored. */
export const ChainCheckResult = z.object({
  ok: z.boolean(),
  height: z.number().int(),
  lastHash: z.string(),
  checkedTransactions: z.number().int(),
  checkedKeys: z.number().int(),
  problems: z.array(z.string()),
});

/** The embedded ledger's signed head. */
export const SignedHeadView = z.object({
  height: z.number().int(),
  lastHash: z.string().describe('hex header hash of block height - 1'),
  signature: z.string().describe('Ed25519, base64'),
  publicKey: z.string().describe('SPKI, PEM'),
  signedAt: z.string(),
});

/** The result of a presentation's verification: the presentation's checks and each credential's. */
export { PresentationResult } from '@edu-ledger/domain';
