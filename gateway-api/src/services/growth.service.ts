import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  DomainError,
  GrowthArchive,
  GrowthEntry,
  canonicalJson,
  type DimensionSet,
} from '@edu-ledger/domain';
import { mayHaveCommitted } from '@edu-ledger/ledger-port';
import type { Principal } from '../stores/tokens.js';
import type { GatewayDb } from '../stores/gateway-db.js';
import type { Vault } from '../stores/vault.js';
import type { RecordsService } from './records.js';

/** What a teacher writes for an entry: personal content, kept only in the vault. */
export const EntryContent = z.object({
  text: z.string().min(1).max(4000),
  /** Optional structured facts (an award name, a score) shown beside the text. */
  facts: z.record(z.string().max(60), z.union([z.string().max(500), z.number()])).optional(),
});
export type EntryContent = z.infer<typeof EntryContent>;

const StoredContent = z.object({
  salt: z.string(),
  sealed: z.object({ iv: z.string(), tag: z.string(), ct: z.string() }),
});

export const ReadArchiveResult = z.object({
  archive: GrowthArchive,
  entries: z.array(GrowthEntry),
  consents: z.array(z.unknown()),
  visibleDimensions: z.union([z.literal('all'), z.array(z.string())]),
});

/** Salted digest: the ledger can prove an entry was not altered without ever holding its content. */
export function contentDigest(salt: string, content: EntryContent): string {
  return createHash('sha256').update(salt).update(canonicalJson(content)).digest('hex');
}

/**
 * Growth-archive entries: content is sealed under the student's own vault key before the ledger
 * sees its salted digest; if the ledger refuses the entry, the sealed content is removed again.
 */
export class GrowthService {
  constructor(
    private readonly db: GatewayDb,
    private readonly vault: Vault,
    private readonly records: RecordsService,
  ) {}

  async addEntry(
    principal: Principal,
    subjectId: string,
    request: {
      entryId: string;
      term: string;
      dimensionId: string;
      indicatorId?: string | undefined;
      supersedes?: string | undefined;
      evidenceDigests: string[];
      content: EntryContent;
    },
  ): Promise<{ record: unknown; txId: string; blockNumber: number }> {
    const salt = randomBytes(16).toString('hex');
    const storeKey = `${subjectId}/${request.entryId}`;
    if ((await this.db.growthContent.get(storeKey)) !== undefined) {
      throw new DomainError('ALREADY_EXISTS', `entry ${request.entryId} exists`);
    }
    const sealed = await this.vault.sealForSubject(subjectId, request.content, storeKey);
    await this.db.put(this.db.growthContent, storeKey, JSON.stringify({ salt, sealed }));
    const { content, ...rest } = request;
    try {
      return await this.records.submit(principal, 'growth:AddEntry', {
        ...rest,
        subjectId,
        contentDigest: contentDigest(salt, content),
      });
    } catch (error) {
      // An entry whose commit outcome is unknown may be on the ledger: its content must stay.
      if (!mayHaveCommitted(error)) await this.db.del(this.db.growthContent, storeKey);
      throw error;
    }
  }

  /** The archive as the caller may see it, each entry with its content and whether it still matches the ledger. */
  async read(principal: Principal, subjectId: string): Promise<unknown> {
    const view = ReadArchiveResult.parse(
      await this.records.query(principal, 'growth:ReadArchive', { subjectId }),
    );
    const entries = await Promise.all(
      view.entries.map(async (entry) => {
        const storeKey = `${subjectId}/${entry.entryId}`;
        const raw = await this.db.growthContent.get(storeKey);
        if (raw === undefined) return { ...entry, content: null, contentMatchesLedger: false };
        const stored = StoredContent.parse(JSON.parse(raw));
        try {
          const content = EntryContent.parse(
            await this.vault.unsealForSubject(subjectId, stored.sealed, storeKey),
          );
          return {
            ...entry,
            content,
            contentMatchesLedger: contentDigest(stored.salt, content) === entry.contentDigest,
          };
        } catch (error) {
          if (error instanceof DomainError && error.code === 'SUBJECT_KEY_DESTROYED') {
            return { ...entry, content: null, contentMatchesLedger: null, erased: true };
          }
          throw error;
        }
      }),
    );
    return { ...view, entries };
  }

  /** Per-dimension results for a report credential: current (not superseded) entries only. */
  async reportDimensions(
    principal: Principal,
    subjectId: string,
    set: DimensionSet,
    term: string | undefined,
  ): Promise<{ holderSchoolId: string; results: Record<string, unknown>[] }> {
    const view = (await this.read(principal, subjectId)) as {
      archive: GrowthArchive;
      entries: (GrowthEntry & { content: EntryContent | null })[];
    };
    const current = view.entries.filter((e) => !e.supersededBy && (term === undefined || e.term === term));
    const results = set.dimensions
      .map((d) => ({
        type: 'GrowthDimensionResult',
        dimension: d.dimensionId,
        label: d.label.zh,
        labelEn: d.label.en,
        entries: current
          .filter((e) => e.dimensionId === d.dimensionId)
          .map((e) => ({
            type: 'GrowthEntryRecord',
            term: e.term,
            ...(e.indicatorId ? { indicator: e.indicatorId } : {}),
            text: e.content?.text ?? '',
            recordedAt: e.recordedAt,
            contentDigest: e.contentDigest,
          })),
      }))
      .filter((d) => d.entries.length > 0);
    return { holderSchoolId: view.archive.holderSchoolId, results };
  }
}
