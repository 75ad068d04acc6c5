import { credentialForm } from './forms.js';
import type { Lang, MessageKey, Translate } from './i18n.js';

/**
 * What each kind of education credential says, beyond name, issuer and dates: the growth report's
 * dimensions and entries, a CLR's parts, PD credit totals, a credit transfer's institutions and
 * agreement, an Open Badge's achievement. Fields are read where they are; a kind this file does
 * not know still shows its common rows.
 */

/** A labelled fact: the label's message key, and the value (absent facts are left out). */
export type Row = [MessageKey, string | undefined];

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `12 学分`, or `12 / 24 学分` when a requirement is known. */
function credits(amount: unknown, unit: unknown, required?: unknown): string | undefined {
  const value = text(amount);
  if (value === undefined) return undefined;
  const of = text(required);
  return `${value}${of === undefined ? '' : ` / ${of}`} ${text(unit) ?? ''}`.trim();
}

/** The credits a credential is about, whichever field its kind uses, with their unit. */
export function creditsOf(subject: Record<string, unknown>): { earned: number; unit: string } | undefined {
  const earned = [subject.creditsEarned, subject.totalCredits, subject.credits].find(
    (v): v is number => typeof v === 'number',
  );
  return earned === undefined ? undefined : { earned, unit: text(subject.creditUnit) ?? '' };
}

/** The facts of one credential subject, in reading order; the caller drops the absent ones. */
export function subjectRows(subject: Record<string, unknown>): Row[] {
  const achievement = record(subject.achievement);
  return [
    ['labelTerm', text(subject.term)],
    ['labelCycle', text(subject.cycle)],
    [
      'labelCredits',
      credits(
        subject.creditsEarned ?? subject.totalCredits ?? subject.credits,
        subject.creditUnit,
        subject.requiredCredits,
      ),
    ],
    ['labelCourse', text(subject.courseId)],
    ['labelFromInstitution', text(subject.fromInstitution)],
    ['labelToInstitution', text(subject.toInstitution)],
    ['labelAgreement', text(subject.agreementId)],
    ['labelHours', text(subject.hours)],
    ['labelActivityKind', text(subject.activityKind)],
    ['labelCompletedOn', text(subject.completedOn)],
    ['labelAchievement', text(achievement.name)],
    ['labelAchievementType', text(achievement.achievementType)],
    ['labelDescription', text(achievement.description)],
    ['labelCriteria', text(record(achievement.criteria).narrative)],
    ['labelCreditsAvailable', text(achievement.creditsAvailable)],
  ];
}

/** The first subject, which is the holder for every credential this wallet accepts. */
export function subjectOf(credential: Record<string, unknown>): Record<string, unknown> {
  return record(list(credential.credentialSubject)[0]);
}

/**
 * The lists a credential holds, as indented lines under headings: growth dimensions with their
 * entries, PD credits by kind, and a CLR's parts (each shown like a credential of its own).
 */
export function sections(
  credential: Record<string, unknown>,
  t: Translate,
  lang: Lang,
  indent = '',
): string[] {
  const subject = subjectOf(credential);
  return [
    ...dimensionLines(subject, t, lang, indent),
    ...creditsByKindLines(subject, t, lang, indent),
    ...clrPartLines(subject, t, lang, indent),
  ];
}

function dimensionLines(
  subject: Record<string, unknown>,
  t: Translate,
  lang: Lang,
  indent: string,
): string[] {
  const dimensions = list(subject.dimensionResults).map(record);
  if (dimensions.length === 0) return [];
  const lines = ['', `${indent}${t('sectionDimensions', { count: dimensions.length })}`];
  for (const d of dimensions) {
    const label = [text(d.label), lang === 'en' ? text(d.labelEn) : undefined].filter(Boolean).join(' · ');
    const entries = list(d.entries).map(record);
    lines.push(
      `${indent}  ▸ ${label || text(d.dimension) || '?'} (${text(d.dimension) ?? ''}) — ${t('entryCount', { count: entries.length })}`,
    );
    for (const e of entries) {
      const indicator = text(e.indicator);
      lines.push(
        `${indent}      ${text(e.term) ?? ''}  ${text(e.text) ?? ''}${indicator ? `  [${indicator}]` : ''}`,
      );
    }
  }
  return lines;
}

function creditsByKindLines(
  subject: Record<string, unknown>,
  t: Translate,
  lang: Lang,
  indent: string,
): string[] {
  const kinds = list(subject.creditsByKind).map(record);
  if (kinds.length === 0) return [];
  const unit = text(subject.creditUnit) ?? '';
  return [
    '',
    `${indent}${t('sectionCreditsByKind')}`,
    ...kinds.map((k) => {
      const label = (lang === 'en' ? text(k.labelEn) : undefined) ?? text(k.label) ?? text(k.activityKind);
      return `${indent}  ▸ ${label ?? '?'}: ${credits(k.credits, unit) ?? '?'}`;
    }),
  ];
}

/** A CLR 2.0 ClrCredential carries its parts (signed credentials) inside its subject. */
function clrPartLines(subject: Record<string, unknown>, t: Translate, lang: Lang, indent: string): string[] {
  const parts = list(subject.verifiableCredential);
  if (parts.length === 0) return [];
  const lines = ['', `${indent}${t('sectionClrParts', { count: parts.length })}`];
  parts.forEach((part, i) => {
    // A part may be a vc+jwt, enveloped or bare: it is shown by what it says.
    const content = credentialForm(part)?.content ?? record(part);
    const name = text(content.name) ?? text(record(subjectOf(content).achievement).name) ?? '?';
    lines.push(`${indent}  [${i + 1}] ${name}`);
    for (const [key, value] of subjectRows(subjectOf(content))) {
      if (value !== undefined) lines.push(`${indent}      ${t(key)}: ${value}`);
    }
    lines.push(...sections(content, t, lang, `${indent}    `).filter((line) => line !== ''));
  });
  const achievements = list(subject.achievement).length;
  const associations = list(subject.association).length;
  if (achievements + associations > 0) {
    lines.push(`${indent}  ${t('clrAchievements', { achievements, associations })}`);
  }
  return lines;
}
