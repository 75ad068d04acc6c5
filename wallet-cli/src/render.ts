import { storedForm, type CredentialFormat } from './forms.js';
import type { Lang, MessageKey, Translate } from './i18n.js';
import { creditsOf, record, sections, subjectOf, subjectRows, type Row } from './render-kinds.js';
import { shortUuid, type StoredCredential } from './wallet.js';

/** Issuer names by DID, as the ledger registry gives them. */
export type IssuerNames = Record<string, { zh: string; en: string }>;

/** A credential's status on the ledger, as the gateway's `status` check reports it. */
export interface LiveStatus {
  status: string;
  since?: string;
  reasonCode?: string;
}

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
  /** When the ledger's status last changed, and its reason code (revoked or suspended). */
  statusSince?: string;
  statusReason?: string;
  credits?: { earned: number; unit: string };
  /** How it is secured: a Data Integrity proof, or a vc+jwt (JOSE). */
  format: CredentialFormat;
  receivedAt: string;
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

/**
 * Summarises a stored credential. The issuer's name comes from the ledger registry (`names`),
 * else from what the offer said when it was received, else from the credential itself.
 */
export function summarise(
  stored: StoredCredential,
  lang: Lang,
  names: IssuerNames,
  live?: LiveStatus,
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
  const credits = creditsOf(subject);
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
    ...(live === undefined ? {} : { status: live.status }),
    ...(live?.since === undefined ? {} : { statusSince: live.since }),
    ...(live?.reasonCode === undefined ? {} : { statusReason: live.reasonCode }),
    ...(credits === undefined ? {} : { credits }),
    format: form.format,
    receivedAt: stored.receivedAt,
  };
}

const STATUS_KEYS: Record<string, MessageKey> = {
  active: 'statusActive',
  revoked: 'statusRevoked',
  suspended: 'statusSuspended',
};

/**
 * `show`'s text: one labelled line per fact (common ones, then those of the credential's kind), then
 * the lists it holds (growth dimensions, PD credits by kind, a CLR's parts).
 */
export function renderCredential(
  summary: CredentialSummary,
  stored: StoredCredential,
  t: Translate,
  lang: Lang,
): string {
  const form = storedForm(stored.credential);
  const subject = subjectOf(form.content);
  const proof = Array.isArray(form.content.proof) ? (form.content.proof[0] as unknown) : form.content.proof;
  const cryptosuite = text(record(proof).cryptosuite);
  const rows: Row[] = [
    ['labelName', summary.name],
    ['labelType', summary.types.join(', ')],
    ['labelIssuer', `${summary.issuer.name}  (${summary.issuer.did})`],
    ['labelIssued', summary.issuedOn],
    [
      'labelValidUntil',
      summary.validUntil === undefined ? t('noEndDate') : formatDate(summary.validUntil, lang),
    ],
    ['labelStatus', statusText(summary, t)],
    ['labelSummary', text(form.content.description)],
    ...subjectRows(subject),
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
  return [
    ...labelled.map(([label, value]) => `${label}${' '.repeat(width - displayWidth(label))}  ${value}`),
    ...sections(form.content, t, lang),
  ].join('\n');
}

/** The status as the gateway reported it, with its reason and date when not active. */
function statusText(summary: CredentialSummary, t: Translate): string {
  const key = summary.status === undefined ? undefined : STATUS_KEYS[summary.status];
  if (key === undefined) return t('statusUnknown');
  const since = summary.statusSince === undefined ? '' : ` · ${summary.statusSince}`;
  const reason = summary.statusReason === undefined ? '' : ` · ${summary.statusReason}`;
  return summary.status === 'active' ? t(key) : `✘ ${t(key)}${since}${reason}`;
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
