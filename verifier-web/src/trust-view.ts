import { issuerTrust, type IssuerTrust, type TrustLink } from './api.js';
import { h, isRecord, replace } from './dom.js';
import { formatDate, lang, t, tMaybe } from './i18n.js';
import { errorText } from './result-view.js';

/** The base type: an accreditation for it covers generic credentials (types the region does not regulate). */
const GENERIC = 'VerifiableCredential';

function orgName(name: { zh: string; en: string }): string {
  return lang() === 'zh' ? name.zh : `${name.en} (${name.zh})`;
}

/** The credential's issuer DID, whether `issuer` is a string or an object with an id. */
export function issuerDid(content: Record<string, unknown>): string | undefined {
  const issuer = content['issuer'];
  if (typeof issuer === 'string') return issuer;
  return isRecord(issuer) && typeof issuer['id'] === 'string' ? issuer['id'] : undefined;
}

function credentialTypes(content: Record<string, unknown>): string[] {
  const type = content['type'];
  return (Array.isArray(type) ? type : [type]).filter((x): x is string => typeof x === 'string');
}

/**
 * Which of the issuer's accreditation entries speak for this credential: the ones for its own
 * types, else (a generic credential) the one for the base type.
 */
function relevant(trust: IssuerTrust, types: readonly string[]): IssuerTrust['credentialTypes'] {
  const own = trust.credentialTypes.filter(
    (c) => c.credentialType !== GENERIC && types.includes(c.credentialType),
  );
  if (own.length > 0) return own;
  return trust.credentialTypes.filter((c) => c.credentialType === GENERIC);
}

function chainView(chain: readonly TrustLink[]): HTMLElement {
  return h(
    'ol',
    { class: 'trust-links', 'aria-label': t('trustTitle') },
    chain.map((link, i) =>
      h(
        'li',
        { 'data-org': link.orgId, 'data-relation': link.relation },
        i > 0 ? h('span', { class: 'trust-arrow', 'aria-hidden': 'true' }, '→ ') : null,
        h('strong', {}, orgName(link.name)),
        ' ',
        h('span', { class: 'small' }, `(${tMaybe(`trustRelation_${link.relation}`) ?? link.relation})`),
      ),
    ),
  );
}

function typeLabel(type: string): string {
  return type === GENERIC ? t('trustGeneric') : type;
}

function trustBody(trust: IssuerTrust | null, types: readonly string[]): (HTMLElement | null)[] {
  if (trust === null)
    return [h('p', { class: 'trust-verdict', 'data-in-registry': 'false' }, t('trustUnknownIssuer'))];
  const entries = relevant(trust, types);
  return [
    h(
      'p',
      { class: 'trust-verdict', 'data-in-registry': String(trust.inRegistry) },
      t(trust.inRegistry ? 'trustInRegistry' : 'trustNotInRegistry'),
    ),
    entries.length === 0
      ? h(
          'p',
          { class: 'note' },
          t('trustNoType', { types: types.filter((x) => x !== GENERIC).join(', ') || GENERIC }),
        )
      : null,
    ...entries.map((entry) =>
      h(
        'section',
        {
          class: 'trust-type',
          'data-type': entry.credentialType,
          'data-accredited': String(entry.accredited),
        },
        h('h5', {}, typeLabel(entry.credentialType)),
        entry.accreditations.map((a) =>
          h(
            'div',
            { class: `trust-accreditation trust-${a.state}`, 'data-state': a.state },
            chainView(a.chain),
            h(
              'p',
              { class: 'small' },
              h('span', { class: 'trust-state' }, tMaybe(`trustState_${a.state}`) ?? a.state),
              ' · ',
              t('trustValidity', { from: formatDate(a.validFrom), until: formatDate(a.validUntil) }),
            ),
          ),
        ),
      ),
    ),
    h('p', { class: 'small' }, h('a', { href: trust.registry, rel: 'noopener' }, t('trustRegistryLink'))),
  ];
}

/**
 * The issuer's trust chain as the ledger records it, for the credential's types: root bureau →
 * accrediting bureau → issuer, with each accreditation's validity and state now. Filled in when
 * the gateway answers; shown next to the issuer of a credential whose signature held.
 */
export function trustPanel(content: Record<string, unknown>): HTMLElement | null {
  const did = issuerDid(content);
  if (did === undefined) return null;
  const types = credentialTypes(content);
  const body = h(
    'div',
    { class: 'trust-body', 'aria-live': 'polite' },
    h('p', { class: 'busy' }, t('trustLoading')),
  );
  const panel = h(
    'section',
    { class: 'trust-chain', 'data-testid': 'trust-chain', 'data-issuer': did },
    h('h4', {}, t('trustTitle')),
    body,
  );
  issuerTrust(did)
    .then((trust) => {
      panel.setAttribute('data-loaded', 'true');
      replace(body, trustBody(trust, types));
    })
    .catch((error: unknown) => {
      panel.setAttribute('data-loaded', 'error');
      replace(body, h('p', { class: 'note' }, t('trustUnavailable', { msg: errorText(error) })));
    });
  return panel;
}
