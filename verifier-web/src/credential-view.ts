import type { Organization } from './api.js';
import { h, isRecord } from './dom.js';
import { formatDate, lang, t, tMaybe } from './i18n.js';
import { growthPanel, growthReportOf } from './growth-view.js';

/** A value as a person reads it: localised maps ({zh, en}) in the page's language, lists joined. */
export function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return value.map(display).join(', ');
  if (isRecord(value)) {
    const localised = value[lang()] ?? value['zh'] ?? value['en'];
    if (typeof localised === 'string') return localised;
    if (typeof value['name'] === 'string') return value['name'];
    return JSON.stringify(value);
  }
  return String(value);
}

function label(field: string): string {
  return tMaybe(`field_${field}`) ?? field;
}

function issuerName(issuer: unknown, orgs: readonly Organization[]): string {
  const did = typeof issuer === 'string' ? issuer : isRecord(issuer) ? issuer['id'] : undefined;
  const org = orgs.find((o) => o.did === did);
  if (org) return lang() === 'zh' ? org.name.zh : `${org.name.en} (${org.name.zh})`;
  if (isRecord(issuer) && issuer['name'] !== undefined) return display(issuer['name']);
  return String(did ?? '—');
}

/** Arrays of objects that each name a `dimension`: growth-report dimensions, rendered as a table. */
function isDimensionList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => isRecord(v) && 'dimension' in v);
}

function dimensionTable(field: string, rows: Record<string, unknown>[]): HTMLElement {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => c !== 'type' && c !== 'id');
  return h(
    'section',
    { class: 'dimensions' },
    h('h4', {}, field === 'dimensions' ? t('dimensions') : `${t('dimensions')} · ${label(field)}`),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('dimensions') },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map((c) => h('th', { scope: 'col' }, label(c))),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((row) =>
            h(
              'tr',
              {},
              columns.map((c) => h('td', {}, display(row[c]))),
            ),
          ),
        ),
      ),
    ),
  );
}

function definitionList(entries: [string, string][]): HTMLElement | null {
  if (entries.length === 0) return null;
  return h(
    'dl',
    { class: 'fields' },
    entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

function achievementBlock(achievement: Record<string, unknown>): HTMLElement {
  const criteria = isRecord(achievement['criteria']) ? achievement['criteria']['narrative'] : undefined;
  const entries: [string, string][] = [];
  if (achievement['description'] !== undefined)
    entries.push([label('description'), display(achievement['description'])]);
  if (criteria !== undefined) entries.push([t('criteria'), display(criteria)]);
  if (achievement['creditsAvailable'] !== undefined)
    entries.push([label('creditsAvailable'), display(achievement['creditsAvailable'])]);
  return h(
    'section',
    { class: 'achievement' },
    h('h4', {}, `${t('achievement')}: ${display(achievement['name'])}`),
    definitionList(entries),
  );
}

const SUBJECT_HANDLED = new Set(['id', 'type', 'achievement', 'creditsEarned', 'creditUnit']);
/** Shown by the growth panel instead: the dimensions, the student's name, a CLR's term credentials. */
const GROWTH_HANDLED = new Set([
  'dimensionResults',
  'name',
  'verifiableCredential',
  'achievement',
  'association',
]);

/** A CLR's inner credentials that are not growth records, each as a card of its own. */
function innerCredentials(value: unknown, orgs: readonly Organization[]): HTMLElement | null {
  if (!Array.isArray(value) || !value.every(isRecord)) return null;
  return h(
    'section',
    { class: 'inner-credentials' },
    h('h4', {}, t('innerCredentials', { n: value.length })),
    value.map((vc) => credentialCard(vc, orgs)),
  );
}

function subjectBlock(
  subject: Record<string, unknown>,
  orgs: readonly Organization[],
  growth: boolean,
): HTMLElement {
  const parts: (HTMLElement | null)[] = [];
  const achievements = growth ? [] : subject['achievement'];
  for (const a of Array.isArray(achievements) ? achievements : [achievements])
    if (isRecord(a)) parts.push(achievementBlock(a));

  if (subject['creditsEarned'] !== undefined) {
    const unit =
      subject['creditUnit'] !== undefined ? display(subject['creditUnit']) : t('defaultCreditUnit');
    parts.push(
      h(
        'p',
        { class: 'credits' },
        h('strong', {}, `${t('credits')}: `),
        t('creditsValue', { n: display(subject['creditsEarned']), unit }),
      ),
    );
  }

  const scalars: [string, string][] = [];
  for (const [field, value] of Object.entries(subject)) {
    if (SUBJECT_HANDLED.has(field) || (growth && GROWTH_HANDLED.has(field))) continue;
    const inner = field === 'verifiableCredential' ? innerCredentials(value, orgs) : null;
    if (inner) parts.push(inner);
    else if (isDimensionList(value)) parts.push(dimensionTable(field, value));
    else if (value !== null && value !== undefined && display(value) !== '')
      scalars.push([label(field), display(value)]);
  }
  const holder = typeof subject['id'] === 'string' ? subject['id'] : undefined;
  return h(
    'div',
    { class: 'subject' },
    holder ? definitionList([[t('holderId'), holder]]) : null,
    parts,
    scalars.length ? h('h4', {}, t('otherFields')) : null,
    definitionList(scalars),
  );
}

/** The credential as a person reads it: who issued it, to whom, for what. */
export function credentialCard(
  content: Record<string, unknown>,
  orgs: readonly Organization[],
  opts: { jwt?: boolean; trust?: HTMLElement | null } = {},
): HTMLElement {
  const types = (Array.isArray(content['type']) ? content['type'] : [content['type']])
    .filter((x): x is string => typeof x === 'string' && x !== 'VerifiableCredential')
    .join(', ');
  const subjects = Array.isArray(content['credentialSubject'])
    ? content['credentialSubject']
    : [content['credentialSubject']];
  const firstAchievement = subjects.find((s) => isRecord(s) && isRecord(s['achievement']));
  const title =
    content['name'] !== undefined
      ? display(content['name'])
      : isRecord(firstAchievement) && isRecord(firstAchievement['achievement'])
        ? display(firstAchievement['achievement']['name'])
        : types;
  const meta: [string, string][] = [[t('issuedBy'), issuerName(content['issuer'], orgs)]];
  const from = content['validFrom'] ?? content['issuanceDate'];
  if (from !== undefined) meta.push([t('issuedOn'), formatDate(from)]);
  if (content['validUntil'] !== undefined) meta.push([t('validUntil'), formatDate(content['validUntil'])]);
  meta.push([t('credentialType'), types]);
  if (typeof content['id'] === 'string') meta.push([t('credentialId'), content['id']]);
  const growth = growthReportOf(content);
  return h(
    'article',
    { class: 'credential-card' },
    h('h3', { class: 'credential-title' }, title),
    opts.jwt ? h('p', { class: 'note' }, t('jwtNotice')) : null,
    definitionList(meta),
    // The issuer's trust chain sits right under "issued by".
    opts.trust ?? null,
    growth ? growthPanel(growth) : null,
    subjects.filter(isRecord).map((s) => subjectBlock(s, orgs, growth !== undefined)),
  );
}
