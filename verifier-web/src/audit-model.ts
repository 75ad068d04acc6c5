/**
 * What the audit console says about a ledger record, without any DOM: a summary a person reads
 * (what, who, when, status), the changes between two versions, the filters and the CSV export.
 */
import { display } from './credential-view.js';
import { isRecord } from './dom.js';
import { localised } from './i18n-records.js';
import type { AuditRecord } from './records-api.js';

export interface Summary {
  what: string;
  who: string;
  /** ISO time the record was made (or first written). */
  when: string;
  /** A status code (see the status_* strings): registered, active, suspended, planned, … */
  status: string;
}

export interface Change {
  field: string;
  before: string | undefined;
  after: string | undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const name = (v: unknown): string =>
  isRecord(v) ? localised({ zh: str(v['zh']), en: str(v['en']) }, '') : str(v);

/** In force now, given an optional window and suspensions (from/until), as the ledger records them. */
function windowStatus(r: Record<string, unknown>, now: number): string {
  if (str(r['revokedAt'])) return 'revoked';
  const until = Date.parse(str(r['validUntil']));
  if (!Number.isNaN(until) && until <= now) return 'expired';
  const suspended = (Array.isArray(r['suspensions']) ? r['suspensions'] : []).some((s) => {
    const from = Date.parse(str(obj(s)['from']));
    const end = Date.parse(str(obj(s)['until']));
    return from <= now && (Number.isNaN(end) || end > now);
  });
  return suspended ? 'suspended' : 'active';
}

/** Credential types a person cares about: the base type says nothing. */
const types = (v: unknown): string =>
  (Array.isArray(v) ? v.map(String) : []).filter((t) => t !== 'VerifiableCredential').join(', ');

export function summarise(r: AuditRecord, now = Date.now()): Summary {
  const rec = r.record;
  const firstWritten = r.history[0]?.timestamp ?? '';
  switch (r.kind) {
    case 'organization':
      return {
        what: `${name(rec['name'])} (${str(rec['orgId'])})`,
        who: str(rec['registeredBy']),
        when: str(rec['registeredAt']) || firstWritten,
        status: 'registered',
      };
    case 'accreditation':
      return {
        what: types(rec['credentialTypes']) || str(rec['accreditationId']),
        who: str(rec['bureauId']),
        when: str(rec['createdAt']) || firstWritten,
        status: windowStatus(rec, now),
      };
    case 'key':
      return {
        what: str(rec['id']),
        who: str(rec['orgId']),
        when: str(rec['validFrom']) || firstWritten,
        status: windowStatus(rec, now),
      };
    case 'credential': {
      const anchor = obj(rec['anchor']);
      return {
        what: `${types(anchor['credentialTypes'])} ${str(anchor['credentialId'])}`.trim(),
        who: str(anchor['issuerOrgId']),
        when: str(anchor['anchoredAt']) || firstWritten,
        status: str(obj(rec['status'])['status']) || 'active',
      };
    }
    case 'inspection':
      return {
        what: name(rec['title']) || str(rec['inspectionId']),
        who: str(rec['bureauId']),
        when: str(obj(rec['visit'])['visitedAt']) || str(rec['plannedFor']) || firstWritten,
        status: str(rec['state']),
      };
    case 'evaluation':
      return {
        what: str(rec['period']),
        who: str(rec['submittedBy']),
        when: str(rec['submittedAt']) || firstWritten,
        status: str(rec['source']),
      };
    default:
      return { what: r.key, who: '', when: firstWritten, status: '' };
  }
}

/**
 * A record as `path → readable value`: nested objects by dotted path, arrays of plain values as one
 * list (a changed list reads better whole), arrays of objects by index.
 */
export function flatten(
  value: unknown,
  prefix = '',
  out: Map<string, string> = new Map(),
): Map<string, string> {
  const isPlainList = Array.isArray(value) && value.every((v) => !isRecord(v) && !Array.isArray(v));
  if (isRecord(value) || (Array.isArray(value) && !isPlainList)) {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    if (entries.length === 0 && prefix) out.set(prefix, '');
  } else {
    out.set(prefix || 'value', display(value));
  }
  return out;
}

/** The fields that differ between two versions, old → new, in the newer version's field order. */
export function diff(before: unknown, after: unknown): Change[] {
  const a = flatten(before);
  const b = flatten(after);
  const fields = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  // An empty list or object that gained entries shows as its new entries, not as a change of its own.
  const grewInto = (f: string, other: Map<string, string>): boolean =>
    [...other.keys()].some((k) => k.startsWith(`${f}.`));
  return fields
    .filter((f) => a.get(f) !== b.get(f) && !grewInto(f, a) && !grewInto(f, b))
    .map((field) => ({ field, before: a.get(field), after: b.get(field) }));
}

export interface Filters {
  status: string;
  /** yyyy-mm-dd, inclusive; '' for no bound. */
  from: string;
  until: string;
}

/**
 * Whether a record passes the filters: its status as summarised, and a version written within the
 * date range (an audit asks "what changed in this period", so any version counts).
 */
export function matches(r: AuditRecord, f: Filters, now = Date.now()): boolean {
  if (f.status && summarise(r, now).status !== f.status) return false;
  if (!f.from && !f.until) return true;
  const lo = f.from ? Date.parse(`${f.from}T00:00:00`) : -Infinity;
  const hi = f.until ? Date.parse(`${f.until}T23:59:59.999`) : Infinity;
  const times = r.history.length ? r.history.map((e) => e.timestamp) : [summarise(r, now).when];
  return times.some((t) => {
    const ms = Date.parse(t);
    return ms >= lo && ms <= hi;
  });
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const changeText = (changes: Change[]): string =>
  changes.map((c) => `${c.field}: ${c.before ?? ''} -> ${c.after ?? ''}`).join('; ');

/**
 * One row per version of every record given, oldest first, with the record's summary and what that
 * version changed, so the export is a full audit trail a spreadsheet can filter.
 */
export function toCsv(records: readonly AuditRecord[], now = Date.now()): string {
  const rows = [
    ['kind', 'key', 'what', 'who', 'when', 'status', 'version', 'timestamp', 'txId', 'changes', 'record'],
  ];
  for (const r of records) {
    const s = summarise(r, now);
    const history = r.history.length ? r.history : [{ txId: '', timestamp: s.when, record: r.record }];
    history.forEach((e, i) =>
      rows.push([
        r.kind,
        r.key,
        s.what,
        s.who,
        s.when,
        s.status,
        `${i + 1}/${history.length}`,
        e.timestamp,
        e.txId,
        i === 0 ? 'created' : changeText(diff(history[i - 1]?.record, e.record)),
        JSON.stringify(e.record),
      ]),
    );
  }
  // The byte-order mark makes spreadsheet programs read the Chinese text as UTF-8.
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
