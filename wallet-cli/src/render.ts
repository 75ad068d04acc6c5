import { storedForm, type CredentialFormat } from './forms.js';
import type { Lang, MessageKey, Translate } from './i18n.js';
import { shortUuid, type StoredCredential } from './wallet.js';

/** Issuer names by DID, as the ledger registry gives them. */
export type IssuerNames = Record<string, { zh: string; en: string }>;

/** What a person wants to know about a credential, in their language. */
export interface CredentialSummary {
  id: string;
  /** First 8 characters of the uuid: enough to name it in `show`, `verify`, `present`. */
  shortId: string;
  types: string[];
  name: string;
  issuer: { did: string; name: string };
  issuedOn: string;
  validFrom?: string;
  validUntil?: string;
  /** `active`, `revoked` or `suspended` from the ledger; absent when the gateway did not answer. */
  status?: string;
  credits?: { earned: number; unit: string };
  /** How it is secured: a Data Integrity proof, or a vc+jwt (JOSE). */
  format: CredentialFormat;
  receivedAt: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A date in the reader's convention (2026年5月1日 / 1 May 2026); unparseable input is shown as is. */
export function formatDate(iso: string | undefined, lang: Lang): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'long' }).format(date);
}

/** The first subject, which is the holder for every credential this wallet accepts. */
function subjectOf(credential: Record<string, unknown>): Record<string, unknown> {
  const subject = credential.credentialSubject;
  return record(Array.isArray(subject) ? subject[0] : subject);
}

/**
 * Summarises a stored credential. The issuer's name comes from the ledger registry (`names`),
 * else from what the offer said when it was received, else from the credential itself.
 */
export function summarise(
  stored: StoredCredential,
  lang: Lang,
  names: IssuerNames,
  status?: string,
): CredentialSummary {
  // A vc+jwt is summarised by its payload: the credential it secures.
  const form = storedForm(stored.credential);
  const credential = form.content;
  const subject = subjectOf(credential);
  const achievement = record(subject.achievement);
  const registryName = names[stored.issuer.did] ?? stored.issuer.name;
  const issuerName =
    registryName?.[lang] ?? text(record(credential.issuer).name) ?? stored.issuer.orgId ?? stored.issuer.did;
  const types = (Array.isArray(credential.type) ? credential.type : []).filter(
    (t): t is string => typeof t === 'string' && t !== 'VerifiableCredential',
  );
  const earned = subject.creditsEarned;
  const validFrom = text(credential.validFrom);
  const validUntil = text(credential.validUntil);
  return {
    id: stored.id,
    shortId: shortUuid(stored.id).slice(0, 8),
    types,
    name: text(credential.name) ?? text(achievement.name) ?? types.join(', '),
    issuer: { did: stored.issuer.did, name: issuerName },
    issuedOn: formatDate(validFrom, lang),
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(status === undefined ? {} : { status }),
    ...(typeof earned === 'number' ? { credits: { earned, unit: text(subject.creditUnit) ?? '' } } : {}),
    format: form.format,
    receivedAt: stored.receivedAt,
  };
}

const STATUS_KEYS: Record<string, MessageKey> = {
  active: 'statusActive',
  revoked: 'statusRevoked',
  suspended: 'statusSuspended',
};

/** `show`'s text: one labelled line per fact, then the achievement's own description. */
export function renderCredential(
  summary: CredentialSummary,
  stored: StoredCredential,
  t: Translate,
  lang: Lang,
): string {
  const form = storedForm(stored.credential);
  const subject = subjectOf(form.content);
  const achievement = record(subject.achievement);
  const status = summary.status === undefined ? undefined : STATUS_KEYS[summary.status];
  const proof = Array.isArray(form.content.proof) ? (form.content.proof[0] as unknown) : form.content.proof;
  const cryptosuite = text(record(proof).cryptosuite);
  const rows: [MessageKey, string | undefined][] = [
    ['labelName', summary.name],
    ['labelType', summary.types.join(', ')],
    ['labelIssuer', `${summary.issuer.name}  (${summary.issuer.did})`],
    ['labelIssued', summary.issuedOn],
    [
      'labelValidUntil',
      summary.validUntil === undefined ? t('noEndDate') : formatDate(summary.validUntil, lang),
    ],
    ['labelStatus', status === undefined ? t('statusUnknown') : t(status)],
    [
      'labelCredits',
      summary.credits ? `${summary.credits.earned} ${summary.credits.unit}`.trim() : undefined,
    ],
    ['labelAchievement', text(achievement.name)],
    ['labelDescription', text(achievement.description)],
    ['labelCriteria', text(record(achievement.criteria).narrative)],
    ['labelId', summary.id],
    [
      'labelFormat',
      form.format === 'vc+jwt'
        ? t('formatJwt')
        : `${t('formatDataIntegrity')}${cryptosuite === undefined ? '' : ` (${cryptosuite})`}`,
    ],
    ['labelReceived', formatDate(summary.receivedAt, lang)],
  ];
  const labelled = rows
    .filter((row): row is [MessageKey, string] => row[1] !== undefined && row[1] !== '')
    .map(([key, value]) => [t(key), value] as const);
  const width = Math.max(...labelled.map(([label]) => displayWidth(label)));
  return labelled
    .map(([label, value]) => `${label}${' '.repeat(width - displayWidth(label))}  ${value}`)
    .join('\n');
}

/** Terminal columns: CJK characters take two. */
function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/.test(ch) ? 2 : 1;
  return width;
}

const CHECK_KEYS: Record<string, MessageKey> = {
  format: 'checkFormat',
  signature: 'checkSignature',
  'issuer-accredited': 'checkIssuerAccredited',
  'key-valid': 'checkKeyValid',
  anchored: 'checkAnchored',
  status: 'checkStatus',
  'validity-period': 'checkValidity',
  'holder-binding': 'checkHolderBinding',
  challenge: 'checkChallenge',
};

/** The gateway's checks, one line each: ✔ valid, ✘ invalid, – not checked, with the gateway's reason. */
export function renderChecks(
  checks: readonly { check: string; status: string; reason: string }[],
  t: Translate,
): string {
  return checks
    .map((c) => {
      const mark = c.status === 'valid' ? '✔' : c.status === 'invalid' ? '✘' : '–';
      const key = CHECK_KEYS[c.check];
      return `  ${mark} ${key === undefined ? c.check : t(key)}: ${c.reason}`;
    })
    .join('\n');
}
