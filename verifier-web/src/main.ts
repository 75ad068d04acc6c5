import './style.css';
import { gatewayBase, setGatewayBase } from './api.js';
import { auditView } from './audit-view.js';
import { h, replace, uid } from './dom.js';
import { lang, onLangChange, setLang, t, tMaybe } from './i18n.js';
import { linkInLocation } from './input.js';
import {
  ProviderSignInError,
  finishProviderSignIn,
  isCallback,
  providerSignIn,
  startProviderSignIn,
  type ProviderSignIn,
} from './oidc-signin.js';
import { requestView } from './request-view.js';
import { errorText } from './result-view.js';
import { currentSession, forgetUncheckedToken, signIn, signOut } from './session.js';
import { verifyView } from './verify-view.js';

type ViewName = 'verify' | 'request' | 'audit';

const root = document.getElementById('app');
if (!root) throw new Error('no #app element');

const views = { verify: verifyView(), request: requestView(), audit: auditView() };
const initial = new URLSearchParams(location.search).get('view');
let active: ViewName = initial === 'request' || initial === 'audit' ? initial : 'verify';

const header = h('header', { class: 'top' });
const nav = h('nav', { class: 'tabs' });
const account = h('section', { class: 'account' });
const main = h('main', { id: 'main', tabindex: '-1' });

function show(name: ViewName): void {
  active = name;
  const url = new URL(location.href);
  if (name === 'verify') url.searchParams.delete('view');
  else url.searchParams.set('view', name);
  history.replaceState(null, '', url);
  renderAll();
}

function renderHeader(): void {
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'lang-toggle',
      lang: lang() === 'zh' ? 'en' : 'zh-CN',
      'aria-label': t('switchLanguageLabel'),
    },
    t('switchLanguage'),
  );
  toggle.addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  replace(
    header,
    h('a', { class: 'skip-link', href: '#main' }, t('skipToContent')),
    h('div', { class: 'brand' }, h('h1', {}, t('appTitle')), h('p', {}, t('appSubtitle'))),
    toggle,
  );
  replace(
    nav,
    h(
      'ul',
      { 'aria-label': t('mainNav') },
      (['verify', 'request', 'audit'] as const).map((name) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-current': name === active ? 'page' : undefined,
              'data-view': name,
              onclick: () => show(name),
            },
            t(name === 'verify' ? 'navVerify' : name === 'request' ? 'navRequest' : 'navAudit'),
          ),
        ),
      ),
    ),
  );
  nav.setAttribute('aria-label', t('mainNav'));
}

function renderAccount(): void {
  const tokenId = uid('token');
  const gatewayId = uid('gateway');
  const tokenInput = h('input', {
    id: tokenId,
    type: 'password',
    autocomplete: 'off',
    'data-testid': 'token',
  });
  const gatewayInput = h('input', {
    id: gatewayId,
    type: 'url',
    value: gatewayBase(),
    placeholder: location.origin,
  });
  const signInForm = h(
    'form',
    { class: 'sign-in' },
    h('label', { for: tokenId }, t('token')),
    h(
      'div',
      { class: 'inline' },
      tokenInput,
      h('button', { type: 'submit', 'data-testid': 'sign-in' }, t('signIn')),
    ),
    h('p', { class: 'small' }, t('signInHint')),
  );
  signInForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const candidate = tokenInput.value.trim();
    if (candidate) void checkToken(candidate);
  });
  const signOutButton = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'sign-out' },
    t('signOut'),
  );
  signOutButton.addEventListener('click', () => {
    signOut();
    renderAll();
  });
  const settings = h(
    'form',
    { class: 'inline' },
    h('label', { for: gatewayId }, t('gatewayUrl')),
    gatewayInput,
    h('button', { type: 'submit', class: 'secondary' }, t('save')),
  );
  settings.addEventListener('submit', (event) => {
    event.preventDefault();
    setGatewayBase(gatewayInput.value);
    location.reload();
  });
  const session = currentSession();
  replace(
    account,
    session
      ? h(
          'p',
          {
            class: 'signed-in',
            'data-testid': 'signed-in',
            'data-org': session.orgId,
            'data-role': session.role,
          },
          `✓ ${t('signedInAs', {
            org: lang() === 'zh' ? session.orgName.zh : session.orgName.en,
            role: tMaybe(`role_${session.role}`) ?? session.role,
          })} `,
          signOutButton,
        )
      : h(
          'div',
          { class: 'sign-in-options' },
          // Staff sign in at the provider; the token form stays for machine users.
          provider ? providerButton(provider) : null,
          h(
            'details',
            { class: 'sign-in-box', open: active !== 'verify' || signInNote !== undefined },
            h('summary', {}, t('signInTitle')),
            signInForm,
            signInNote
              ? h(
                  'p',
                  signInNote.error
                    ? { class: 'error', role: 'alert', 'data-testid': 'sign-in-error' }
                    : { class: 'busy', role: 'status' },
                  signInNote.text,
                )
              : null,
          ),
        ),
    h('details', { class: 'settings' }, h('summary', {}, t('settings')), settings),
  );
}

/** What the sign-in form says below itself: checking, or why the token was refused. */
let signInNote: { text: string; error: boolean } | undefined;

/** Runs a sign-in step with `busy` shown below the form, then its failure, if any, instead. */
async function signInStep(busy: string, step: () => Promise<unknown>): Promise<void> {
  signInNote = { text: busy, error: false };
  renderAll();
  try {
    await step();
    signInNote = undefined;
  } catch (error) {
    // The provider sign-in words its own failures; a refused token is shown as the gateway words it.
    const text =
      error instanceof ProviderSignInError ? error.message : t('signInRefused', { msg: errorText(error) });
    signInNote = { text, error: true };
  }
  renderAll();
}

/** Signs in only once the gateway knows the token; a refusal is shown as the gateway words it. */
async function checkToken(candidate: string): Promise<void> {
  await signInStep(t('signInChecking'), () => signIn(candidate));
}

/** The provider sign-in this gateway offers (`GET /session/oidc`), once it has answered. */
let provider: ProviderSignIn | undefined;

function providerButton(config: ProviderSignIn): HTMLElement {
  const button = h(
    'button',
    { type: 'button', class: 'oidc-sign-in', 'data-testid': 'oidc-sign-in' },
    t('oidcSignIn'),
  );
  button.addEventListener('click', () => {
    void signInStep(t('oidcRedirecting'), () => startProviderSignIn(config, active));
  });
  return h('div', { class: 'oidc' }, button, h('p', { class: 'small' }, t('oidcSignInHint')));
}

/** Back from the provider: finishes its sign-in and returns to the view it was started from. */
async function returnFromProvider(): Promise<void> {
  await signInStep(t('oidcFinishing'), async () => {
    const { view } = await finishProviderSignIn();
    if (view === 'verify' || view === 'request' || view === 'audit') active = view;
  });
  show(active);
}

function renderAll(): void {
  document.title = t('appTitle');
  renderHeader();
  renderAccount();
  for (const view of Object.values(views)) view.render();
  replace(main, views[active].el);
}

forgetUncheckedToken();
onLangChange(renderAll);
document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
replace(
  root,
  header,
  nav,
  account,
  main,
  h('footer', { class: 'foot' }, 'W3C VC 2.0 · Data Integrity eddsa-rdfc-2022'),
);
renderAll();

// A link that carries a credential, presentation or request is verified (or shown) at once, and
// so is the next one opened in the same tab: that changes only the fragment, with no reload.
function runLinkInLocation(): void {
  const link = linkInLocation();
  if (!link) return;
  show('verify');
  void views.verify.run(link);
}
window.addEventListener('hashchange', runLinkInLocation);
runLinkInLocation();

void (async () => {
  if (isCallback()) await returnFromProvider();
  provider = await providerSignIn();
  renderAll();
})();
