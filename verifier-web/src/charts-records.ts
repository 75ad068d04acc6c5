/**
 * Bar charts (chart.js) with the table a screen reader or a printout uses instead: every chart is
 * drawn from the same rows its table shows, so the two cannot disagree.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { h } from './dom.js';
import { rt } from './i18n-records.js';

// Only what bar charts need, so the bundle stays small.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Colour-blind-safe pair (Okabe–Ito blue and orange) and a neutral for limits. */
export const COLOURS = { first: '#0072b2', second: '#e69f00', limit: '#9aa3ad' } as const;

export interface Series {
  label: string;
  values: number[];
  colour: string;
  /** Which value axis: the default one, or the right-hand one for a second unit. */
  axis?: 'y' | 'y1';
}

export interface BarSpec {
  /** Shown to assistive technology as the canvas's name; the table carries the numbers. */
  title: string;
  categories: string[];
  series: Series[];
  /** Upper bound of the main axis (100 for percentages). */
  max?: number;
  /** Title of the right-hand axis, when a series uses it. */
  secondAxis?: string;
  horizontal?: boolean;
}

/**
 * A chart in a fixed-height box (the canvas follows the box's width, so it never makes the page
 * wider than the phone) and the table alternative under it. `destroy` frees the chart.
 */
export function barChart(
  spec: BarSpec,
  table: HTMLTableElement,
  testId: string,
): { el: HTMLElement; destroy: () => void } {
  const canvas = h('canvas', { role: 'img', 'aria-label': spec.title, 'data-testid': `${testId}-canvas` });
  const box = h('div', { class: 'rec-chart-box' }, canvas);
  const valueAxis = spec.horizontal ? 'x' : 'y';
  const datasets: ChartDataset<'bar'>[] = spec.series.map((s) => ({
    label: s.label,
    data: s.values,
    backgroundColor: s.colour,
    ...(s.axis === 'y1' ? { yAxisID: 'y1' } : {}),
  }));
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels: spec.categories, datasets },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      // Drawn at once: nothing moves for people who get motion sick, and the picture is final.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        [valueAxis]: { beginAtZero: true, ...(spec.max === undefined ? {} : { max: spec.max }) },
        ...(spec.secondAxis
          ? {
              y1: {
                position: 'right',
                beginAtZero: true,
                grid: { drawOnChartArea: false },
                ticks: { precision: 0 },
                title: { display: true, text: spec.secondAxis },
              },
            }
          : {}),
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  const figure = h(
    'figure',
    { class: 'rec-figure', 'data-testid': testId },
    box,
    h('div', { class: 'rec-table-wrap', role: 'region', tabindex: '0', 'aria-label': rt('tableAlt') }, table),
  );
  return { el: figure, destroy: () => chart.destroy() };
}

/** The table alternative: a caption, column headers and one row per category. */
export function dataTable(
  caption: string,
  columns: string[],
  rows: (string | number)[][],
  testId: string,
): HTMLTableElement {
  return h(
    'table',
    { class: 'rec-table', 'data-testid': `${testId}-table` },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map(([head, ...rest]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, String(head ?? '')),
          rest.map((v) => h('td', {}, String(v))),
        ),
      ),
    ),
  );
}

/** Rounded for people: at most one decimal. */
export const round1 = (n: number): number => Math.round(n * 10) / 10;
