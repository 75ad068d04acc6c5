import { z } from 'zod';
import { DomainError } from '@edu-ledger/domain';

const PageQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
  bookmark: z.string().max(2000).default(''),
});

/**
 * Page arguments from the query string. Ledger bookmarks contain control characters (composite
 * keys), so over HTTP they travel base64url-encoded.
 */
export function pageFromQuery(query: unknown): { pageSize: number; bookmark: string } {
  const parsed = PageQuery.safeParse(query);
  if (!parsed.success)
    throw new DomainError('INVALID_ARGUMENT', 'pageSize must be 1-100; bookmark as returned');
  return {
    pageSize: parsed.data.pageSize,
    bookmark: Buffer.from(parsed.data.bookmark, 'base64url').toString('utf8'),
  };
}

/** The page as returned over HTTP: items under `name`, and the next bookmark ('' when done). */
export function pageToJson(name: string, page: unknown): Record<string, unknown> {
  const parsed = z.object({ items: z.array(z.unknown()), bookmark: z.string() }).parse(page);
  return { [name]: parsed.items, bookmark: Buffer.from(parsed.bookmark, 'utf8').toString('base64url') };
}
