import { ApiError, type CheckResult, type VerificationResult } from './api.js';
import { causesOf, type Cause } from './causes.js';
import { h } from './dom.js';
import { formatTime, lang, t, tMaybe, type Key } from './i18n.js';

export type Verdict = 'valid' | 'untrusted' | 'invalid' | 'unknown';

/**
 * Valid only if every check is; `untrusted` when the gateway found the credential genuine but its
 * issuer outside this registry (the page asks for registry trust, so that is not valid); invalid
 * if any check failed; otherwise it could not be decided.
 */
export function verdictOf(result: VerificationResult): Verdict {
  if (result.outcome === 'untrusted-issuer') return 'untrusted';
  const all = [...result.checks, ...(result.credentialResults ?? []).flatMap((r) => r.checks)];
  if (result.verified && all.every((c) => c.status === 'valid')) return 'valid';
  if (all.some((c) => c.status === 'invalid')) return 'invalid';
  return 'unknown';
}

const VERDICT_TEXT: Record<Verdict, [Key, Key, string]> = {
  valid: ['verdictValid', 'verdictValidText', '✓'],
  untrusted: ['verdictUntrusted', 'verdictUntrustedText', '!'],
  invalid: ['verdictInvalid', 'verdictInvalidText', '✗'],
  unknown: ['verdictUnknown', 'verdictUnknownText', '?'],
};

export function verdictBanner(verdict: Verdict, extra?: string, causes: readonly Cause[] = []): HTMLElement {
  const [title, text, icon] = VERDICT_TEXT[verdict];
  // The cause named in the title itself: "无效 · 已撤销", "Invalid · tampered with".
  const named = causes.map((c) => t(`cause_${c}`)).join(lang() === 'zh' ? '、' : ', ');
  return h(
    'div',
    {
      class: `verdict verdict-${verdict}`,
      role: 'status',
      'data-verdict': verdict,
      'data-causes': causes.length ? causes.join(' ') : undefined,
    },
    h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, icon),
    h(
      'div',
      {},
      h('strong', { class: 'verdict-title' }, named ? `${t(title)} · ${named}` : t(title)),
      h('p', {}, extra ?? t(text)),
      causes.length
        ? h(
            'ul',
            { class: 'causes' },
            causes.map((c) => h('li', { 'data-cause': c }, t(`causeText_${c}`))),
          )
        : null,
    ),
  );
}

/** The banner for a verification result, naming what made it so. */
export function resultBanner(result: VerificationResult): HTMLElement {
  return verdictBanner(verdictOf(result), undefined, causesOf(result));
}

function shortTx(tx: unknown): string {
  return typeof tx === 'string' && tx.length > 16 ? `${tx.slice(0, 8)}…${tx.slice(-6)}` : String(tx ?? '?');
}

function reasonName(code: unknown): string {
  return typeof code === 'string' ? (tMaybe(`reason_${code}`) ?? code) : '?';
}

/** The gateway's reason in plain words for a person, in the chosen language. */
export function explain(check: CheckResult): string {
  const d = check.details ?? {};
  if (check.status === 'not-checked') return t('notChecked');
  const ok = check.status === 'valid';
  switch (check.check) {
    case 'format':
      return t(ok ? 'formatValid' : 'formatInvalid');
    case 'signature':
      return t(ok ? 'signatureValid' : 'signatureInvalid');
    case 'issuer-accredited': {
      const name = d['name'];
      const org = typeof name === 'object' && name !== null ? String(Reflect.get(name, lang()) ?? '') : '';
      return ok ? t('accreditedValid', { org: org || '—' }) : t('accreditedInvalid');
    }
    case 'key-valid':
      return t(ok ? 'keyValid' : 'keyInvalid');
    case 'anchored':
      return ok
        ? t('anchoredValid', { block: String(d['blockNumber'] ?? '?'), tx: shortTx(d['txId']) })
        : t('anchoredInvalid');
    case 'status': {
      if (ok) return t('statusActive');
      const vars = { since: formatTime(d['since']), reason: reasonName(d['reasonCode']) };
      if (d['status'] === 'revoked') return t('statusRevoked', vars);
      if (d['status'] === 'suspended') return t('statusSuspended', vars);
      return t('statusInvalidOther');
    }
    case 'validity-period':
      return t(ok ? 'validityValid' : 'validityInvalid');
    case 'challenge':
      return ok
        ? t('challengeValid', { challenge: String(d['challenge'] ?? ''), domain: String(d['domain'] ?? '') })
        : t('challengeInvalid');
    case 'holder-binding':
      return t(ok ? 'holderValid' : 'holderInvalid');
    default:
      return check.reason;
  }
}

const STATUS_ICON = { valid: '✓', invalid: '✗', 'not-checked': '–' } as const;
const STATUS_KEY = {
  valid: 'statusValid',
  invalid: 'statusInvalid',
  'not-checked': 'statusNotChecked',
} as const;

/** One check as a step: icon, name, outcome in words, the plain explanation and the raw reason. */
function step(check: CheckResult): HTMLElement {
  const name = tMaybe(`check_${check.check}`) ?? check.check;
  return h(
    'li',
    { class: `step step-${check.status}`, 'data-check': check.check, 'data-status': check.status },
    h('span', { class: 'step-icon', 'aria-hidden': 'true' }, STATUS_ICON[check.status]),
    h(
      'div',
      { class: 'step-body' },
      h(
        'div',
        { class: 'step-head' },
        h('strong', {}, name),
        h('span', { class: 'step-outcome' }, t(STATUS_KEY[check.status])),
      ),
      h('p', { class: 'step-text' }, explain(check)),
      h(
        'p',
        { class: 'step-reason' },
        h('span', { class: 'visually-hidden' }, `${t('technical')}: `),
        check.reason,
      ),
    ),
  );
}

export function stepsList(checks: readonly CheckResult[], title: string): HTMLElement {
  return h(
    'section',
    { class: 'steps', 'aria-label': title },
    h('h3', {}, title),
    h('ol', { class: 'step-list' }, checks.map(step)),
  );
}

/** An error as a sentence for the page. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    return error.status === 0
      ? t('networkError', { msg: error.message })
      : t('gatewayError', { status: error.status, code: error.code, msg: error.message });
  }
  return error instanceof Error ? error.message : String(error);
}
