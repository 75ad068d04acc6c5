import { dimensionSets, type DimensionSet } from './api.js';
import { h, isRecord, replace } from './dom.js';
import { lang, t } from './i18n.js';

/**
 * Growth reports (GrowthTermReport, GrowthArchiveReport, and the CLR 2.0 ClrCredential of a whole
 * archive) as an admissions officer reads them: the student, a table by dimension and term with
 * the entries' text, a chart of entries per dimension and term, and, for a selectively disclosed
 * report, which dimensions of the region's set the holder chose not to show.
 */

interface GrowthEntry {
  term: string;
  text: string;
}

interface GrowthDimension {
  dimension: string;
  label: { zh: string; en: string };
  entries: GrowthEntry[];
}

export interface GrowthReport {
  studentName?: string;
  /** The dimension set named by the credential (a CLR names it in the archive achievement's id). */
  setId?: string;
  /** ecdsa-sd-2023: the holder may have left dimensions out, so a missing one is withheld. */
  selective: boolean;
  dimensions: GrowthDimension[];
}

const GROWTH_TYPES = ['GrowthTermReport', 'GrowthArchiveReport'];

function typesOf(content: Record<string, unknown>): string[] {
  const type = content['type'];
  return (Array.isArray(type) ? type : [type]).filter((x): x is string => typeof x === 'string');
}

function firstSubject(content: Record<string, unknown>): Record<string, unknown> | undefined {
  const subject = content['credentialSubject'];
  const first: unknown = Array.isArray(subject) ? subject[0] : subject;
  return isRecord(first) ? first : undefined;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    const localised = value[lang()] ?? value['zh'] ?? value['en'];
    if (typeof localised === 'string') return localised;
  }
  return value === undefined || value === null ? '' : String(value);
}

/** `dimensionResults` as the gateway writes them: {dimension, label, labelEn, entries[{term, text}]}. */
function dimensionsOf(subject: Record<string, unknown>): GrowthDimension[] {
  const results = subject['dimensionResults'];
  if (!Array.isArray(results)) return [];
  const term = typeof subject['term'] === 'string' ? subject['term'] : '';
  return results.filter(isRecord).map((r) => {
    const dimension = String(r['dimension'] ?? '');
    const zh = text(r['label']) || dimension;
    return {
      dimension,
      label: { zh, en: text(r['labelEn']) || zh },
      entries: (Array.isArray(r['entries']) ? r['entries'] : []).filter(isRecord).map((e) => ({
        term: typeof e['term'] === 'string' ? e['term'] : term,
        text: text(e['text']),
      })),
    };
  });
}

/** Merges the same dimension from several term credentials (a CLR has one per term). */
function merge(parts: GrowthDimension[]): GrowthDimension[] {
  const byId = new Map<string, GrowthDimension>();
  for (const part of parts) {
    const known = byId.get(part.dimension);
    if (known) known.entries.push(...part.entries);
    else byId.set(part.dimension, { ...part, entries: [...part.entries] });
  }
  return [...byId.values()];
}

function isSelective(content: Record<string, unknown>): boolean {
  const proofs = Array.isArray(content['proof']) ? content['proof'] : [content['proof']];
  return proofs.some((p) => isRecord(p) && p['cryptosuite'] === 'ecdsa-sd-2023');
}

/** The dimension set a CLR names: its archive achievement id ends in `/achievements/growth/<setId>`. */
function setIdOf(subject: Record<string, unknown>): string | undefined {
  const achievements = Array.isArray(subject['achievement']) ? subject['achievement'] : [];
  for (const a of achievements) {
    const match =
      isRecord(a) && typeof a['id'] === 'string' && /\/achievements\/growth\/([a-z0-9-]+)$/.exec(a['id']);
    if (match) return match[1];
  }
  return undefined;
}

/** The growth report in a credential, or undefined when it is not one. */
export function growthReportOf(content: Record<string, unknown>): GrowthReport | undefined {
  const types = typesOf(content);
  const subject = firstSubject(content);
  if (!subject) return undefined;
  const name = subject['name'] === undefined ? undefined : text(subject['name']);
  const base = { ...(name ? { studentName: name } : {}), selective: isSelective(content) };
  if (types.some((type) => GROWTH_TYPES.includes(type)))
    return { ...base, dimensions: dimensionsOf(subject) };
  if (!types.includes('ClrCredential')) return undefined;
  const inner = Array.isArray(subject['verifiableCredential']) ? subject['verifiableCredential'] : [];
  const parts = inner.filter(isRecord).flatMap((vc) => {
    const s = firstSubject(vc);
    return s ? dimensionsOf(s) : [];
  });
  if (parts.length === 0) return undefined;
  const setId = setIdOf(subject);
  return { ...base, ...(setId ? { setId } : {}), dimensions: merge(parts) };
}

/** The set named by the credential, else the first whose dimensions include every reported one. */
function matchingSet(report: GrowthReport, sets: readonly DimensionSet[]): DimensionSet | undefined {
  const named = sets.find((s) => s.setId === report.setId);
  if (named) return named;
  return sets.find((s) =>
    report.dimensions.every((d) => s.dimensions.some((x) => x.dimensionId === d.dimension)),
  );
}

interface Row {
  dimension: string;
  label: { zh: string; en: string };
  /** Entries by term; undefined when the dimension was withheld. */
  byTerm?: Map<string, string[]>;
}

/** One row per dimension of the set (in its order), then any the report has that the set lacks. */
function rowsOf(report: GrowthReport, set: DimensionSet | undefined, terms: readonly string[]): Row[] {
  const reported = new Map(report.dimensions.map((d) => [d.dimension, d]));
  const order = [
    ...(set?.dimensions.map((d) => ({ dimension: d.dimensionId, label: d.label })) ?? []),
    ...report.dimensions.filter((d) => !set?.dimensions.some((x) => x.dimensionId === d.dimension)),
  ];
  return order.map(({ dimension, label }) => {
    const found = reported.get(dimension);
    // Only a selectively disclosed report can leave out a dimension that has entries.
    if (!found && report.selective) return { dimension, label };
    const byTerm = new Map(terms.map((term) => [term, [] as string[]]));
    for (const entry of found?.entries ?? []) byTerm.get(entry.term)?.push(entry.text);
    return { dimension, label: found?.label ?? label, byTerm };
  });
}

function labelText(label: { zh: string; en: string }): string {
  return lang() === 'zh' ? label.zh : label.en;
}

function cell(texts: readonly string[]): HTMLElement {
  if (texts.length === 0) return h('td', { class: 'none' }, '—');
  return h(
    'td',
    {},
    h(
      'ul',
      { class: 'entries' },
      texts.map((x) => h('li', {}, x)),
    ),
  );
}

function table(rows: readonly Row[], terms: readonly string[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('growthTableTitle') },
    h(
      'table',
      { class: 'growth-table', 'data-testid': 'growth-table' },
      h('caption', {}, t('growthTableTitle')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('field_dimension')),
          terms.map((term) => h('th', { scope: 'col' }, term)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            { 'data-dimension': row.dimension, 'data-withheld': row.byTerm ? undefined : 'true' },
            h('th', { scope: 'row' }, labelText(row.label)),
            row.byTerm
              ? terms.map((term) => cell(row.byTerm?.get(term) ?? []))
              : h('td', { class: 'withheld', colspan: Math.max(1, terms.length) }, t('withheld')),
          ),
        ),
      ),
    ),
  );
}

/** Entries per dimension (bars) and term (one colour each), drawn by chart.js once it has loaded. */
function chart(rows: readonly Row[], terms: readonly string[]): HTMLElement {
  const shown = rows.filter((r) => r.byTerm);
  const canvas = h('canvas', {
    role: 'img',
    'aria-label': t('growthChartAlt', {
      summary: shown
        .map((r) => `${labelText(r.label)} ${[...(r.byTerm?.values() ?? [])].flat().length}`)
        .join(lang() === 'zh' ? '，' : ', '),
    }),
  });
  const figure = h(
    'figure',
    { class: 'growth-chart', 'data-testid': 'growth-chart' },
    h('div', { class: 'chart-box' }, canvas),
    h('figcaption', {}, t('growthChartTitle')),
  );
  const palette = ['#0b5cad', '#146c2e', '#7a4b00', '#a4161a', '#5b3a99', '#00707a'];
  void import('chart.js').then(
    ({ Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip }) => {
      Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: shown.map((r) => labelText(r.label)),
          datasets: terms.map((term, i) => ({
            label: term,
            data: shown.map((r) => r.byTerm?.get(term)?.length ?? 0),
            backgroundColor: palette[i % palette.length] ?? '#0b5cad',
          })),
        },
        options: {
          // No animation: the chart is read, printed and photographed as it is drawn.
          animation: false,
          maintainAspectRatio: false,
          scales: {
            y: {
              beginAtZero: true,
              ticks: { precision: 0 },
              title: { display: true, text: t('growthChartAxis') },
            },
          },
        },
      });
      figure.dataset['ready'] = 'true';
      figure.dataset['bars'] = String(shown.length * terms.length);
    },
  );
  return figure;
}

function body(report: GrowthReport, sets: readonly DimensionSet[]): (HTMLElement | null)[] {
  const set = matchingSet(report, sets);
  const terms = [...new Set(report.dimensions.flatMap((d) => d.entries.map((e) => e.term)))].sort();
  const rows = rowsOf(report, set, terms.length > 0 ? terms : ['—']);
  const withheld = rows.filter((r) => !r.byTerm).length;
  return [
    set ? h('p', { class: 'small' }, t('growthSet', { set: labelText(set.region) })) : null,
    withheld > 0
      ? h('p', { class: 'note warn', 'data-testid': 'withheld-note' }, t('withheldNote', { n: withheld }))
      : null,
    table(rows, terms),
    terms.length > 0 ? chart(rows, terms) : null,
  ];
}

/** The growth report panel; the region's dimension set is read once and fills it in. */
export function growthPanel(report: GrowthReport): HTMLElement {
  const content = h('div', {}, h('p', { class: 'busy' }, t('loading')));
  const panel = h(
    'section',
    { class: 'growth', 'data-testid': 'growth' },
    h('h4', {}, t('dimensions')),
    report.studentName
      ? h(
          'p',
          { class: 'student', 'data-testid': 'student-name' },
          h('strong', {}, `${t('studentName')}: `),
          report.studentName,
        )
      : null,
    content,
  );
  void dimensionSets().then((sets) => {
    replace(content, body(report, sets));
    panel.dataset['loaded'] = 'true';
  });
  return panel;
}
