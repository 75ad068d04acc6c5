import './records.css';
import { organizations, token, type Organization } from './api.js';
import { display } from './credential-view.js';
import { download, h, replace, uid, type Children } from './dom.js';
import { formatTime, lang } from './i18n.js';
import { rt, rtOr, type RecordsKey } from './i18n-records.js';
import { diff, matches, summarise, toCsv, type Filters } from './audit-model.js';
import { auditPage, type AuditPage, type AuditRecord, type Chain } from './records-api.js';
import { recordsCharts } from './records-charts.js';
import { errorText } from './result-view.js';

const KINDS = ['organization', 'accreditation', 'key', 'credential', 'inspection', 'evaluation'] as const;
/** Organisation kinds an inspector audits; bureaus and employers issue nothing to audit here. */
const AUDITED_KINDS = new Set(['school', 'university', 'provider']);
const PAGE_SIZES = [5, 10, 25, 50, 100] as const;

/** A labelled form control; the label is rewritten on every render (language switch). */
function field(label: string, control: HTMLElement): HTMLElement {
  return h('div', { class: 'rec-field' }, h('label', { for: control.id }, label), control);
}

function options(select: HTMLSelectElement, items: [value: string, label: string][]): void {
  const selected = select.value;
  replace(
    select,
    items.map(([value, label]) => h('option', { value, selected: value === selected }, label)),
  );
}

const statusLabel = (status: string): string => rtOr(`status_${status}`, status || '—');

function chainLine(chain: Chain): HTMLElement {
  return h(
    'p',
    { class: `rec-chain ${chain.ok ? 'ok' : 'bad'}`, 'data-testid': 'chain', 'data-ok': String(chain.ok) },
    h('span', { 'aria-hidden': 'true' }, chain.ok ? '✓ ' : '✗ '),
    chain.ok ? rt('chainOk', { height: chain.height }) : rt('chainBad', { n: chain.problems.length }),
  );
}

function overdueList(actions: Record<string, unknown>[]): HTMLElement {
  return h(
    'section',
    { class: 'rec-overdue', 'data-testid': 'overdue' },
    h('h3', {}, rt('overdueTitle')),
    actions.length === 0
      ? h('p', {}, rt('noOverdue'))
      : h(
          'ul',
          {},
          actions.map((a) =>
            h(
              'li',
              {},
              h('strong', {}, `${display(a['inspectionId'])} / ${display(a['actionId'])}`),
              ` ${display(a['description'])} · ${rt('deadline')}: ${formatTime(a['deadline'])}`,
            ),
          ),
        ),
  );
}

/** A changed value as a person reads it: times in the page's language, nothing as "(none)". */
function valueText(value: string | undefined): string {
  if (value === undefined || value === '') return rt('empty');
  return /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value) ? formatTime(value) : value;
}

/** One version in the timeline: when, which transaction, and each changed field old → new. */
function timelineItem(r: AuditRecord, index: number): HTMLElement {
  const entry = r.history[index];
  if (!entry) return h('li', {});
  const changes = index === 0 ? [] : diff(r.history[index - 1]?.record, entry.record);
  return h(
    'li',
    { class: 'rec-version', 'data-version': index + 1 },
    h(
      'p',
      { class: 'rec-version-head' },
      h('strong', {}, rt('versionN', { n: index + 1 })),
      ' · ',
      h('time', { datetime: entry.timestamp }, formatTime(entry.timestamp)),
    ),
    h('p', { class: 'rec-tx' }, `${rt('transaction')}: `, h('code', {}, entry.txId)),
    index === 0
      ? h('p', { class: 'rec-created' }, rt('created'))
      : changes.length === 0
        ? h('p', {}, rt('noChange'))
        : h(
            'ul',
            { class: 'rec-diff', 'aria-label': `${rt('field')}: ${rt('before')} → ${rt('after')}` },
            changes.map((c) =>
              h(
                'li',
                { 'data-field': c.field },
                h('code', { class: 'rec-diff-field' }, c.field),
                ' ',
                h('del', {}, valueText(c.before)),
                h('span', { 'aria-hidden': 'true' }, ' → '),
                h('ins', {}, valueText(c.after)),
              ),
            ),
          ),
  );
}

function recordCard(r: AuditRecord): HTMLElement {
  const s = summarise(r);
  const row = (key: RecordsKey, value: Children): Children => [h('dt', {}, rt(key)), h('dd', {}, value)];
  return h(
    'article',
    { class: 'rec-card', 'data-kind': r.kind, 'data-status': s.status, 'data-key': r.key },
    h(
      'header',
      { class: 'rec-card-head' },
      h('span', { class: 'rec-kind' }, rtOr(`kind_${r.kind}`, r.kind)),
      h('span', { class: `rec-status rec-status-${s.status}` }, statusLabel(s.status)),
    ),
    h(
      'dl',
      { class: 'rec-summary' },
      row('what', s.what),
      row('who', s.who || '—'),
      row('when', h('time', { datetime: s.when }, formatTime(s.when))),
    ),
    h(
      'details',
      { class: 'rec-timeline' },
      h('summary', {}, `${rt('timeline')} (${r.history.length})`),
      h(
        'ol',
        {},
        r.history.map((_, i) => timelineItem(r, i)),
      ),
      h('p', { class: 'rec-key' }, h('code', {}, r.key)),
    ),
  );
}

export function auditView(): { el: HTMLElement; render: () => void } {
  const el = h('section', { class: 'view rec-console', id: 'view-audit', 'aria-labelledby': 'audit-title' });
  const school = h('select', { id: uid('school'), 'data-testid': 'school' });
  const kind = h('select', { id: uid('kind'), 'data-testid': 'audit-kind' });
  const pageSize = h('select', { id: uid('page-size'), 'data-testid': 'audit-page-size' });
  const status = h('select', { id: uid('status'), 'data-testid': 'audit-status' });
  const from = h('input', { id: uid('from'), type: 'date', 'data-testid': 'audit-from' });
  const until = h('input', { id: uid('until'), type: 'date', 'data-testid': 'audit-until' });
  const charts = recordsCharts();
  let orgs: Organization[] = [];
  let page: AuditPage | undefined;
  let loading = false;
  let error: unknown;

  const filters = (): Filters => ({ status: status.value, from: from.value, until: until.value });
  const shown = (): AuditRecord[] => (page?.records ?? []).filter((r) => matches(r, filters()));

  /** Runs one read with the busy state shown and any refusal reported. */
  const busy = async (work: () => Promise<void>): Promise<void> => {
    loading = true;
    error = undefined;
    render();
    try {
      await work();
    } catch (e) {
      error = e;
    }
    loading = false;
    render();
  };

  const next = (bookmark: string): Promise<AuditPage> =>
    auditPage(school.value, { kind: kind.value, bookmark, pageSize: Number(pageSize.value) });

  const append = async (): Promise<void> => {
    if (!page?.bookmark) return;
    const more = await next(page.bookmark);
    page = { ...more, records: [...page.records, ...more.records] };
  };

  const loadFirst = (): Promise<void> =>
    busy(async () => {
      page = undefined;
      page = await next('');
    });
  const loadNext = (): Promise<void> => busy(append);
  /** Follows the listing's cursor until the gateway says there is no more. */
  const loadAll = (): Promise<void> =>
    busy(async () => {
      while (page?.bookmark) {
        const before = page.bookmark;
        await append();
        if (page.bookmark === before) break; // a cursor that does not move would loop forever
      }
    });

  const exportCsv = (): void =>
    download(
      `audit-${school.value}-${new Date().toISOString().slice(0, 10)}.csv`,
      toCsv(shown()),
      'text/csv',
    );

  const form = h('form', { class: 'rec-form' });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadFirst();
  });
  // Status and dates filter what is loaded already: no new read.
  for (const control of [status, from, until]) control.addEventListener('change', () => render());

  const renderControls = (signedIn: boolean): void => {
    options(
      school,
      orgs.map((o) => [o.orgId, lang() === 'zh' ? o.name.zh : o.name.en]),
    );
    options(kind, [['', rt('all')], ...KINDS.map((k): [string, string] => [k, rt(`kind_${k}`)])]);
    const size = pageSize.value || '25';
    options(
      pageSize,
      PAGE_SIZES.map((n) => [String(n), String(n)]),
    );
    pageSize.value = size;
    const statuses = [...new Set((page?.records ?? []).map((r) => summarise(r).status))].sort();
    options(status, [['', rt('all')], ...statuses.map((s): [string, string] => [s, statusLabel(s)])]);
    replace(
      form,
      field(rt('school'), school),
      field(rt('kind'), kind),
      field(rt('perPage'), pageSize),
      h(
        'div',
        { class: 'rec-actions' },
        h(
          'button',
          { type: 'submit', disabled: !signedIn || loading, 'data-testid': 'audit-load' },
          rt('show'),
        ),
      ),
    );
  };

  const pagingBar = (p: AuditPage): HTMLElement => {
    const list = shown();
    return h(
      'div',
      { class: 'rec-paging' },
      h(
        'p',
        { 'data-testid': 'audit-count' },
        rt('shownCount', { shown: list.length, loaded: p.records.length }),
        ' ',
        p.bookmark ? rt('pagesLeft') : rt('allLoaded'),
      ),
      h(
        'div',
        { class: 'rec-actions' },
        p.bookmark
          ? [
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'data-testid': 'audit-more',
                  onclick: () => void loadNext(),
                },
                rt('loadMore'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'data-testid': 'audit-all',
                  onclick: () => void loadAll(),
                },
                rt('loadAll'),
              ),
            ]
          : null,
        h(
          'button',
          { type: 'button', class: 'secondary', 'data-testid': 'audit-csv', onclick: exportCsv },
          rt('exportCsv'),
        ),
      ),
      h(
        'p',
        { class: 'small', 'data-testid': 'csv-scope' },
        rt('csvScope', { shown: list.length, loaded: p.records.length }),
      ),
    );
  };

  const results = (p: AuditPage): Children => {
    const list = shown();
    return [
      chainLine(p.chain),
      overdueList(p.overdueActions),
      h(
        'fieldset',
        { class: 'rec-filters' },
        h('legend', {}, `${rt('status')} · ${rt('from')} – ${rt('until')}`),
        field(rt('status'), status),
        field(rt('from'), from),
        field(rt('until'), until),
      ),
      pagingBar(p),
      h(
        'section',
        { class: 'rec-list', 'data-testid': 'records', 'aria-label': rt('consoleTitle') },
        list.length === 0 ? h('p', {}, rt('noRecords')) : list.map(recordCard),
      ),
    ];
  };

  const render = (): void => {
    const signedIn = Boolean(token());
    renderControls(signedIn);
    replace(
      el,
      h('h2', { id: 'audit-title' }, rt('consoleTitle')),
      h('p', { class: 'hint' }, rt('consoleHint')),
      signedIn ? null : h('p', { class: 'note' }, rt('needsSignIn')),
      form,
      h(
        'div',
        { 'aria-live': 'polite', 'aria-busy': String(loading) },
        loading ? h('p', { class: 'busy' }, rt('loading')) : null,
        error ? h('p', { class: 'error', role: 'alert' }, errorText(error)) : null,
      ),
      page ? results(page) : null,
      signedIn ? charts.el : null,
    );
    if (signedIn) charts.render(orgs);
  };

  const loadOrgs = async (): Promise<void> => {
    orgs = (await organizations()).filter((o) => AUDITED_KINDS.has(o.kind));
    render();
  };
  render();
  void loadOrgs();
  return { el, render };
}
