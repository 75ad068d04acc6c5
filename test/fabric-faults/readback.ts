/**
 * Reading every record of the fault test back, once through the gateway's API and once through
 * Fabric itself (the chaincode's queries evaluated with @hyperledger/fabric-gateway, not through the
 * gateway process), as a count per record id: exactly-once means a count of 1 for each acknowledged
 * write and at most 1 for the others.
 */
import { FabricLedger, loadConnectionProfile } from '@edu-ledger/ledger-fabric';
import type { Fixtures } from './workload.js';

/** Record ids by kind, each with how many times it was found. */
export type Counts = Map<string, Map<string, number>>;

function add(counts: Counts, kind: string, id: string): void {
  const byId = counts.get(kind) ?? new Map<string, number>();
  byId.set(id, (byId.get(id) ?? 0) + 1);
  counts.set(kind, byId);
}

interface AuditRecord {
  record: { anchor?: { credentialId?: string }; inspectionId?: string; state?: string };
}

/** What each read path (the API, Fabric) must answer. */
export interface Reader {
  /** Credential ids anchored for the school, one per anchor found; `candidates` are the ids written. */
  credentials: (candidates: readonly string[]) => Promise<string[]>;
  /** The school's inspections with their state. */
  inspections: () => Promise<{ inspectionId: string; state: string }[]>;
  archive: (subjectId: string) => Promise<{ entries: { entryId: string }[] }>;
  statement: (learnerId: string) => Promise<{
    earned: { creditId: string }[];
    recognitions: { recognitionId: string }[];
  }>;
}

/** Reads every record of the run through `reader` and counts each record id found. */
export async function countRecords(
  reader: Reader,
  f: Fixtures,
  candidates: readonly string[],
): Promise<Counts> {
  const counts: Counts = new Map();
  for (const id of await reader.credentials(candidates)) add(counts, 'credential', id);
  for (const i of await reader.inspections()) {
    add(counts, 'inspection', i.inspectionId);
    // A visited inspection has moved on from `planned`: the visit is on the ledger.
    if (i.state !== 'planned') add(counts, 'visit', i.inspectionId);
  }
  // Archives and statements are independent reads: all at once (a few dozen).
  const archives = await Promise.all(
    f.students.map(async (subjectId) => ({
      subjectId,
      archive: await reader.archive(subjectId),
    })),
  );
  for (const { subjectId, archive } of archives)
    for (const e of archive.entries) add(counts, 'entry', `${subjectId}/${e.entryId}`);
  const statements = await Promise.all(
    f.learners.map(async (learnerId) => ({
      learnerId,
      statement: await reader.statement(learnerId),
    })),
  );
  for (const { learnerId, statement } of statements) {
    for (const c of statement.earned) add(counts, 'credit', `${learnerId}/${c.creditId}`);
    for (const r of statement.recognitions) add(counts, 'recognition', `${learnerId}/${r.recognitionId}`);
  }
  return counts;
}

/** Pages through a listing until its bookmark is empty. */
async function allPages<T>(
  page: (bookmark: string) => Promise<{ items: T[]; bookmark: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let bookmark = '';
  do {
    const next = await page(bookmark);
    items.push(...next.items);
    bookmark = next.bookmark;
  } while (bookmark);
  return items;
}

/**
 * Fabric itself: a client of our own (@hyperledger/fabric-gateway through FabricLedger, not the
 * gateway process) holding the three orgs' identities, evaluating the chaincode's queries. Every
 * anchor of the school is listed (audit:SchoolRecords), so an anchor written twice counts twice.
 */
export async function fabricReader(
  connectionFile: string,
  chaincode: string,
  school = 'school-gen',
): Promise<{ reader: Reader; close: () => Promise<void> }> {
  const ledger = await FabricLedger.open({
    profile: loadConnectionProfile(connectionFile),
    mspIds: ['BureauMSP', 'SchoolGenMSP', 'SchoolVocMSP'],
    chaincode,
  });
  const inspector = await ledger.identity('BureauMSP', 'inspector@bureau', 'client');
  const teacher = await ledger.identity('SchoolGenMSP', 'teacher@school-gen', 'client');
  const vocAdmin = await ledger.identity('SchoolVocMSP', 'admin@school-voc', 'admin');
  const query = async (id: typeof inspector, fn: string, arg: unknown): Promise<any> =>
    JSON.parse(await ledger.evaluate(id, fn, [JSON.stringify(arg)])) as unknown;
  const audit = <T>(kind: string, pick: (r: AuditRecord['record']) => T | undefined) =>
    allPages(async (bookmark) => {
      const page = (await query(inspector, 'audit:SchoolRecords', {
        orgId: school,
        kind,
        pageSize: 100,
        bookmark,
      })) as {
        records: AuditRecord[];
        bookmark: string;
      };
      const items = page.records.map((r) => pick(r.record)).filter((x): x is T => x !== undefined);
      return { items, bookmark: page.bookmark };
    });
  const reader: Reader = {
    credentials: () => audit('credential', (r) => r.anchor?.credentialId),
    inspections: () =>
      audit('inspection', (r) =>
        r.inspectionId ? { inspectionId: r.inspectionId, state: r.state ?? '' } : undefined,
      ),
    archive: (subjectId) => query(teacher, 'growth:ReadArchive', { subjectId }),
    statement: (learnerId) => query(vocAdmin, 'creditbank:GetLearnerStatement', { learnerId }),
  };
  return { reader, close: () => ledger.close() };
}

/** An HTTP GET through the gateway: its status and JSON body. */
export type Get = (path: string, token?: string) => Promise<{ status: number; body: any }>;

/**
 * The gateway's GET routes. Credentials one by one through their status history (public, read
 * from the ledger: 404 when not anchored), because the audit listing recomputes the chain check on
 * each page, which took ~25 s a page at 10,000 writes on this machine.
 */
export function apiReader(
  get: Get,
  tokens: { inspector: string; teacher: string; vocAdmin: string },
  school = 'school-gen',
): Reader {
  const ok = async (path: string, token: string): Promise<any> => {
    const res = await get(path, token);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    credentials: async (candidates) => {
      const found: string[] = [];
      await pool(candidates, 8, async (id) => {
        const res = await get(`/credentials/${encodeURIComponent(id)}/status-history`);
        if (res.status === 200) found.push(id);
        else if (res.status !== 404)
          throw new Error(`status history of ${id}: ${res.status} ${JSON.stringify(res.body)}`);
      });
      return found;
    },
    inspections: () =>
      allPages(async (bookmark) => {
        const q = `pageSize=100${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`;
        const page = (await ok(`/schools/${school}/inspections?${q}`, tokens.inspector)) as {
          inspections: { inspectionId: string; state: string }[];
          bookmark: string;
        };
        return { items: page.inspections, bookmark: page.bookmark };
      }),
    archive: (subjectId) => ok(`/archives/${subjectId}`, tokens.teacher),
    statement: (learnerId) => ok(`/credit-bank/learners/${learnerId}`, tokens.vocAdmin),
  };
}

/** Runs `fn` over `items`, `limit` at a time. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}
