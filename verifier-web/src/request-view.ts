import {
  call,
  expectStatus,
  gatewayBase,
  isVerificationResult,
  organizations,
  token,
  type Organization,
  type VerificationResult,
} from './api.js';
import { h, isRecord, replace, uid } from './dom.js';
import { formatTime, t } from './i18n.js';
import { isPublicRequest, type PublicRequest } from './input.js';
import { receiptPanel } from './receipt.js';
import { errorText, resultBanner, stepsList } from './result-view.js';
import { presentationOutcome } from './verify-view.js';

const COMMON_TYPES = [
  'OpenBadgeCredential',
  'AchievementCredential',
  'GrowthTermReport',
  'CreditTransferCredential',
];
const POLL_MS = 2000;

interface Answer {
  status: 'pending' | 'answered' | 'expired';
  result?: VerificationResult;
  answeredAt?: string;
  vp?: Record<string, unknown>;
  missingTypes: string[];
}

/**
 * The link a wallet (or a holder's browser) opens to answer: this page with `#request=<the request's
 * URL>`, i.e. `…/verify/#request=https://gateway/verification-requests/<id>`. The request itself
 * stays at the gateway, so the QR code stays small whatever the request holds.
 */
export function requestLink(request: PublicRequest): string {
  const page = new URL(location.pathname, location.origin);
  const gateway = gatewayBase();
  if (gateway) page.searchParams.set('gateway', gateway);
  // The gateway's address as the verifier reached it: the answer URL without its last segment.
  const requestUrl = request.responseUrl.replace(/\/response$/, '');
  page.hash = `request=${requestUrl}`;
  return page.toString();
}

export function requestView(): { el: HTMLElement; render: () => void } {
  const el = h('section', { class: 'view', id: 'view-request', 'aria-labelledby': 'request-title' });
  const otherId = uid('other');
  const domainId = uid('domain');
  const checks = new Map(
    COMMON_TYPES.map((type, i) => [
      type,
      h('input', { type: 'checkbox', id: uid('type'), value: type, checked: i === 0 }),
    ]),
  );
  const other = h('input', { id: otherId, type: 'text', autocomplete: 'off' });
  const domain = h('input', { id: domainId, type: 'text', autocomplete: 'off' });
  const qr = h('canvas', { class: 'qr', role: 'img' });

  let request: PublicRequest | undefined;
  let answer: Answer | undefined;
  let error: unknown;
  let timer: ReturnType<typeof setInterval> | undefined;
  let orgs: Organization[] = [];

  const poll = async (): Promise<void> => {
    if (!request) return;
    try {
      const body = expectStatus(
        await call('GET', `/verification-requests/${request.id}`, { auth: true }),
        [200],
      );
      if (!isRecord(body)) return;
      const status = body['status'];
      if (status !== 'pending' && status !== 'answered' && status !== 'expired') return;
      answer = {
        status,
        ...(isVerificationResult(body['result']) ? { result: body['result'] } : {}),
        ...(typeof body['answeredAt'] === 'string' ? { answeredAt: body['answeredAt'] } : {}),
        ...(isRecord(body['verifiablePresentation']) ? { vp: body['verifiablePresentation'] } : {}),
        missingTypes: Array.isArray(body['missingTypes']) ? body['missingTypes'].map(String) : [],
      };
      if (status !== 'pending') stopPolling();
    } catch (e) {
      error = e;
      stopPolling();
    }
    render();
  };

  const stopPolling = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  const create = async (): Promise<void> => {
    stopPolling();
    error = undefined;
    answer = undefined;
    const types = [
      ...[...checks.values()].filter((c) => c.checked).map((c) => c.value),
      ...other.value
        .split(/[,，\s]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ];
    try {
      orgs = await organizations();
      const body = expectStatus(
        await call('POST', '/verification-requests', {
          auth: true,
          body: { types, ...(domain.value.trim() ? { domain: domain.value.trim() } : {}) },
        }),
        [201],
      );
      if (!isPublicRequest(body)) throw new Error('unexpected answer');
      const verifier = orgs.find((o) => o.did === body.domain);
      request = { ...body, ...(verifier ? { verifier: `${verifier.name.zh} ${verifier.name.en}` } : {}) };
      answer = { status: 'pending', missingTypes: [] };
      timer = setInterval(() => void poll(), POLL_MS);
    } catch (e) {
      error = e;
    }
    render();
  };

  const form = h('form', { class: 'request-form' });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void create();
  });

  const requestBlock = (): HTMLElement | null => {
    if (!request) return null;
    const link = requestLink(request);
    // The QR encoder is loaded only by verifiers who create requests.
    void import('qrcode').then(({ default: QRCode }) =>
      QRCode.toCanvas(qr, link, { errorCorrectionLevel: 'M', margin: 2, width: 260 }),
    );
    qr.setAttribute('aria-label', t('requestQrAlt'));
    const copy = h('button', { type: 'button', class: 'secondary' }, t('copyLink'));
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(link).then(() => {
        copy.textContent = t('copied');
      });
    });
    return h(
      'section',
      { class: 'request-card', 'data-testid': 'request' },
      h('div', { class: 'qr-wrap' }, qr),
      h(
        'div',
        {},
        h(
          'dl',
          { class: 'fields' },
          h('dt', {}, t('wantedTypes')),
          h('dd', {}, request.types.join(', ')),
          h('dt', {}, t('challengeLabel')),
          h('dd', { class: 'mono', 'data-testid': 'challenge' }, request.challenge),
          h('dt', {}, t('domainLabel')),
          h('dd', { class: 'mono' }, request.domain),
        ),
        h('p', {}, t('expiresAt', { time: formatTime(request.expiresAt) })),
        h(
          'label',
          {},
          t('requestLink'),
          h('input', { type: 'text', readonly: true, value: link, class: 'mono' }),
        ),
        h('div', { class: 'actions' }, copy),
      ),
    );
  };

  const answerBlock = (): (HTMLElement | null)[] => {
    if (!request || !answer) return [];
    if (answer.status === 'pending') return [h('p', { class: 'busy', role: 'status' }, t('requestPending'))];
    if (answer.status === 'expired') return [h('p', { class: 'error', role: 'status' }, t('requestExpired'))];
    const result = answer.result;
    const heading = h('p', { role: 'status' }, t('requestAnswered', { time: formatTime(answer.answeredAt) }));
    if (!result) return [heading];
    return [
      heading,
      answer.missingTypes.length
        ? h(
            'p',
            { class: 'note warn', role: 'alert' },
            t('missingTypes', { types: answer.missingTypes.join(', ') }),
          )
        : null,
      ...(answer.vp
        ? presentationOutcome(answer.vp, result, orgs)
        : [resultBanner(result), stepsList(result.checks, t('presentationStepsTitle'))]),
      answer.vp
        ? receiptPanel(
            {
              verifiablePresentation: answer.vp,
              options: { challenge: request.challenge, domain: request.domain },
            },
            result,
          )
        : null,
    ];
  };

  const render = (): void => {
    const signedIn = Boolean(token());
    replace(
      form,
      h(
        'fieldset',
        {},
        h('legend', {}, t('wantedTypes')),
        [...checks.entries()].map(([type, box]) =>
          h('div', { class: 'check-row' }, box, h('label', { for: box.id }, type)),
        ),
        h('label', { for: otherId }, t('otherType')),
        other,
      ),
      h('label', { for: domainId }, t('domainOptional')),
      domain,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', disabled: !signedIn }, t('createRequest')),
      ),
    );
    replace(
      el,
      h('h2', { id: 'request-title' }, t('requestTitle')),
      h('p', { class: 'hint' }, t('requestHint')),
      signedIn ? null : h('p', { class: 'note' }, t('requestNeedsSignIn')),
      form,
      error ? h('p', { class: 'error', role: 'alert' }, errorText(error)) : null,
      requestBlock(),
      h('div', { 'aria-live': 'polite', 'data-testid': 'answer' }, answerBlock()),
    );
  };
  render();
  return { el, render };
}
