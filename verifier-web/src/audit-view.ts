import { call, expectStatus, organizations, token, type Organization } from './api.js';
import { display } from './credential-view.js';
import { download, h, isRecord, replace, uid } from './dom.js';
import { formatTime, lang, t, tMaybe } from './i18n.js';
import { errorText } from './result-view.js';

const KINDS = ['organization', 'accreditation', 'key', 'credential', 'inspection', 'evaluation'] as const;
/** Organisation kinds an inspector audits; bureaus and employers issue nothing to audit here. */
const AUDITED_KINDS = new Set(['school', 'university', 'provider']);

interface HistoryEntry {
  txId: string;
  timestamp: string;
  record: unknown;
}

interface AuditRecord {
  kind: string;
  key: string;
  record: Record<string, unknown>;
  history: HistoryEntry[];
}

interface Chain {
  ok: boolean;
  height: number;
  lastHash: string;
  problems: string[];
}

interface AuditPage {
  organization: Record<string, unknown>;
  chain: Chain;
  records: AuditRecord[];
  overdueActions: Record<string, unknown>[];
  bookmark: string;
}

function parseHistory(value: unknown): HistoryEntry[] {
  return (Array.isArray(value) ? value : []).filter(isRecord).map((e) => ({
    txId: String(e['txId'] ?? ''),
    timestamp: String(e['timestamp'] ?? ''),
    record: e['record'],
  }));
}

/** Reads the audit answer defensively: the console shows what it can, never crashes on a shape. */
function parsePage(body: unknown): AuditPage {
  if (!isRecord(body)) throw new Error('unexpected answer');
  const chain = isRecord(body['chain']) ? body['chain'] : {};
  return {
    organization: isRecord(body['organization']) ? body['organization'] : {},
    chain: {
      ok: chain['ok'] === true,
      height: Number(chain['height'] ?? 0),
      lastHash: String(chain['lastHash'] ?? ''),
      problems: Array.isArray(chain['problems']) ? chain['problems'].map(String) : [],
    },
    records: (Array.isArray(body['records']) ? body['records'] : []).filter(isRecord).map((r) => ({
      kind: String(r['kind'] ?? ''),
      key: String(r['key'] ?? ''),
      record: isRecord(r['record']) ? r['record'] : { value: r['record'] },
      history: parseHistory(r['history']),
    })),
    overdueActions: (Array.isArray(body['overdueActions']) ? body['overdueActions'] : []).filter(isRecord),
    bookmark: typeof body['bookmark'] === 'string' ? body['bookmark'] : '',
  };
}

/** Which top-level fields changed from one version to the next, as "field: value". */
function changes(previous: unknown, next: unknown): string {
  if (!isRecord(next)) return display(next);
  const before = isRecord(previous) ? previous : {};
  const changed = Object.keys(next).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
  return changed.map((k) => `${k}: ${display(next[k])}`).join('; ');
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One row per version of every record, oldest first, so the export is a full audit trail. */
export function toCsv(records: readonly AuditRecord[]): string {
  const rows = [['kind', 'key', 'version', 'timestamp', 'txId', 'record']];
  for (const r of records) {
    const history = r.history.length
      ? r.history
      : [{ txId: '', timestamp: '', record: r.record } satisfies HistoryEntry];
    history.forEach((e, i) =>
      rows.push([r.kind, r.key, `${i + 1}/${history.length}`, e.timestamp, e.txId, JSON.stringify(e.record)]),
    );
  }
  // The byte-order mark makes spreadsheet programs read the Chinese text as UTF-8.
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function auditView(): { el: HTMLElement; render: () => void } {
  const el = h('section', { class: 'view', id: 'view-audit', 'aria-labelledby': 'audit-title' });
  const schoolId = uid('school');
  const kindId = uid('kind');
  const school = h('select', { id: schoolId, 'data-testid': 'school' });
  const kind = h('select', { id: kindId });
  let orgs: Organization[] = [];
  let page: AuditPage | undefined;
  let loading = false;
  let error: unknown;

  /** One page of the listing the form describes, continuing from `bookmark` when given. */
  const loadPage = async (bookmark: string): Promise<AuditPage> => {
    const params = new URLSearchParams({ pageSize: '100' });
    if (kind.value) params.set('kind', kind.value);
    if (bookmark) params.set('bookmark', bookmark);
    const body = expectStatus(
      await call('GET', `/audit/schools/${encodeURIComponent(school.value)}?${params.toString()}`, {
        auth: true,
      }),
      [200],
    );
    return parsePage(body);
  };

  const fetchPage = async (more: boolean): Promise<void> => {
    loading = true;
    error = undefined;
    render();
    try {
      const next = await loadPage(more && page ? page.bookmark : '');
      if (next.overdueActions.length === 0) next.overdueActions = await overdueFallback(school.value);
      page = more && page ? { ...next, records: [...page.records, ...next.records] } : next;
    } catch (e) {
      error = e;
    }
    loading = false;
    render();
  };

  /** The CSV holds everything: the pages not yet shown are read first, to the listing's end. */
  const exportCsv = async (): Promise<void> => {
    loading = true;
    render();
    try {
      while (page?.bookmark) {
        const next = await loadPage(page.bookmark);
        page = { ...page, records: [...page.records, ...next.records], bookmark: next.bookmark };
      }
      download(
        `audit-${school.value}-${new Date().toISOString().slice(0, 10)}.csv`,
        toCsv(page?.records ?? []),
        'text/csv',
      );
    } catch (e) {
      error = e;
    }
    loading = false;
    render();
  };

  const form = h('form', { class: 'audit-form' });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void fetchPage(false);
  });

  const loadOrgs = async (): Promise<void> => {
    orgs = (await organizations()).filter((o) => AUDITED_KINDS.has(o.kind));
    render();
  };

  const chainBlock = (chain: Chain): HTMLElement =>
    h(
      'section',
      {
        class: `chain ${chain.ok ? 'chain-ok' : 'chain-bad'}`,
        'data-testid': 'chain',
        'data-ok': String(chain.ok),
      },
      h('h3', {}, t('chainTitle')),
      h(
        'p',
        { class: 'chain-line' },
        h('span', { 'aria-hidden': 'true', class: 'chain-icon' }, chain.ok ? '✓' : '✗'),
        chain.ok ? t('chainOk', { height: chain.height }) : t('chainBad', { n: chain.problems.length }),
      ),
      h('p', { class: 'mono small' }, `${t('lastHash')}: ${chain.lastHash}`),
      chain.problems.length
        ? h(
            'ul',
            {},
            chain.problems.map((p) => h('li', {}, p)),
          )
        : null,
    );

  const overdueBlock = (actions: Record<string, unknown>[]): HTMLElement =>
    h(
      'section',
      { class: 'overdue' },
      h('h3', {}, t('overdueTitle')),
      actions.length === 0
        ? h('p', {}, t('noOverdue'))
        : h(
            'div',
            { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('overdueTitle') },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  [t('inspection'), t('action'), t('field_description'), t('deadline')].map((c) =>
                    h('th', { scope: 'col' }, c),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                actions.map((a) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, display(a['inspectionId'])),
                    h('td', {}, display(a['actionId'])),
                    h('td', {}, display(a['description'])),
                    h('td', {}, formatTime(a['deadline'])),
                  ),
                ),
              ),
            ),
          ),
    );

  const recordBlock = (r: AuditRecord): HTMLElement =>
    h(
      'details',
      { class: 'record', 'data-kind': r.kind },
      h(
        'summary',
        {},
        h('span', { class: 'mono' }, r.key),
        ' ',
        h('span', { class: 'small' }, t('historyCount', { n: r.history.length })),
      ),
      h(
        'dl',
        { class: 'fields' },
        Object.entries(r.record).map(([k, v]) => [h('dt', {}, k), h('dd', {}, display(v))]),
      ),
      r.history.length
        ? h(
            'div',
            { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${t('history')} ${r.key}` },
            h(
              'table',
              {},
              h('caption', {}, t('history')),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  [t('time'), t('transaction'), t('changedFields')].map((c) => h('th', { scope: 'col' }, c)),
                ),
              ),
              h(
                'tbody',
                {},
                r.history.map((e, i) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, formatTime(e.timestamp)),
                    h('td', { class: 'mono', title: e.txId }, `${e.txId.slice(0, 10)}…`),
                    h('td', {}, changes(i > 0 ? r.history[i - 1]?.record : undefined, e.record)),
                  ),
                ),
              ),
            ),
          )
        : null,
    );

  const recordsBlock = (records: AuditRecord[]): HTMLElement =>
    h(
      'section',
      { class: 'records', 'data-testid': 'records' },
      h('h3', {}, t('recordsTitle')),
      records.length === 0 ? h('p', {}, t('noRecords')) : null,
      KINDS.map((k) => {
        const ofKind = records.filter((r) => r.kind === k);
        if (ofKind.length === 0) return null;
        return h(
          'section',
          { class: 'record-kind', 'data-kind': k },
          h('h4', {}, `${tMaybe(`kind_${k}`) ?? k} (${ofKind.length})`),
          ofKind.map(recordBlock),
        );
      }),
    );

  const orgCard = (org: Record<string, unknown>): HTMLElement =>
    h(
      'section',
      { class: 'org-card' },
      h('h3', {}, display(org['name'])),
      h(
        'dl',
        { class: 'fields' },
        ['orgId', 'kind', 'did', 'schoolCode', 'mspId']
          .filter((k) => org[k] !== undefined)
          .map((k) => [h('dt', {}, tMaybe(`field_${k}`) ?? k), h('dd', { class: 'mono' }, display(org[k]))]),
      ),
    );

  const render = (): void => {
    const signedIn = Boolean(token());
    const selected = school.value;
    replace(
      school,
      orgs.map((o) =>
        h(
          'option',
          { value: o.orgId, selected: o.orgId === selected },
          lang() === 'zh' ? o.name.zh : o.name.en,
        ),
      ),
    );
    const selectedKind = kind.value;
    replace(
      kind,
      h('option', { value: '' }, t('allKinds')),
      KINDS.map((k) => h('option', { value: k, selected: k === selectedKind }, tMaybe(`kind_${k}`) ?? k)),
    );
    replace(
      form,
      h('div', { class: 'field' }, h('label', { for: schoolId }, t('chooseSchool')), school),
      h('div', { class: 'field' }, h('label', { for: kindId }, t('recordKind')), kind),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'submit', disabled: !signedIn || loading, 'data-testid': 'audit-load' },
          t('load'),
        ),
        page
          ? h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'data-testid': 'audit-csv',
                onclick: () => void exportCsv(),
              },
              t('exportCsv'),
            )
          : null,
      ),
    );
    replace(
      el,
      h('h2', { id: 'audit-title' }, t('auditTitle')),
      h('p', { class: 'hint' }, t('auditHint')),
      signedIn ? null : h('p', { class: 'note' }, t('auditNeedsSignIn')),
      form,
      h(
        'div',
        { 'aria-live': 'polite', 'aria-busy': String(loading) },
        loading ? h('p', { class: 'busy' }, t('loading')) : null,
        error ? h('p', { class: 'error', role: 'alert' }, errorText(error)) : null,
        page
          ? [
              orgCard(page.organization),
              chainBlock(page.chain),
              overdueBlock(page.overdueActions),
              recordsBlock(page.records),
              page.bookmark
                ? h(
                    'button',
                    { type: 'button', class: 'secondary', onclick: () => void fetchPage(true) },
                    t('loadMore'),
                  )
                : null,
            ]
          : null,
      ),
    );
  };
  render();
  void loadOrgs();
  return { el, render };
}

/**
 * Overdue corrective actions straight from the inspection workflow, for gateways whose audit
 * answer does not list them yet.
 */
async function overdueFallback(orgId: string): Promise<Record<string, unknown>[]> {
  try {
    const res = await call('GET', `/inspections/overdue?schoolId=${encodeURIComponent(orgId)}`, {
      auth: true,
    });
    if (res.status !== 200 || !isRecord(res.body) || !Array.isArray(res.body['overdue'])) return [];
    return res.body['overdue'].filter(isRecord);
  } catch {
    return [];
  }
}
