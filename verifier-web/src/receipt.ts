import { ApiError, call, expectStatus, isVerificationResult, token, type VerificationResult } from './api.js';
import { display } from './credential-view.js';
import { download, h, isRecord, replace } from './dom.js';
import { formatTime, t, tMaybe } from './i18n.js';
import { verdictOf } from './result-view.js';

export type ReceiptSubject =
  | { verifiableCredential: unknown }
  | { verifiablePresentation: unknown; options: { challenge: string; domain: string } };

/** The printable face of a receipt: what was checked, by whom, when, and the outcome of each check. */
function receiptSheet(receipt: Record<string, unknown>): HTMLElement {
  const subjects = Array.isArray(receipt['credentialSubject'])
    ? receipt['credentialSubject']
    : [receipt['credentialSubject']];
  return h(
    'article',
    { class: 'receipt-sheet' },
    h('h3', {}, t('receiptTitle')),
    h(
      'dl',
      { class: 'fields' },
      h('dt', {}, t('receiptIssuer')),
      h('dd', {}, display(isRecord(receipt['issuer']) ? receipt['issuer']['name'] : receipt['issuer'])),
      h('dt', {}, t('receiptId')),
      h('dd', {}, String(receipt['id'] ?? '')),
    ),
    subjects.filter(isRecord).map((s) =>
      h(
        'section',
        { class: 'receipt-subject' },
        h(
          'dl',
          { class: 'fields' },
          h('dt', {}, t('receiptFor')),
          h('dd', {}, String(s['id'] ?? '—')),
          h('dt', {}, t('receiptDigest')),
          h('dd', { class: 'mono' }, String(s['credentialDigest'] ?? '—')),
          h('dt', {}, t('receiptTime')),
          h('dd', {}, formatTime(s['verifiedAt'])),
          h('dt', {}, t('receiptResult')),
          h('dd', {}, s['verified'] === true ? t('verdictValid') : t('verdictInvalid')),
        ),
        h(
          'ul',
          { class: 'receipt-checks' },
          (Array.isArray(s['verificationChecks']) ? s['verificationChecks'] : [])
            .filter(isRecord)
            .map((c) =>
              h(
                'li',
                {},
                `${tMaybe(`check_${String(c['check'])}`) ?? String(c['check'])}: ${
                  c['status'] === 'valid'
                    ? t('statusValid')
                    : c['status'] === 'invalid'
                      ? t('statusInvalid')
                      : t('statusNotChecked')
                }`,
              ),
            ),
        ),
      ),
    ),
  );
}

/** Prints only the receipt: it is copied into a print-only area, the rest of the page is hidden. */
function printReceipt(sheet: HTMLElement): void {
  const area = document.getElementById('print-area');
  if (!area) return;
  replace(area, sheet.cloneNode(true));
  document.body.classList.add('print-receipt');
  window.addEventListener('afterprint', () => document.body.classList.remove('print-receipt'), {
    once: true,
  });
  window.print();
}

/**
 * Offers a signed receipt for what was just verified. The gateway verifies again and signs its
 * own finding; the result shown here is sent along only so the gateway can say when it differs.
 */
export function receiptPanel(subject: ReceiptSubject, shown: VerificationResult): HTMLElement {
  const panel = h('section', { class: 'receipt-panel', 'aria-live': 'polite' });
  const render = (): void => {
    if (!token()) {
      replace(panel, h('p', { class: 'note' }, t('receiptNeedsSignIn')));
      return;
    }
    const button = h('button', { type: 'button', class: 'secondary' }, t('makeReceipt'));
    button.addEventListener('click', () => {
      button.disabled = true;
      void (async () => {
        try {
          const body = expectStatus(
            await call('POST', '/verification-receipts', { auth: true, body: { ...subject, result: shown } }),
            [201],
          );
          if (!isRecord(body) || !isRecord(body['verifiableCredential'])) throw new Error('no receipt');
          const receipt = body['verifiableCredential'];
          const fresh = isVerificationResult(body['result']) ? body['result'] : undefined;
          const sheet = receiptSheet(receipt);
          const issuer = isRecord(receipt['issuer']) ? display(receipt['issuer']['name']) : '';
          replace(
            panel,
            h(
              'p',
              {},
              t('receiptMade', {
                org: issuer,
                verdict: fresh && verdictOf(fresh) === 'valid' ? t('verdictValid') : t('verdictInvalid'),
              }),
            ),
            body['postedResultDiffers'] === true ? h('p', { class: 'note warn' }, t('receiptDiffers')) : null,
            sheet,
            h(
              'div',
              { class: 'actions' },
              h(
                'button',
                {
                  type: 'button',
                  onclick: () =>
                    download(
                      `verification-receipt-${String(receipt['id'] ?? '').replace(/^urn:uuid:/, '')}.json`,
                      `${JSON.stringify(receipt, null, 2)}\n`,
                      'application/json',
                    ),
                },
                t('downloadJson'),
              ),
              h(
                'button',
                { type: 'button', class: 'secondary', onclick: () => printReceipt(sheet) },
                t('print'),
              ),
            ),
          );
        } catch (error) {
          button.disabled = false;
          panel.append(
            h(
              'p',
              { class: 'error', role: 'alert' },
              error instanceof ApiError
                ? t('gatewayError', { status: error.status, code: error.code, msg: error.message })
                : String(error),
            ),
          );
        }
      })();
    });
    replace(panel, h('h3', {}, t('receiptTitle')), button);
  };
  render();
  return panel;
}
