import type { z } from 'zod';
import { DomainError, canonicalJson, type EventName } from '@edu-ledger/domain';
import type { KV, KeyModification, LedgerContext, LedgerIterator } from './ledger-context.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Transaction time: the proposal timestamp, identical on every endorsing peer. */
export function txTime(ctx: LedgerContext): string {
  return ctx.stub.getDateTimestamp().toISOString();
}

/** Reads and validates a stored record; undefined when the key is absent. */
export async function readRecord<S extends z.ZodType>(
  ctx: LedgerContext,
  key: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  const bytes = await ctx.stub.getState(key);
  if (!bytes || bytes.length === 0) return undefined;
  return parseStored(schema, bytes, key);
}

function parseStored<S extends z.ZodType>(schema: S, bytes: Uint8Array, key: string): z.output<S> {
  const result = schema.safeParse(JSON.parse(decoder.decode(bytes)));
  // A stored record that fails its schema means the state was written by other code: stop loudly.
  if (!result.success) throw new DomainError('INTERNAL', `stored record at ${printable(key)} is malformed`);
  return result.data;
}

/** Validates before writing, so nothing malformed ever reaches the ledger. */
export async function writeRecord<S extends z.ZodType>(
  ctx: LedgerContext,
  key: string,
  schema: S,
  value: z.input<S>,
): Promise<void> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new DomainError('INTERNAL', `refusing to write malformed record at ${printable(key)}`);
  await ctx.stub.putState(key, encoder.encode(canonicalJson(parsed.data)));
}

export function emit(ctx: LedgerContext, name: EventName, payload: unknown): void {
  ctx.stub.setEvent(name, encoder.encode(canonicalJson(payload)));
}

export function key(ctx: LedgerContext, objectType: string, ...attributes: string[]): string {
  return ctx.stub.createCompositeKey(objectType, attributes);
}

async function drain<T>(iterator: LedgerIterator<T>, limit = Number.POSITIVE_INFINITY): Promise<T[]> {
  const out: T[] = [];
  try {
    while (out.length < limit) {
      const next = await iterator.next();
      if (next.value !== undefined) out.push(next.value);
      if (next.done) break;
    }
  } finally {
    await iterator.close();
  }
  return out;
}

/** All records under a composite-key prefix, validated. */
export async function listRecords<S extends z.ZodType>(
  ctx: LedgerContext,
  schema: S,
  objectType: string,
  ...attributes: string[]
): Promise<z.output<S>[]> {
  const kvs: KV[] = await drain(await ctx.stub.getStateByPartialCompositeKey(objectType, attributes));
  return kvs.map((kv) => parseStored(schema, kv.value, kv.key));
}

export interface Page<T> {
  items: T[];
  bookmark: string;
}

/**
 * One page of records under a composite-key prefix (a read-only query on Fabric). A peer starts the
 * range at the bookmark as given, so a bookmark outside this query's prefix would read another
 * prefix's records (another school's inspections): such a bookmark is refused.
 * @throws DomainError INVALID_ARGUMENT for a bookmark that this query did not hand out.
 */
export async function pageRecords<S extends z.ZodType>(
  ctx: LedgerContext,
  schema: S,
  page: { pageSize: number; bookmark?: string | undefined },
  objectType: string,
  ...attributes: string[]
): Promise<Page<z.output<S>>> {
  const bookmark = page.bookmark ?? '';
  if (bookmark !== '' && !bookmark.startsWith(key(ctx, objectType, ...attributes))) {
    throw new DomainError('INVALID_ARGUMENT', 'the bookmark does not belong to this query');
  }
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
    objectType,
    attributes,
    page.pageSize,
    bookmark,
  );
  const kvs = await drain(iterator);
  // fabric-shim leaves `metadata` out when the peer's metadata is empty (an empty last page):
  // that page has no next one.
  return {
    items: kvs.map((kv) => parseStored(schema, kv.value, kv.key)),
    bookmark: metadata?.bookmark ?? '',
  };
}

/**
 * Every record under a prefix, read page by page. A peer silently cuts one range query at its
 * `totalQueryLimit` (100,000 by default), so a prefix that may hold more is read in pages of
 * `pageSize`, each well under that limit. Read-only queries only: Fabric refuses paginated queries
 * in a transaction that writes.
 */
export async function listAllRecords<S extends z.ZodType>(
  ctx: LedgerContext,
  schema: S,
  pageSize: number,
  objectType: string,
  ...attributes: string[]
): Promise<z.output<S>[]> {
  const out: z.output<S>[] = [];
  let bookmark = '';
  do {
    const page = await pageRecords(ctx, schema, { pageSize, bookmark }, objectType, ...attributes);
    // A bookmark that does not move would loop forever; a ledger that returns one is broken.
    if (page.bookmark !== '' && (page.items.length === 0 || page.bookmark === bookmark)) {
      throw new DomainError('INTERNAL', 'a paged range query did not advance');
    }
    out.push(...page.items);
    bookmark = page.bookmark;
  } while (bookmark !== '');
  return out;
}

export interface HistoryEntry<T> {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  value: T | null;
}

function seconds(value: KeyModification['timestamp']['seconds']): number {
  return typeof value === 'object' ? value.toNumber() : Number(value);
}

/** Every committed version of a key, oldest first. */
export async function history<S extends z.ZodType>(
  ctx: LedgerContext,
  schema: S,
  ledgerKey: string,
): Promise<HistoryEntry<z.output<S>>[]> {
  const mods = await drain(await ctx.stub.getHistoryForKey(ledgerKey));
  const entries = mods.map((m) => ({
    txId: m.txId,
    timestamp: new Date(
      seconds(m.timestamp.seconds) * 1000 + Math.floor(m.timestamp.nanos / 1e6),
    ).toISOString(),
    isDelete: m.isDelete,
    value: m.isDelete || m.value.length === 0 ? null : parseStored(schema, m.value, ledgerKey),
  }));
  // Fabric (2.x and later) returns newest first; audits read better oldest first.
  return entries.reverse();
}

function printable(ledgerKey: string): string {
  return ledgerKey.split(String.fromCharCode(0)).join('/');
}
