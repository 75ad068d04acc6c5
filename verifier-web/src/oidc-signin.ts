import * as oauth from 'oauth4webapi';
import type { Session } from './api.js';
import { call, expectStatus } from './api.js';
import { isRecord } from './dom.js';
import { t } from './i18n.js';
import { signIn } from './session.js';

/**
 * Staff sign-in through the region's OpenID Connect provider (统一身份认证): the authorisation-code
 * flow with PKCE for a public client (no secret), run by the page with oauth4webapi. The access
 * token it ends with is then used exactly like a pasted token: kept only once `GET /session` has
 * said who it is.
 */

/** `GET /session/oidc`: the provider, this page's client id and the scopes to ask for. */
export interface ProviderSignIn {
  issuer: string;
  clientId: string;
  scope: string;
}

/** What the page keeps across the trip to the provider: in sessionStorage only, read once. */
interface Pending {
  issuer: string;
  clientId: string;
  codeVerifier: string;
  state: string;
  nonce: string;
  /** The page's view to come back to (the redirect URI is fixed, so it cannot carry `?view=`). */
  view: string;
}

const PENDING_KEY = 'verifier.oidc.pending';

/** Parameters of an authorisation response (RFC 6749 §4.1.2, RFC 9207 `iss`, session management). */
const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state'];

/** Why a provider sign-in ended without anybody signed in; `message` is for the page, in its language. */
export class ProviderSignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderSignInError';
  }
}

function isProviderSignIn(value: unknown): value is ProviderSignIn {
  return (
    isRecord(value) &&
    typeof value['issuer'] === 'string' &&
    typeof value['clientId'] === 'string' &&
    typeof value['scope'] === 'string'
  );
}

/** The gateway's provider sign-in, or undefined when it has none (404) or cannot say. */
export async function providerSignIn(): Promise<ProviderSignIn | undefined> {
  try {
    const body = expectStatus(await call('GET', '/session/oidc'), [200]);
    return isProviderSignIn(body) ? body : undefined;
  } catch {
    // No button then; a pasted token still works.
    return undefined;
  }
}

/**
 * Where the provider sends the browser back: this page's folder (`https://<gateway>/verify/`),
 * without query or fragment, so it is the same string as the one registered at the provider.
 */
export function redirectUri(): string {
  return new URL('./', `${location.origin}${location.pathname}`).href;
}

/**
 * Is this load the provider's answer? Only an authorisation response carries `code` or `error` in
 * the query; the page's own links use `view`, `gateway` and the fragment (`#vc=`, `#request=`, ...).
 */
export function isCallback(): boolean {
  const query = new URLSearchParams(location.search);
  return query.has('code') || query.has('error');
}

/**
 * Plain http is refused by oauth4webapi, as it should be; a provider on this machine's loopback
 * (a developer's or a test's) is the one exception.
 */
function httpOptions(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

/** The provider's metadata from its discovery document (the issuer must match exactly). */
async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  try {
    return await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, httpOptions(url)));
  } catch {
    throw new ProviderSignInError(t('oidcUnavailable'));
  }
}

/** Sends the browser to the provider's sign-in, with a fresh PKCE verifier, state and nonce. */
export async function startProviderSignIn(config: ProviderSignIn, view: string): Promise<void> {
  const as = await discover(config.issuer);
  if (!as.authorization_endpoint) throw new ProviderSignInError(t('oidcUnavailable'));
  const pending: Pending = {
    issuer: config.issuer,
    clientId: config.clientId,
    codeVerifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    view,
  };
  const target = new URL(as.authorization_endpoint);
  for (const [name, value] of Object.entries({
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: config.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
  })) {
    target.searchParams.set(name, value);
  }
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(target.href);
}

/** The pending sign-in, removed as it is read: a verifier and state serve one callback only. */
function takePending(): Pending | undefined {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return isRecord(value) && typeof value['state'] === 'string' ? (value as unknown as Pending) : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the callback's parameters out of the address bar, so a reload does not replay them. */
function clearCallbackFromAddress(): URL {
  const url = new URL(location.href);
  const clean = new URL(url.href);
  for (const name of CALLBACK_PARAMS) clean.searchParams.delete(name);
  history.replaceState(null, '', clean);
  return url;
}

/** The authorisation response's parameters, checked against the state this tab sent. */
function checkedCallback(as: oauth.AuthorizationServer, client: oauth.Client, url: URL, state: string) {
  try {
    return oauth.validateAuthResponse(as, client, url, state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError)
      throw new ProviderSignInError(t('oidcProviderRefused', { code: error.error }));
    // A state that is not the one sent (or none at all), or an answer from another issuer.
    throw new ProviderSignInError(t('oidcBadState'));
  }
}

/**
 * Completes the sign-in on the provider's redirect back: checks the state, redeems the code with
 * the PKCE verifier at the token endpoint, checks the ID token's nonce, then signs in with the
 * access token like a pasted one. Throws a ProviderSignInError (or the gateway's refusal).
 */
export async function finishProviderSignIn(): Promise<{ session: Session; view: string }> {
  const url = clearCallbackFromAddress();
  const pending = takePending();
  if (!pending) throw new ProviderSignInError(t('oidcNoPending'));
  const as = await discover(pending.issuer);
  const client: oauth.Client = { client_id: pending.clientId };
  const params = checkedCallback(as, client, url, pending.state);
  const options = httpOptions(new URL(pending.issuer));
  let accessToken: string;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      redirectUri(),
      pending.codeVerifier,
      options,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    accessToken = result.access_token;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ProviderSignInError(t('oidcTokenFailed', { msg: detail }));
  }
  return { session: await signIn(accessToken), view: pending.view };
}
