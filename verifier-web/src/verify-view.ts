import {
  answerRequest,
  fetchRequest,
  fetchShare,
  organizations,
  verifyCredential,
  verifyPresentation,
  type Organization,
  type VerificationResult,
} from './api.js';
import { credentialCard } from './credential-view.js';
import { h, isRecord, replace, uid } from './dom.js';
import { t } from './i18n.js';
import {
  cameraAvailable,
  decodeQrImage,
  isPublicRequest,
  parseInput,
  scanCamera,
  type Parsed,
  type PublicRequest,
} from './input.js';
import { receiptPanel } from './receipt.js';
import { errorText, resultBanner, stepsList, verdictBanner } from './result-view.js';
import { trustPanel } from './trust-view.js';

type Outcome =
  | { kind: 'credential'; parsed: Extract<Parsed, { kind: 'credential' }>; result: VerificationResult }
  | {
      kind: 'presentation';
      parsed: Extract<Parsed, { kind: 'presentation' }>;
      result: VerificationResult;
      options: { challenge: string; domain: string };
    }
  | { kind: 'request'; request: PublicRequest }
  | { kind: 'message'; key: 'unrecognised' | 'badJson' | 'qrNotFound'; detail?: string }
  | { kind: 'error'; error: unknown };

function credentialsIn(
  content: Record<string, unknown>,
): { content: Record<string, unknown>; jwt: boolean }[] {
  const list = content['verifiableCredential'];
  return (Array.isArray(list) ? list : list === undefined ? [] : [list]).flatMap((vc) => {
    if (isRecord(vc)) return [{ content: vc, jwt: false }];
    return [];
  });
}

/** The issuer's trust chain, once the signature shows the credential really is that issuer's. */
function trustFor(content: Record<string, unknown>, result: VerificationResult): HTMLElement | null {
  const signature = result.checks.find((c) => c.check === 'signature');
  return signature?.status === 'valid' ? trustPanel(content) : null;
}

/** The verdict, every check as a step, and the credential rendered for a person. */
export function credentialOutcome(
  content: Record<string, unknown>,
  result: VerificationResult,
  orgs: readonly Organization[],
  opts: { jwt?: boolean } = {},
): HTMLElement[] {
  return [
    resultBanner(result),
    stepsList(result.checks, t('stepsTitle')),
    credentialCard(content, orgs, { ...opts, trust: trustFor(content, result) }),
  ];
}

/** A presentation: its own checks (challenge, holder binding), then each credential in turn. */
export function presentationOutcome(
  content: Record<string, unknown>,
  result: VerificationResult,
  orgs: readonly Organization[],
): HTMLElement[] {
  const credentials = credentialsIn(content);
  return [
    resultBanner(result),
    stepsList(result.checks, t('presentationStepsTitle')),
    ...(result.credentialResults ?? []).map((r, i) =>
      h(
        'section',
        { class: 'presented-credential' },
        h('h3', {}, t('credentialNumber', { n: i + 1 })),
        resultBanner(r),
        stepsList(r.checks, t('stepsTitle')),
        credentials[i]
          ? credentialCard(credentials[i].content, orgs, { trust: trustFor(credentials[i].content, r) })
          : null,
      ),
    ),
  ];
}

function proofField(content: Record<string, unknown>, field: 'challenge' | 'domain'): string {
  const proof = Array.isArray(content['proof']) ? content['proof'][0] : content['proof'];
  return isRecord(proof) && typeof proof[field] === 'string' ? proof[field] : '';
}

/**
 * Links that only name what to verify (`#share=<id>`, a short `#request=<id or URL>`) are read from
 * the gateway, then classified as if pasted.
 */
async function resolveReference(parsed: Parsed): Promise<Parsed> {
  if (parsed.kind === 'share') {
    const shared = await fetchShare(parsed.id);
    const inner = await parseInput(JSON.stringify(shared));
    return inner.kind === 'share' || inner.kind === 'request-ref'
      ? { kind: 'error', reason: 'unrecognised' }
      : inner;
  }
  if (parsed.kind === 'request-ref') {
    const request = await fetchRequest(parsed.ref);
    return isPublicRequest(request)
      ? { kind: 'request', value: request }
      : { kind: 'error', reason: 'unrecognised' };
  }
  return parsed;
}

export interface VerifyView {
  el: HTMLElement;
  render: () => void;
  /** Verifies text as if the person had pasted it (links opened on this page use this). */
  run: (text: string) => Promise<void>;
}

export function verifyView(): VerifyView {
  const inputId = uid('input');
  const fileId = uid('file');
  const challengeId = uid('challenge');
  const domainId = uid('domain');
  const el = h('section', { class: 'view', id: 'view-verify', 'aria-labelledby': 'verify-title' });
  const textarea = h('textarea', {
    id: inputId,
    rows: 8,
    spellcheck: 'false',
    autocomplete: 'off',
    'data-testid': 'input',
  });
  const challenge = h('input', { id: challengeId, type: 'text', autocomplete: 'off' });
  const domain = h('input', { id: domainId, type: 'text', autocomplete: 'off' });
  const fileInput = h('input', {
    id: fileId,
    type: 'file',
    class: 'visually-hidden',
    accept: '.json,.jsonld,.txt,.jwt,application/json,text/plain,image/*',
    'data-testid': 'file',
  });
  const video = h('video', { class: 'camera', muted: true, hidden: true });
  const output = h('div', { class: 'output', 'aria-live': 'polite', 'data-testid': 'output' });

  let outcome: Outcome | undefined;
  let showOptions = false;
  let busy = false;
  let camera: { stop: () => void } | undefined;
  let orgs: Organization[] = [];

  const renderOutput = (): void => {
    if (busy) return replace(output, h('p', { class: 'busy' }, t('checking')));
    if (!outcome) return replace(output);
    switch (outcome.kind) {
      case 'credential': {
        const { parsed, result } = outcome;
        return replace(
          output,
          credentialOutcome(parsed.content, result, orgs, { jwt: typeof parsed.value === 'string' }),
          typeof parsed.value === 'string'
            ? null
            : receiptPanel({ verifiableCredential: parsed.value }, result),
        );
      }
      case 'presentation': {
        const { parsed, result, options } = outcome;
        return replace(
          output,
          presentationOutcome(parsed.content, result, orgs),
          typeof parsed.value === 'string'
            ? null
            : receiptPanel({ verifiablePresentation: parsed.value, options }, result),
        );
      }
      case 'request':
        return replace(output, holderAnswer(outcome.request));
      case 'message':
        return replace(
          output,
          h(
            'p',
            { class: 'error', role: 'alert' },
            outcome.key === 'badJson' ? t('badJson', { msg: outcome.detail ?? '' }) : t(outcome.key),
          ),
        );
      case 'error':
        return replace(output, verdictBanner('unknown', errorText(outcome.error)));
    }
  };

  // A newer run (another link opened in the tab) wins over one still waiting for the gateway.
  let latest = 0;
  const run = async (text: string): Promise<void> => {
    const mine = ++latest;
    textarea.value = text;
    busy = true;
    renderOutput();
    let next: Outcome;
    try {
      orgs = await organizations();
      const parsed = await resolveReference(await parseInput(text));
      if (parsed.kind === 'error') {
        next = {
          kind: 'message',
          key: parsed.reason,
          ...(parsed.message ? { detail: parsed.message } : {}),
        };
      } else if (parsed.kind === 'request') {
        next = { kind: 'request', request: parsed.value };
      } else if (parsed.kind === 'share' || parsed.kind === 'request-ref') {
        next = { kind: 'message', key: 'unrecognised' };
      } else if (parsed.kind === 'credential') {
        if (showOptions) {
          showOptions = false;
          renderForm();
        }
        next = { kind: 'credential', parsed, result: await verifyCredential(parsed.value) };
      } else {
        // Without the verifier's own challenge, the presentation's is used, and the page says what
        // that does and does not prove.
        if (!showOptions || !challenge.value) challenge.value = proofField(parsed.content, 'challenge');
        if (!showOptions || !domain.value) domain.value = proofField(parsed.content, 'domain');
        showOptions = true;
        renderForm();
        const options = { challenge: challenge.value, domain: domain.value };
        next = {
          kind: 'presentation',
          parsed,
          options,
          result: await verifyPresentation(parsed.value, options.challenge, options.domain),
        };
      }
    } catch (error) {
      next = { kind: 'error', error };
    }
    if (mine !== latest) return;
    outcome = next;
    busy = false;
    renderOutput();
  };

  const fromFile = async (file: File): Promise<void> => {
    if (file.type.startsWith('image/')) {
      const text = await decodeQrImage(file);
      if (!text) {
        outcome = { kind: 'message', key: 'qrNotFound' };
        renderOutput();
        return;
      }
      await run(text);
    } else {
      await run(await file.text());
    }
  };

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void fromFile(file);
    fileInput.value = '';
  });

  const form = h('form', { class: 'verify-form', novalidate: true });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(textarea.value);
  });
  form.addEventListener('dragover', (event) => {
    event.preventDefault();
    form.classList.add('dragging');
  });
  form.addEventListener('dragleave', () => form.classList.remove('dragging'));
  form.addEventListener('drop', (event) => {
    event.preventDefault();
    form.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) void fromFile(file);
    else {
      const text = event.dataTransfer?.getData('text/plain');
      if (text) void run(text);
    }
  });

  const cameraButton = h('button', { type: 'button', class: 'secondary' });
  cameraButton.addEventListener('click', () => {
    if (camera) {
      camera.stop();
      camera = undefined;
      video.hidden = true;
      renderForm();
      return;
    }
    video.hidden = false;
    scanCamera(video, (text) => {
      camera = undefined;
      video.hidden = true;
      renderForm();
      void run(text);
    })
      .then((handle) => {
        camera = handle;
        renderForm();
      })
      .catch((error: unknown) => {
        video.hidden = true;
        outcome = {
          kind: 'error',
          error: new Error(t('cameraError', { msg: error instanceof Error ? error.message : String(error) })),
        };
        renderOutput();
      });
  });

  const renderForm = (): void => {
    cameraButton.textContent = camera ? t('stopCamera') : t('scanCamera');
    video.setAttribute('aria-label', t('cameraVideo'));
    replace(
      form,
      h('label', { for: inputId }, t('inputLabel')),
      textarea,
      showOptions
        ? h(
            'fieldset',
            { class: 'vp-options' },
            h('legend', {}, t('presentationStepsTitle')),
            h('p', { class: 'note' }, t('presentationOptionsHint')),
            h('label', { for: challengeId }, t('challengeLabel')),
            challenge,
            h('label', { for: domainId }, t('domainLabel')),
            domain,
          )
        : null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', 'data-testid': 'verify' }, t('verifyButton')),
        h('label', { for: fileId, class: 'button secondary file-label', tabindex: '0' }, t('chooseFile')),
        fileInput,
        cameraAvailable() ? cameraButton : null,
      ),
      video,
    );
  };

  // The file picker's label acts as its button for keyboard users too.
  el.addEventListener('keydown', (event) => {
    const target = event.target;
    if (
      target instanceof HTMLElement &&
      target.classList.contains('file-label') &&
      (event.key === 'Enter' || event.key === ' ')
    ) {
      event.preventDefault();
      fileInput.click();
    }
  });

  const render = (): void => {
    replace(
      el,
      h('h2', { id: 'verify-title' }, t('verifyTitle')),
      h('p', { class: 'hint' }, t('verifyHint')),
      form,
      output,
    );
    renderForm();
    renderOutput();
  };
  render();
  return { el, render, run };
}

/** A holder opened a request link: show what is asked and let them submit a signed presentation. */
function holderAnswer(request: PublicRequest): HTMLElement {
  const id = uid('answer');
  const area = h('textarea', { id, rows: 6, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' });
  const host = new URL(request.responseUrl).host;
  const form = h(
    'form',
    { class: 'holder-answer' },
    h('h3', {}, t('holderAnswerTitle')),
    h(
      'p',
      {},
      t('holderAnswerHint', {
        org: request.verifier ?? request.domain,
        types: request.types.join(', '),
        host,
      }),
    ),
    h(
      'dl',
      { class: 'fields' },
      h('dt', {}, t('challengeLabel')),
      h('dd', { class: 'mono' }, request.challenge),
      h('dt', {}, t('domainLabel')),
      h('dd', { class: 'mono' }, request.domain),
    ),
    h('label', { for: id }, t('signedPresentation')),
    area,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('submitAnswer'))),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const parsed = await parseInput(area.value);
        if (parsed.kind !== 'presentation') {
          replace(status, h('p', { class: 'error', role: 'alert' }, t('unrecognised')));
          return;
        }
        const result = await answerRequest(request.responseUrl, parsed.value);
        replace(status, h('p', {}, t('answerAccepted')), resultBanner(result));
      } catch (error) {
        replace(status, h('p', { class: 'error', role: 'alert' }, errorText(error)));
      }
    })();
  });
  return form;
}
