/**
 * The record charts, as panels of the audit and records console for signed-in staff: PD credits of a
 * teacher (teachers, school admins, providers, the bureau), self versus external evaluation of a
 * school (the school and its bureau), and inspection scores with overdue actions per school (the
 * bureau's inspectors). The gateway decides who may read what; a refusal is shown in the panel.
 */
import type { Organization } from './api.js';
import { h, replace, uid, type Children } from './dom.js';
import { formatDate, lang } from './i18n.js';
import { localised, rt, type RecordsKey } from './i18n-records.js';
import { COLOURS, barChart, dataTable, round1 } from './charts-records.js';
import {
  evaluations,
  inspections,
  overdueActions,
  pdProgress,
  type EvaluationPair,
  type InspectionSummary,
  type PdProgress,
  type Score,
} from './records-api.js';
import { errorText } from './result-view.js';

interface Panel {
  el: HTMLElement;
  render: (orgs: Organization[]) => void;
}

/**
 * A panel: its heading, a form that loads data, and what the data draws. The drawing is redone on
 * every render (language switch), after the previous chart is destroyed.
 */
function panel<T>(opts: {
  testId: string;
  title: RecordsKey;
  hint: RecordsKey;
  controls: (orgs: Organization[]) => Children;
  load: () => Promise<T>;
  draw: (data: T) => { el: Children; destroy?: () => void };
}): Panel {
  const el = h('section', { class: 'rec-panel', 'data-testid': opts.testId });
  const form = h('form', { class: 'rec-form' });
  let data: T | undefined;
  let error: unknown;
  let loading = false;
  let destroy: (() => void) | undefined;
  let lastOrgs: Organization[] = [];

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    loading = true;
    error = undefined;
    render(lastOrgs);
    opts
      .load()
      .then((d) => (data = d))
      .catch((e: unknown) => {
        data = undefined;
        error = e;
      })
      .finally(() => {
        loading = false;
        render(lastOrgs);
      });
  });

  const render = (orgs: Organization[]): void => {
    lastOrgs = orgs;
    destroy?.();
    destroy = undefined;
    replace(
      form,
      opts.controls(orgs),
      h(
        'div',
        { class: 'rec-actions' },
        h('button', { type: 'submit', disabled: loading, 'data-testid': `${opts.testId}-load` }, rt('show')),
      ),
    );
    const drawn = data === undefined ? undefined : opts.draw(data);
    destroy = drawn?.destroy;
    replace(
      el,
      h('h3', {}, rt(opts.title)),
      h('p', { class: 'hint' }, rt(opts.hint)),
      form,
      h(
        'div',
        { 'aria-live': 'polite' },
        loading ? h('p', { class: 'busy' }, rt('loading')) : null,
        error ? h('p', { class: 'error', role: 'alert' }, errorText(error)) : null,
      ),
      drawn?.el,
    );
  };
  return { el, render };
}

function labelled(label: string, control: HTMLElement): HTMLElement {
  return h('div', { class: 'rec-field' }, h('label', { for: control.id }, label), control);
}

function schoolSelect(select: HTMLSelectElement, orgs: Organization[]): HTMLSelectElement {
  const selected = select.value;
  replace(
    select,
    orgs.map((o) =>
      h(
        'option',
        { value: o.orgId, selected: o.orgId === selected },
        lang() === 'zh' ? o.name.zh : o.name.en,
      ),
    ),
  );
  return select;
}

function pdPanel(): Panel {
  const teacher = h('input', {
    id: uid('teacher'),
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    pattern: 'subj-[0-9a-f]{32}',
    required: true,
    'data-testid': 'pd-teacher',
  });
  const draw = (p: PdProgress): { el: Children; destroy: () => void } => {
    const names = p.byKind.map((k) => localised(k.label, k.kind));
    const pct = Math.round(p.progress * 1000) / 10;
    const rows = [
      ...p.byKind.map((k, i) => [names[i] ?? k.kind, k.earned, k.counted, k.cap]),
      [rt('required'), p.total, p.total, p.required],
    ];
    const table = dataTable(
      `${rt('pdTitle')} (${p.creditUnit})`,
      [rt('activityKind'), rt('earned'), rt('counted'), `${rt('cap')} / ${rt('required')}`],
      rows,
      'pd-chart',
    );
    const chart = barChart(
      {
        title: rt('pdTitle'),
        categories: [...names, rt('required')],
        series: [
          {
            label: rt('counted'),
            values: [...p.byKind.map((k) => k.counted), p.total],
            colour: COLOURS.first,
          },
          {
            label: `${rt('cap')} / ${rt('required')}`,
            values: [...p.byKind.map((k) => k.cap), p.required],
            colour: COLOURS.limit,
          },
        ],
        horizontal: true,
      },
      table,
      'pd-chart',
    );
    const summary = rt('pdProgress', {
      total: p.total,
      required: p.required,
      unit: p.creditUnit,
      pct,
      from: formatDate(p.cycle.from),
      until: formatDate(p.cycle.until),
      pending: p.pending,
    });
    return {
      el: [
        h(
          'div',
          { class: 'rec-progress' },
          h('progress', {
            max: p.required,
            value: p.total,
            'aria-label': rt('pdTitle'),
            'data-testid': 'pd-progress',
            'data-progress': String(p.progress),
          }),
          h('p', { 'data-testid': 'pd-summary' }, summary),
        ),
        chart.el,
      ],
      destroy: chart.destroy,
    };
  };
  return panel({
    testId: 'pd-panel',
    title: 'pdTitle',
    hint: 'pdHint',
    controls: () => labelled(rt('teacherId'), teacher),
    load: () => pdProgress(teacher.value.trim()),
    draw,
  });
}

const percent = (s: Score | undefined): number | null => (s ? round1((s.score / s.maxScore) * 100) : null);
const shown = (v: number | null): string => (v === null ? '—' : `${v}%`);

function evaluationPanel(): Panel {
  const school = h('select', { id: uid('eval-school'), 'data-testid': 'eval-school' });
  const draw = (pairs: EvaluationPair[]): { el: Children; destroy?: () => void } => {
    // The latest period: the one a school and its inspector discuss now.
    const latest = pairs[pairs.length - 1];
    if (!latest) return { el: h('p', { 'data-testid': 'eval-empty' }, rt('noEvaluations')) };
    const indicators = [
      ...new Set([...(latest.self ?? []), ...(latest.external ?? [])].map((s) => s.indicator)),
    ];
    const find = (list: Score[] | null, id: string): Score | undefined =>
      list?.find((s) => s.indicator === id);
    const names = indicators.map((id) => {
      const s = find(latest.self, id) ?? find(latest.external, id);
      return localised(s?.label, id);
    });
    const self = indicators.map((id) => percent(find(latest.self, id)));
    const external = indicators.map((id) => percent(find(latest.external, id)));
    const title = `${rt('evalTitle')} · ${latest.period}`;
    const table = dataTable(
      title,
      [rt('indicator'), rt('selfScore'), rt('externalScore')],
      names.map((n, i) => [n, shown(self[i] ?? null), shown(external[i] ?? null)]),
      'eval-chart',
    );
    const chart = barChart(
      {
        title,
        categories: names,
        series: [
          { label: rt('selfScore'), values: self.map((v) => v ?? 0), colour: COLOURS.first },
          { label: rt('externalScore'), values: external.map((v) => v ?? 0), colour: COLOURS.second },
        ],
        max: 100,
      },
      table,
      'eval-chart',
    );
    return { el: chart.el, destroy: chart.destroy };
  };
  return panel({
    testId: 'eval-panel',
    title: 'evalTitle',
    hint: 'evalHint',
    // Evaluations are of schools (school development evaluation).
    controls: (orgs) =>
      labelled(
        rt('school'),
        schoolSelect(
          school,
          orgs.filter((o) => o.kind === 'school'),
        ),
      ),
    load: () => evaluations(school.value),
    draw,
  });
}

interface SchoolRow {
  org: Organization;
  count: number;
  latest: number | null;
  overdue: number;
}

/** Average percent of the maximum over the indicators of the latest visited inspection. */
function latestScore(list: InspectionSummary[]): number | null {
  const visited = list.filter((i) => i.visitedAt && i.scores.length > 0);
  visited.sort((a, b) => Date.parse(a.visitedAt) - Date.parse(b.visitedAt));
  const last = visited[visited.length - 1];
  if (!last) return null;
  return round1((last.scores.reduce((sum, s) => sum + s.score / s.maxScore, 0) / last.scores.length) * 100);
}

function inspectionPanel(): Panel {
  let schools: Organization[] = [];
  const load = async (): Promise<SchoolRow[]> => {
    const overdue = await overdueActions();
    return Promise.all(
      schools.map(async (org) => {
        const list = await inspections(org.orgId);
        return {
          org,
          count: list.length,
          latest: latestScore(list),
          overdue: overdue.filter((a) => a['schoolId'] === org.orgId).length,
        };
      }),
    );
  };
  const draw = (rows: SchoolRow[]): { el: Children; destroy: () => void } => {
    const names = rows.map((r) => (lang() === 'zh' ? r.org.name.zh : r.org.name.en));
    const table = dataTable(
      rt('inspTitle'),
      [rt('school'), rt('inspections'), rt('latestScore'), rt('overdueCount')],
      rows.map((r, i) => [
        names[i] ?? r.org.orgId,
        r.count,
        r.latest === null ? rt('notVisited') : r.latest,
        r.overdue,
      ]),
      'insp-chart',
    );
    const chart = barChart(
      {
        title: rt('inspTitle'),
        categories: names,
        series: [
          { label: rt('latestScore'), values: rows.map((r) => r.latest ?? 0), colour: COLOURS.first },
          {
            label: rt('overdueCount'),
            values: rows.map((r) => r.overdue),
            colour: COLOURS.second,
            axis: 'y1',
          },
        ],
        max: 100,
        secondAxis: rt('overdueCount'),
      },
      table,
      'insp-chart',
    );
    return { el: chart.el, destroy: chart.destroy };
  };
  const p = panel({
    testId: 'insp-panel',
    title: 'inspTitle',
    hint: 'inspHint',
    controls: () => null,
    load,
    draw,
  });
  return {
    el: p.el,
    render: (orgs) => {
      // Inspections are of schools: universities and providers are audited, not inspected.
      schools = orgs.filter((o) => o.kind === 'school');
      p.render(orgs);
    },
  };
}

/** The three chart panels; `render` redraws them in the page's language. */
export function recordsCharts(): { el: HTMLElement; render: (orgs: Organization[]) => void } {
  const panels = [inspectionPanel(), evaluationPanel(), pdPanel()];
  const el = h('section', { class: 'rec-charts', 'aria-labelledby': 'rec-charts-title' });
  let drawnFor = '';
  return {
    el,
    render: (orgs) => {
      // Redrawn only when the language or the school list changed, not on every console refresh.
      const key = `${lang()}|${orgs.map((o) => o.orgId).join(',')}`;
      if (key === drawnFor) return;
      drawnFor = key;
      for (const p of panels) p.render(orgs);
      replace(
        el,
        h('h2', { id: 'rec-charts-title' }, rt('chartsTitle')),
        panels.map((p) => p.el),
      );
    },
  };
}
