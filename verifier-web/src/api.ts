import type {
  CheckResult,
  Organization as DomainOrganization,
  PresentationResult,
  VerificationResult as CredentialResult,
} from '@edu-ledger/domain';
import { isRecord } from './dom.js';
import { lang } from './i18n.js';

// The gateway's own types (lib/domain): imported as types only, so no schema code reaches the page.
export type { CheckResult };
export type CheckStatus = CheckResult['status'];

/** A credential's result, or a presentation's (then with one result per credential, in order). */
export type VerificationResult = CredentialResult & Partial<Pick<PresentationResult, 'credentialResults'>>;

/** A refusal from the gateway (its `{error: {code, message}}` envelope), or no answer at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const GATEWAY_KEY = 'verifier.gateway';
const TOKEN_KEY = 'verifier.token';

/**
 * The gateway this page talks to: `?gateway=` (remembered), else the saved setting, else this
 * page's own origin, which is the case when the gateway serves the page at /verify.
 */
export function gatewayBase(): string {
  const fromQuery = new URLSearchParams(location.search).get('gateway');
  if (fromQuery) localStorage.setItem(GATEWAY_KEY, fromQuery);
  return (fromQuery ?? localStorage.getItem(GATEWAY_KEY) ?? '').replace(/\/+$/, '');
}

export function setGatewayBase(url: string): void {
  if (url.trim()) localStorage.setItem(GATEWAY_KEY, url.trim());
  else localStorage.removeItem(GATEWAY_KEY);
}

// The token lives in sessionStorage: it leaves with the tab and is never written to disk by us.
export function token(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function setToken(value: string | undefined): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export async function call(
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; auth?: boolean; absolute?: boolean; bearer?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const bearer = opts.bearer ?? (opts.auth ? token() : undefined);
  let response: Response;
  try {
    response = await fetch(opts.absolute ? path : `${gatewayBase()}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        // The gateway answers its messages in the page's language (issue 14).
        'accept-language': lang() === 'zh' ? 'zh-CN,zh;q=0.9' : 'en',
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : String(error));
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Kept as text: the error message below shows it.
  }
  return { status: response.status, body };
}

/** Throws the gateway's error envelope as an ApiError unless the status is one of `ok`. */
export function expectStatus(res: { status: number; body: unknown }, ok: readonly number[]): unknown {
  if (ok.includes(res.status)) return res.body;
  const error = isRecord(res.body) && isRecord(res.body['error']) ? res.body['error'] : undefined;
  throw new ApiError(
    res.status,
    typeof error?.['code'] === 'string' ? error['code'] : 'HTTP',
    typeof error?.['message'] === 'string' ? error['message'] : String(res.body).slice(0, 200),
  );
}

function isCheck(value: unknown): value is CheckResult {
  return (
    isRecord(value) &&
    typeof value['check'] === 'string' &&
    (value['status'] === 'valid' || value['status'] === 'invalid' || value['status'] === 'not-checked') &&
    typeof value['reason'] === 'string'
  );
}

export function isVerificationResult(value: unknown): value is VerificationResult {
  return (
    isRecord(value) &&
    typeof value['verified'] === 'boolean' &&
    Array.isArray(value['checks']) &&
    value['checks'].every(isCheck) &&
    (value['credentialResults'] === undefined ||
      (Array.isArray(value['credentialResults']) && value['credentialResults'].every(isVerificationResult)))
  );
}

/**
 * Verify answers 200 when every check passed and 400 with the same body when one failed: both are
 * results. Anything else is the error envelope.
 */
function asResult(res: { status: number; body: unknown }): VerificationResult {
  if ((res.status === 200 || res.status === 400) && isVerificationResult(res.body)) return res.body;
  expectStatus(res, []);
  throw new ApiError(res.status, 'HTTP', 'unexpected answer');
}

export async function verifyCredential(vc: unknown): Promise<VerificationResult> {
  // The page vouches only for what this registry vouches for (see README, what verified means).
  return asResult(
    await call('POST', '/credentials/verify', {
      body: { verifiableCredential: vc, options: { requireTrustedIssuer: true } },
    }),
  );
}

export async function verifyPresentation(
  vp: unknown,
  challenge: string,
  domain: string,
): Promise<VerificationResult> {
  return asResult(
    await call('POST', '/presentations/verify', {
      body: {
        verifiablePresentation: vp,
        options: { challenge, domain, requireTrustedIssuer: true, requireHolderBinding: true },
      },
    }),
  );
}

/** Answers a verification request; the URL comes from the request itself. */
export async function answerRequest(responseUrl: string, vp: unknown): Promise<VerificationResult> {
  return asResult(await call('POST', responseUrl, { body: { verifiablePresentation: vp }, absolute: true }));
}

/** The part of an organisation the page reads from GET /organizations. */
export type Organization = Pick<DomainOrganization, 'orgId' | 'kind' | 'did' | 'name'>;

function isOrganization(value: unknown): value is Organization {
  return (
    isRecord(value) &&
    typeof value['orgId'] === 'string' &&
    typeof value['did'] === 'string' &&
    isRecord(value['name']) &&
    typeof value['name']['zh'] === 'string' &&
    typeof value['name']['en'] === 'string'
  );
}

let orgCache: Promise<Organization[]> | undefined;

/** The public registry, fetched once per page: names for issuers and the audit school list. */
export function organizations(): Promise<Organization[]> {
  orgCache ??= call('GET', '/organizations')
    .then((res) => {
      const body = expectStatus(res, [200]);
      const list = isRecord(body) && Array.isArray(body['organizations']) ? body['organizations'] : [];
      return list.filter(isOrganization);
    })
    .catch(() => {
      orgCache = undefined;
      return [];
    });
  return orgCache;
}

export type AccreditationState = 'active' | 'suspended' | 'not-yet-valid' | 'expired';

export interface TrustLink {
  did: string;
  orgId: string;
  kind: string;
  name: { zh: string; en: string };
  relation: 'root' | 'registered' | 'accredited';
  since: string;
}

/** `GET /registry/issuers/{did}`: the issuer's accreditations per credential type, each with its chain. */
export interface IssuerTrust {
  issuer: { did: string; orgId: string; kind: string; name: { zh: string; en: string } };
  asOf: string;
  inRegistry: boolean;
  registry: string;
  credentialTypes: {
    credentialType: string;
    accredited: boolean;
    accreditations: {
      accreditationId: string;
      state: AccreditationState;
      validFrom: string;
      validUntil: string;
      chain: TrustLink[];
    }[];
  }[];
}

function isIssuerTrust(value: unknown): value is IssuerTrust {
  return (
    isRecord(value) &&
    isRecord(value['issuer']) &&
    typeof value['inRegistry'] === 'boolean' &&
    typeof value['registry'] === 'string' &&
    Array.isArray(value['credentialTypes']) &&
    value['credentialTypes'].every(
      (t) =>
        isRecord(t) &&
        typeof t['credentialType'] === 'string' &&
        Array.isArray(t['accreditations']) &&
        t['accreditations'].every(
          (a) => isRecord(a) && Array.isArray(a['chain']) && a['chain'].every(isOrganizationLink),
        ),
    )
  );
}

function isOrganizationLink(value: unknown): value is TrustLink {
  return isRecord(value) && typeof value['relation'] === 'string' && isOrganization(value);
}

const trustCache = new Map<string, Promise<IssuerTrust | null>>();

/**
 * An issuer's trust chain from the ledger, or null when no organisation with that DID is
 * registered. Kept for the page's lifetime per DID (a language switch shows it again at once); a
 * failed read is not kept.
 */
export function issuerTrust(did: string): Promise<IssuerTrust | null> {
  let pending = trustCache.get(did);
  if (!pending) {
    pending = call('GET', `/registry/issuers/${encodeURIComponent(did)}`).then((res) => {
      if (res.status === 404) return null;
      const body = expectStatus(res, [200]);
      if (!isIssuerTrust(body)) throw new ApiError(res.status, 'HTTP', 'unexpected answer');
      return body;
    });
    trustCache.set(did, pending);
    pending.catch(() => trustCache.delete(did));
  }
  return pending;
}

/** `GET /session`: who a token acts as. */
export interface Session {
  orgId: string;
  orgName: { zh: string; en: string };
  role: string;
}

function isSession(value: unknown): value is Session {
  return (
    isRecord(value) &&
    typeof value['orgId'] === 'string' &&
    typeof value['role'] === 'string' &&
    isRecord(value['orgName']) &&
    typeof value['orgName']['zh'] === 'string' &&
    typeof value['orgName']['en'] === 'string'
  );
}

/** Asks the gateway who `bearer` is; throws its refusal (401 for an unknown token) as an ApiError. */
export async function whoIs(bearer: string): Promise<Session> {
  const body = expectStatus(await call('GET', '/session', { bearer }), [200]);
  if (!isSession(body)) throw new ApiError(200, 'HTTP', 'unexpected answer');
  return body;
}

export interface DimensionSet {
  setId: string;
  region: { zh: string; en: string };
  dimensions: { dimensionId: string; label: { zh: string; en: string } }[];
}

function isDimensionSet(value: unknown): value is DimensionSet {
  return (
    isRecord(value) &&
    typeof value['setId'] === 'string' &&
    Array.isArray(value['dimensions']) &&
    value['dimensions'].every(
      (d) => isRecord(d) && typeof d['dimensionId'] === 'string' && isRecord(d['label']),
    )
  );
}

let setCache: Promise<DimensionSet[]> | undefined;

/** The bureau's growth-archive dimension sets (public), fetched once per page; [] when unavailable. */
export function dimensionSets(): Promise<DimensionSet[]> {
  setCache ??= call('GET', '/dimension-sets')
    .then((res) => {
      const body = expectStatus(res, [200]);
      const list = isRecord(body) && Array.isArray(body['dimensionSets']) ? body['dimensionSets'] : [];
      return list.filter(isDimensionSet);
    })
    .catch(() => {
      setCache = undefined;
      return [];
    });
  return setCache;
}

/**
 * A shared credential or presentation behind a `#share=<id>` link: `GET /shares/<id>` answers
 * `{verifiableCredential}` or `{verifiablePresentation}`, which the page then verifies as pasted.
 */
export async function fetchShare(id: string): Promise<unknown> {
  return expectStatus(await call('GET', `/shares/${encodeURIComponent(id)}`), [200]);
}

/**
 * A verification request behind a short `#request=<id or URL>` link. The public part is read
 * from the request's URL (or `/verification-requests/<id>` on this gateway); the gateway may
 * answer the public part alone or the verifier's view `{request, status}`.
 */
export async function fetchRequest(ref: string): Promise<unknown> {
  const absolute = /^https?:\/\//.test(ref);
  const path = absolute ? ref : `/verification-requests/${encodeURIComponent(ref)}`;
  const body = expectStatus(await call('GET', path, { absolute, auth: true }), [200]);
  return isRecord(body) && isRecord(body['request']) ? body['request'] : body;
}
