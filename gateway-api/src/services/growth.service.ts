import { createHash } from 'node:crypto';
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
import { NO_FAULTS, type FaultPoints } from './fault-points.js';
import { isRetriedRequest, repeatableBytes } from './request-scope.js';

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

/** What a teacher sends for one entry. */
export interface EntryRequest {
  entryId: string;
  term: string;
  dimensionId: string;
  indicatorId?: string | undefined;
  supersedes?: string | undefined;
  evidenceDigests: string[];
  content: EntryContent;
}

/**
 * Growth-archive entries: content is sealed under the student's own vault key before the ledger
 * sees its salted digest; if the ledger refuses the entry, the sealed content is removed again.
 * The ledger alone decides whether an entry exists, so content left by a killed request never
 * blocks its retry.
 */
export class GrowthService {
  constructor(
    private readonly db: GatewayDb,
    private readonly vault: Vault,
    private readonly records: RecordsService,
    private readonly faults: FaultPoints = NO_FAULTS,
  ) {}

  /** Per content key: one write of an entry at a time, so a retry never races its own original. */
  private readonly writing = new Map<string, Promise<unknown>>();

  /**
   * Records an entry: its content is written (keyed by subject and entry id, synced) before the
   * ledger sees its digest. A content key left by a request cut before its ledger write is taken
   * over by the retry, because only the ledger says whether an entry exists.
   *
   * @throws DomainError `ALREADY_EXISTS` when the ledger holds an entry with this id.
   */
  addEntry(
    principal: Principal,
    subjectId: string,
    request: EntryRequest,
  ): Promise<{ record: unknown; txId: string; blockNumber: number }> {
    const storeKey = `${subjectId}/${request.entryId}`;
    const run = (): Promise<{ record: unknown; txId: string; blockNumber: number }> =>
      this.writeEntry(principal, subjectId, storeKey, request);
    const result = (this.writing.get(storeKey) ?? Promise.resolve()).then(run, run);
    const settled = result.catch(() => undefined);
    this.writing.set(storeKey, settled);
    void settled.then(() => {
      if (this.writing.get(storeKey) === settled) this.writing.delete(storeKey);
    });
    return result;
  }

  private async writeEntry(
    principal: Principal,
    subjectId: string,
    storeKey: string,
    request: EntryRequest,
  ): Promise<{ record: unknown; txId: string; blockNumber: number }> {
    const previous = await this.db.growthContent.get(storeKey);
    // A retry of an Idempotency-Key may follow its own committed write: the ledger judges that one
    // (and answers with the first outcome), with the same salt, so the content stays as committed.
    if (
      previous !== undefined &&
      !isRetriedRequest() &&
      (await this.onLedger(principal, subjectId, request.entryId))
    ) {
      throw new DomainError('ALREADY_EXISTS', `entry ${request.entryId} exists`);
    }
    const salt = repeatableBytes('growth-salt', 16).toString('hex');
    const sealed = await this.vault.sealForSubject(subjectId, request.content, storeKey);
    await this.db.put(this.db.growthContent, storeKey, JSON.stringify({ salt, sealed }));
    await this.faults.reach('growth:content-saved');
    const { content, ...rest } = request;
    try {
      const result = await this.records.submit(principal, 'growth:AddEntry', {
        ...rest,
        subjectId,
        contentDigest: contentDigest(salt, content),
      });
      await this.faults.reach('growth:recorded');
      return result;
    } catch (error) {
      // An entry whose commit outcome is unknown may be on the ledger: its content must stay. A
      // refused one puts back what was there (a cut attempt's content, which a late commit of that
      // attempt would still match) or nothing.
      if (!mayHaveCommitted(error)) {
        if (previous === undefined) await this.db.del(this.db.growthContent, storeKey);
        else await this.db.put(this.db.growthContent, storeKey, previous);
      }
      throw error;
    }
  }

  /** Whether the ledger holds this entry, read as the writer (a holding-school writer sees every dimension). */
  private async onLedger(principal: Principal, subjectId: string, entryId: string): Promise<boolean> {
    const view = ReadArchiveResult.parse(
      await this.records.query(principal, 'growth:ReadArchive', { subjectId }),
    );
    return view.entries.some((e) => e.entryId === entryId);
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
