/**
 * The gateway reads behind the audit console and the record charts. Every answer is read
 * defensively (the console shows what it can and never crashes on an unexpected shape).
 */
import { call, expectStatus } from './api.js';
import { isRecord } from './dom.js';

export interface HistoryEntry {
  txId: string;
  timestamp: string;
  record: unknown;
}

export interface AuditRecord {
  kind: string;
  key: string;
  record: Record<string, unknown>;
  history: HistoryEntry[];
}

export interface Chain {
  ok: boolean;
  height: number;
  lastHash: string;
  problems: string[];
}

export interface AuditPage {
  organization: Record<string, unknown>;
  chain: Chain;
  records: AuditRecord[];
  overdueActions: Record<string, unknown>[];
  /** '' once the listing has been read to its end. */
  bookmark: string;
}

const list = (value: unknown): Record<string, unknown>[] =>
  (Array.isArray(value) ? value : []).filter(isRecord);

/** GET with the signed-in token; a refusal is thrown as the gateway's ApiError. */
async function getJson(path: string): Promise<Record<string, unknown>> {
  const body = expectStatus(await call('GET', path, { auth: true }), [200]);
  if (!isRecord(body)) throw new Error('unexpected answer');
  return body;
}

function parseHistory(value: unknown): HistoryEntry[] {
  return list(value).map((e) => ({
    txId: String(e['txId'] ?? ''),
    timestamp: String(e['timestamp'] ?? ''),
    record: e['record'],
  }));
}

export function parseAuditPage(body: Record<string, unknown>): AuditPage {
  const chain = isRecord(body['chain']) ? body['chain'] : {};
  return {
    organization: isRecord(body['organization']) ? body['organization'] : {},
    chain: {
      ok: chain['ok'] === true,
      height: Number(chain['height'] ?? 0),
      lastHash: String(chain['lastHash'] ?? ''),
      problems: Array.isArray(chain['problems']) ? chain['problems'].map(String) : [],
    },
    records: list(body['records']).map((r) => ({
      kind: String(r['kind'] ?? ''),
      key: String(r['key'] ?? ''),
      record: isRecord(r['record']) ? r['record'] : { value: r['record'] },
      history: parseHistory(r['history']),
    })),
    overdueActions: list(body['overdueActions']),
    bookmark: typeof body['bookmark'] === 'string' ? body['bookmark'] : '',
  };
}

/** One page of `GET /audit/schools/{orgId}`, continuing from `bookmark` when given. */
export async function auditPage(
  orgId: string,
  opts: { kind?: string; bookmark?: string; pageSize?: number },
): Promise<AuditPage> {
  const params = new URLSearchParams({ pageSize: String(opts.pageSize ?? 50) });
  if (opts.kind) params.set('kind', opts.kind);
  if (opts.bookmark) params.set('bookmark', opts.bookmark);
  return parseAuditPage(await getJson(`/audit/schools/${encodeURIComponent(orgId)}?${params.toString()}`));
}

export interface KindProgress {
  kind: string;
  label: { zh: string; en: string };
  earned: number;
  counted: number;
  cap: number;
}

export interface PdProgress {
  teacherId: string;
  creditUnit: string;
  cycle: { from: string; until: string };
  byKind: KindProgress[];
  total: number;
  required: number;
  progress: number;
  pending: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const label = (v: unknown): { zh: string; en: string } =>
  isRecord(v) ? { zh: text(v['zh']), en: text(v['en']) } : { zh: '', en: '' };

/** `GET /pd/teachers/{id}/progress`: credits per activity kind in the current cycle. */
export async function pdProgress(teacherId: string): Promise<PdProgress> {
  const body = await getJson(`/pd/teachers/${encodeURIComponent(teacherId)}/progress`);
  const cycle = isRecord(body['cycle']) ? body['cycle'] : {};
  return {
    teacherId: text(body['teacherId']),
    creditUnit: text(body['creditUnit']),
    cycle: { from: text(cycle['from']), until: text(cycle['until']) },
    byKind: list(body['byKind']).map((k) => ({
      kind: text(k['kind']),
      label: label(k['label']),
      earned: num(k['earned']),
      counted: num(k['counted']),
      cap: num(k['cap']),
    })),
    total: num(body['total']),
    required: num(body['required']),
    progress: num(body['progress']),
    pending: num(body['pending']),
  };
}

export interface Score {
  indicator: string;
  label?: { zh: string; en: string };
  score: number;
  maxScore: number;
}

function parseScores(value: unknown): Score[] {
  return list(value).map((s) => ({
    indicator: text(s['indicator']),
    ...(isRecord(s['label']) ? { label: label(s['label']) } : {}),
    score: num(s['score']),
    maxScore: num(s['maxScore']) || 1,
  }));
}

export interface EvaluationPair {
  period: string;
  self: Score[] | null;
  external: Score[] | null;
}

/** `GET /schools/{orgId}/evaluations`: self and external evaluation per period. */
export async function evaluations(orgId: string): Promise<EvaluationPair[]> {
  const body = await getJson(`/schools/${encodeURIComponent(orgId)}/evaluations`);
  const scoresOf = (report: unknown): Score[] | null =>
    isRecord(report) ? parseScores(report['scores']) : null;
  return list(body['evaluations']).map((e) => ({
    period: text(e['period']),
    self: scoresOf(e['self']),
    external: scoresOf(e['external']),
  }));
}

export interface InspectionSummary {
  inspectionId: string;
  schoolId: string;
  state: string;
  visitedAt: string;
  scores: Score[];
}

/** Every inspection of a school (`GET /schools/{orgId}/inspections`), following its bookmark to the end. */
export async function inspections(orgId: string): Promise<InspectionSummary[]> {
  const out: InspectionSummary[] = [];
  let bookmark = '';
  do {
    const params = new URLSearchParams({ pageSize: '100' });
    if (bookmark) params.set('bookmark', bookmark);
    const body = await getJson(`/schools/${encodeURIComponent(orgId)}/inspections?${params.toString()}`);
    for (const i of list(body['inspections'])) {
      const visit = isRecord(i['visit']) ? i['visit'] : {};
      out.push({
        inspectionId: text(i['inspectionId']),
        schoolId: text(i['schoolId']),
        state: text(i['state']),
        visitedAt: text(visit['visitedAt']),
        scores: parseScores(visit['scores']),
      });
    }
    bookmark = text(body['bookmark']);
  } while (bookmark);
  return out;
}

/** Open corrective actions past their deadline, of every school the caller's bureau oversees. */
export async function overdueActions(): Promise<Record<string, unknown>[]> {
  return list((await getJson('/inspections/overdue'))['overdue']);
}
