import './style.css';
import { gatewayBase, setGatewayBase, setToken, token } from './api.js';
import { auditView } from './audit-view.js';
import { h, replace, uid } from './dom.js';
import { lang, onLangChange, setLang, t } from './i18n.js';
import { linkInLocation } from './input.js';
import { requestView } from './request-view.js';
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
    if (tokenInput.value.trim()) setToken(tokenInput.value.trim());
    renderAll();
  });
  const signOut = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'sign-out' },
    t('signOut'),
  );
  signOut.addEventListener('click', () => {
    setToken(undefined);
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
  replace(
    account,
    token()
      ? h('p', { class: 'signed-in', 'data-testid': 'signed-in' }, `✓ ${t('signedIn')} `, signOut)
      : h(
          'details',
          { class: 'sign-in-box', open: active !== 'verify' },
          h('summary', {}, t('signInTitle')),
          signInForm,
        ),
    h('details', { class: 'settings' }, h('summary', {}, t('settings')), settings),
  );
}

function renderAll(): void {
  document.title = t('appTitle');
  renderHeader();
  renderAccount();
  for (const view of Object.values(views)) view.render();
  replace(main, views[active].el);
}

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

// A link that carries a credential, presentation or request is verified (or shown) at once.
const link = linkInLocation();
if (link) {
  show('verify');
  void views.verify.run(link);
}
