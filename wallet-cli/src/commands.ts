import { randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { VerificationResult } from '@edu-ledger/domain';
import type { Output } from './errors.js';
import type { DocumentLoader, VerifiableCredential } from '@edu-ledger/credentials';
import { EXIT, OutputError, WalletError } from './errors.js';
import { credentialForm, parseCredentialText, storedForm, type CredentialForm } from './forms.js';
import { errorOf, GatewayClient, refusal } from './gateway.js';
import type { Lang, MessageKey, Translate } from './i18n.js';
import { identityFromMnemonic, newMnemonic, normaliseMnemonic, type HolderIdentity } from './identity.js';
import { renderChecks, renderCredential, summarise, type IssuerNames, type LiveStatus } from './render.js';
import { readRequest, type VerificationRequest } from './request.js';
import { compactVerifyLink, ShareCreated, TERMINAL_COLUMNS, terminalQr, terminalQrColumns } from './share.js';
import { backupPassphrase, mnemonicInput, walletPassphrase } from './secrets.js';
import { openText, writeFileAtomic } from './sealed-file.js';
import {
  findCredential,
  parseWalletText,
  sealWallet,
  type OpenWallet,
  type StoredCredential,
  type WalletData,
  type WalletStore,
} from './wallet.js';

/** What every command gets: the language, the output mode, the wallet folder and the gateway. */
export interface Context {
  lang: Lang;
  t: Translate;
  json: boolean;
  store: WalletStore;
  gateway: GatewayClient;
}

export type { Output } from './errors.js';

/** A holder's claim proof lives this long: it answers one challenge, now (the gateway allows 600 s). */
const CLAIM_PROOF_LIFETIME_S = 120;
/** A consent request proof lives this long: the gateway acts on it at once. */
const CONSENT_PROOF_LIFETIME_S = 120;
/** A VP-JWT is valid this long: a verifier checks it right after it is made. */
const VP_JWT_LIFETIME_S = 600;

const OfferView = z.object({
  offerId: z.string(),
  offerUrl: z.string(),
  issuer: z.object({ orgId: z.string(), name: z.object({ zh: z.string(), en: z.string() }) }),
  types: z.array(z.string()),
  challenge: z.string(),
  expiresAt: z.string(),
  status: z.enum(['open', 'claimed', 'expired']),
});

const Organizations = z.object({
  organizations: z.array(
    z.looseObject({ did: z.string(), name: z.object({ zh: z.string(), en: z.string() }) }),
  ),
});

/*
 * The VC library, did-jwt and qrcode are loaded when a command needs them: together they are most
 * of the start-up time, and `list`, `show`, `export`, `--help` and the like do not use them.
 */
const credentialsLib = () => import('@edu-ledger/credentials');
const didJwt = () => import('did-jwt');

function now(): Date {
  return new Date();
}

/** Opens the wallet with the passphrase from the environment or a prompt. */
async function openWallet(ctx: Context): Promise<{ wallet: OpenWallet; passphrase: string }> {
  if (!(await ctx.store.hasContent()))
    throw new WalletError(EXIT.NOT_FOUND, 'noWallet', { home: ctx.store.home });
  const passphrase = await walletPassphrase(ctx.t);
  return { wallet: await ctx.store.open(passphrase), passphrase };
}

function freshWallet(identity: HolderIdentity, mnemonic: string): WalletData {
  return {
    version: 1,
    did: identity.did,
    mnemonic,
    createdAt: now().toISOString(),
    credentials: [],
    didDocuments: {},
  };
}

/** Creates a wallet from new or given words in an empty folder (init and restore share this). */
async function createWallet(ctx: Context, words: string): Promise<HolderIdentity> {
  const identity = await identityFromMnemonic(words);
  const passphrase = await walletPassphrase(ctx.t, true);
  await ctx.store.withLock(async () => {
    // Checked again under the lock: another process may have created a wallet meanwhile.
    if (await ctx.store.hasContent())
      throw new WalletError(EXIT.USAGE, 'walletNotEmpty', { home: ctx.store.home });
    await ctx.store.save(passphrase, freshWallet(identity, normaliseMnemonic(words)));
  });
  return identity;
}

/** `init`: a new holder DID from fresh recovery words, shown once. */
export async function init(ctx: Context): Promise<Output> {
  if (await ctx.store.hasContent())
    throw new WalletError(EXIT.USAGE, 'walletNotEmpty', { home: ctx.store.home });
  const mnemonic = newMnemonic();
  const identity = await createWallet(ctx, mnemonic);
  const words = mnemonic
    .split(' ')
    .map((word, i) => `${String(i + 1).padStart(2, ' ')}. ${word}`)
    .join('\n');
  return {
    json: { did: identity.did, mnemonic },
    text: [
      ctx.t('initDone', { did: identity.did, home: ctx.store.home }),
      '',
      words,
      '',
      ctx.t('mnemonicWarning'),
    ].join('\n'),
  };
}

/** `restore`: the same DID from its recovery words, into an empty wallet folder. */
export async function restore(ctx: Context, option: string | undefined): Promise<Output> {
  if (await ctx.store.hasContent())
    throw new WalletError(EXIT.USAGE, 'walletNotEmpty', { home: ctx.store.home });
  const words = await mnemonicInput(ctx.t, option);
  const identity = await createWallet(ctx, words);
  // The words bring back the identity only: say so now, not when the person looks for a credential.
  const warning = ctx.t('restoreNoCredentials');
  return {
    json: { did: identity.did, credentials: 0, warning },
    text: [ctx.t('restoreDone', { did: identity.did }), '', warning].join('\n'),
  };
}

/** `did`: the holder DID of this wallet. */
export async function showDid(ctx: Context): Promise<Output> {
  const { wallet } = await openWallet(ctx);
  return { json: { did: wallet.data.did }, text: wallet.data.did };
}

function issuerDidOf(credential: Record<string, unknown>): string | undefined {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  if (typeof issuer === 'object' && issuer !== null) {
    const id = (issuer as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

function subjectIdsOf(credential: Record<string, unknown>): unknown[] {
  const subject = credential.credentialSubject;
  const subjects = Array.isArray(subject) ? subject : [subject];
  return subjects.map((s: unknown) =>
    typeof s === 'object' && s !== null ? (s as { id?: unknown }).id : undefined,
  );
}

/** A loader that resolves did:key locally and other DIDs only from the wallet's cached documents. */
async function offlineLoader(data: WalletData): Promise<DocumentLoader> {
  const { createDocumentLoader } = await credentialsLib();
  return createDocumentLoader({ resolveDid: async (did) => data.didDocuments[did] ?? null });
}

/** The issuer of a credential that must be about this wallet's DID; refuses anything else. */
function ownCredentialIssuer(credential: Record<string, unknown>, did: string): string {
  if (!subjectIdsOf(credential).every((id) => id === did)) {
    throw new WalletError(EXIT.VERIFICATION_FAILED, 'notOurCredential', { did });
  }
  const issuerDid = issuerDidOf(credential);
  if (issuerDid === undefined) {
    throw new WalletError(EXIT.VERIFICATION_FAILED, 'receivedInvalid', { reason: 'no issuer' });
  }
  return issuerDid;
}

/** A DID document as the gateway served it, accepted only if it is the issuer's. */
function checkedDidDocument(doc: unknown, issuerDid: string): Record<string, unknown> {
  if (typeof doc !== 'object' || doc === null || (doc as { id?: unknown }).id !== issuerDid) {
    throw new WalletError(EXIT.VERIFICATION_FAILED, 'receivedInvalid', { reason: 'issuer DID document' });
  }
  return doc as Record<string, unknown>;
}

/**
 * A credential's proof checked offline, against the DID documents the wallet holds: the Data
 * Integrity proof, or the vc+jwt's JWS signature by the issuer's key.
 */
async function offlineProofCheck(
  form: CredentialForm,
  data: WalletData,
): Promise<{ verified: boolean; error?: { code: string; message: string } }> {
  const { verifyCredentialJwt, verifyCredentialProof } = await credentialsLib();
  const documentLoader = await offlineLoader(data);
  return form.jwt === undefined
    ? verifyCredentialProof({ credential: form.stored, documentLoader })
    : verifyCredentialJwt({ jwt: form.jwt, documentLoader });
}

/** Checks a credential's proof offline, against the DID documents the wallet holds. */
async function requireValidProof(form: CredentialForm, data: WalletData): Promise<void> {
  const check = await offlineProofCheck(form, data);
  if (!check.verified) {
    throw new WalletError(EXIT.VERIFICATION_FAILED, 'receivedInvalid', {
      reason: check.error ? `${check.error.code}: ${check.error.message}` : 'signature',
    });
  }
}

/**
 * The offer's gateway base URL and id, from `<base>/credential-offers/<id>`: the issuer's DID
 * document comes from the same gateway that made the offer, whatever `--gateway` says.
 */
function parseOfferUrl(raw: string): { url: string; base: string; offerId: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WalletError(EXIT.USAGE, 'badOfferUrl', { url: raw });
  }
  const match = /^(.*)\/credential-offers\/([A-Za-z0-9_-]{10,64})\/?$/.exec(url.pathname);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !match?.[2]) {
    throw new WalletError(EXIT.USAGE, 'badOfferUrl', { url: raw });
  }
  const base = `${url.origin}${match[1] ?? ''}`;
  return { url: `${base}/credential-offers/${match[2]}`, base, offerId: match[2] };
}

/**
 * `receive`: claims an offer with a did-jwt proving control of our DID (nonce = the offer's
 * challenge, aud = the offer URL), checks the credential is for us and that its signature
 * verifies against the issuer's DID document from the ledger, caches that document for offline
 * verification, and stores the credential. The wallet stays locked from before the claim to the
 * save, so a claimed credential cannot be lost to a concurrent writer.
 */
export async function receive(ctx: Context, offerUrlRaw: string): Promise<Output> {
  const offer = parseOfferUrl(offerUrlRaw);
  // Opened once before locking, so a wrong passphrase fails before anything else happens.
  const { passphrase } = await openWallet(ctx);
  const client = new GatewayClient(offer.base);
  return ctx.store.withLock(async () => {
    // Re-read under the lock so a change made since the first open is kept.
    const current = await ctx.store.open(passphrase);
    const viewAnswer = await client.request('GET', offer.url);
    if (viewAnswer.status === 404) throw new WalletError(EXIT.NOT_FOUND, 'offerNotFound', { url: offer.url });
    if (viewAnswer.status !== 200) throw refusal(viewAnswer);
    const parsedView = OfferView.safeParse(viewAnswer.body);
    if (!parsedView.success || parsedView.data.offerId !== offer.offerId) {
      throw new WalletError(EXIT.GATEWAY, 'badAnswer', { url: offer.url, status: viewAnswer.status });
    }
    const view = parsedView.data;
    if (view.status === 'claimed') throw new WalletError(EXIT.OFFER_UNAVAILABLE, 'offerClaimed');
    if (view.status === 'expired') {
      throw new WalletError(EXIT.OFFER_UNAVAILABLE, 'offerExpired', { at: view.expiresAt });
    }
    // The audience is the gateway's own name for the offer, which is what it checks.
    if (!view.offerUrl.endsWith(`/credential-offers/${offer.offerId}`)) {
      throw new WalletError(EXIT.GATEWAY, 'badAnswer', { url: offer.url, status: viewAnswer.status });
    }
    const identity = await current.identity();
    const { createJWT, EdDSASigner } = await didJwt();
    const issuedAt = Math.floor(now().getTime() / 1000);
    const proof = await createJWT(
      { nonce: view.challenge, aud: view.offerUrl, iat: issuedAt, exp: issuedAt + CLAIM_PROOF_LIFETIME_S },
      { issuer: identity.did, signer: EdDSASigner(identity.seed), alg: 'EdDSA' },
      { alg: 'EdDSA', kid: identity.key.id },
    );
    const claim = await client.request('POST', `${offer.url}/claim`, { proof });
    if (claim.status === 404) throw new WalletError(EXIT.NOT_FOUND, 'offerNotFound', { url: offer.url });
    if (claim.status === 409) {
      throw new WalletError(EXIT.OFFER_UNAVAILABLE, 'offerUnavailable', {
        message: errorOf(claim.body)?.message ?? '',
      });
    }
    if (claim.status !== 201) throw refusal(claim);
    // A Data Integrity credential, or a vc+jwt as an EnvelopedVerifiableCredential (format: jwt).
    const vc = (claim.body as { verifiableCredential?: unknown } | undefined)?.verifiableCredential;
    const form = typeof vc === 'object' ? credentialForm(vc) : undefined;
    if (form === undefined) {
      throw new WalletError(EXIT.GATEWAY, 'badAnswer', { url: offer.url, status: claim.status });
    }
    const credential = form.stored;
    const credentialId = typeof form.content.id === 'string' ? form.content.id : `urn:uuid:${randomUUID()}`;
    const issuerDid = ownCredentialIssuer(form.content, identity.did);
    const didDocuments = { ...current.data.didDocuments };
    if (!issuerDid.startsWith('did:key:')) {
      const doc = await client.ok(
        'GET',
        `${offer.base}/orgs/${encodeURIComponent(view.issuer.orgId)}/did.json`,
      );
      didDocuments[issuerDid] = checkedDidDocument(doc, issuerDid);
    }
    await requireValidProof(form, { ...current.data, didDocuments });
    const stored: StoredCredential = {
      id: credentialId,
      receivedAt: now().toISOString(),
      source: offer.url,
      issuer: { did: issuerDid, orgId: view.issuer.orgId, name: view.issuer.name },
      credential,
    };
    const data: WalletData = {
      ...current.data,
      didDocuments,
      credentials: [...current.data.credentials.filter((c) => c.id !== credentialId), stored],
    };
    try {
      await ctx.store.save(passphrase, data);
    } catch (error) {
      // The offer is used up: hand the credential to the person rather than lose it.
      process.stderr.write(`${ctx.t('saveFailedAfterClaim')}\n${JSON.stringify(credential)}\n`);
      throw error;
    }
    const summary = summarise(stored, ctx.lang, {});
    return {
      json: summary,
      text: ctx.t('receiveDone', { name: summary.name, issuer: summary.issuer.name, id: stored.id }),
    };
  });
}

/**
 * `add-credential`: stores a credential handed over as a file (e.g. a growth-archive report the
 * school issued straight to the student's DID, as `{ "verifiableCredential": … }` or bare). Data
 * Integrity or vc+jwt: a compact JWT, or the gateway's EnvelopedVerifiableCredential. Like
 * `receive`, it must be for this wallet's DID and its signature must verify against the issuer's
 * DID document, fetched from the gateway's ledger registry and cached for offline checks.
 */
export async function addCredential(ctx: Context, file: string): Promise<Output> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new WalletError(EXIT.NOT_FOUND, 'fileNotFound', { file });
  }
  const form = parseCredentialText(text);
  if (form === undefined) {
    let json = true;
    try {
      JSON.parse(text);
    } catch {
      json = false;
    }
    throw new WalletError(EXIT.USAGE, 'badOption', {
      detail: json ? `${file}: not a credential` : `${file}: neither JSON nor a vc+jwt`,
    });
  }
  const credential = form.stored;
  const { passphrase } = await openWallet(ctx);
  return ctx.store.withLock(async () => {
    const current = await ctx.store.open(passphrase);
    const did = current.data.did;
    const issuerDid = ownCredentialIssuer(form.content, did);
    const didDocuments = { ...current.data.didDocuments };
    let issuer: StoredCredential['issuer'] = { did: issuerDid };
    if (!issuerDid.startsWith('did:key:')) {
      const orgs = Organizations.safeParse(await ctx.gateway.ok('GET', '/organizations'));
      const org = orgs.success ? orgs.data.organizations.find((o) => o.did === issuerDid) : undefined;
      const orgId: unknown = org?.orgId;
      if (!org || typeof orgId !== 'string') {
        throw new WalletError(EXIT.VERIFICATION_FAILED, 'receivedInvalid', { reason: 'unknown issuer' });
      }
      const doc = await ctx.gateway.ok('GET', `/orgs/${encodeURIComponent(orgId)}/did.json`);
      didDocuments[issuerDid] = checkedDidDocument(doc, issuerDid);
      issuer = { did: issuerDid, orgId, name: org.name };
    }
    await requireValidProof(form, { ...current.data, didDocuments });
    const credentialId = typeof form.content.id === 'string' ? form.content.id : `urn:uuid:${randomUUID()}`;
    const stored: StoredCredential = {
      id: credentialId,
      receivedAt: now().toISOString(),
      source: `file:${file}`,
      issuer,
      credential,
    };
    await ctx.store.save(passphrase, {
      ...current.data,
      didDocuments,
      credentials: [...current.data.credentials.filter((c) => c.id !== credentialId), stored],
    });
    const summary = summarise(stored, ctx.lang, {});
    return {
      json: summary,
      text: ctx.t('receiveDone', { name: summary.name, issuer: summary.issuer.name, id: stored.id }),
    };
  });
}

const STATUS_WORDS: Readonly<Record<string, MessageKey>> = {
  revoked: 'statusRevoked',
  suspended: 'statusSuspended',
};

/** `list`: every credential, newest first, marked when the ledger says revoked or suspended. */
export async function list(ctx: Context): Promise<Output> {
  const { wallet } = await openWallet(ctx);
  const sorted = [...wallet.data.credentials].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  const { statuses, reachable } = await liveStatuses(ctx.gateway, sorted);
  const items = sorted.map((c, i) => summarise(c, ctx.lang, {}, statuses[i]));
  const mark = (status: string | undefined): string => {
    const key = status === undefined ? undefined : STATUS_WORDS[status];
    return key === undefined ? '' : `[✘ ${ctx.t(key)}]  `;
  };
  const lines =
    items.length === 0
      ? [ctx.t('listEmpty')]
      : items.map(
          (c) =>
            `${c.shortId}  ${c.issuedOn.padEnd(12)}  ${mark(c.status)}${c.name}  — ${c.issuer.name} (${c.types.join(', ')})`,
        );
  if (!reachable && items.length > 0) lines.push(ctx.t('listStatusUnknown'));
  return {
    json: { did: wallet.data.did, credentials: items, statusChecked: reachable },
    text: [ctx.t('listHeader', { did: wallet.data.did, count: items.length }), ...lines].join('\n'),
  };
}

/** Issuer names from the ledger registry; an unreachable gateway falls back to what was cached. */
async function issuerNames(ctx: Context): Promise<IssuerNames> {
  try {
    const parsed = Organizations.safeParse(await ctx.gateway.ok('GET', '/organizations'));
    if (!parsed.success) return {};
    return Object.fromEntries(parsed.data.organizations.map((o) => [o.did, o.name]));
  } catch (error) {
    if (error instanceof WalletError && error.exitCode === EXIT.GATEWAY) return {};
    throw error;
  }
}

async function gatewayVerify(gateway: GatewayClient, credential: unknown): Promise<VerificationResult> {
  const answer = await gateway.request('POST', '/credentials/verify', {
    verifiableCredential: credential,
  });
  const parsed = VerificationResult.safeParse(answer.body);
  if ((answer.status === 200 || answer.status === 400) && parsed.success) return parsed.data;
  throw refusal(answer);
}

/**
 * The credential's status on the ledger as the gateway's `status` check reports it (with when and
 * why), undefined when it reports none; 'unreachable' when the gateway cannot be asked.
 */
async function liveStatus(
  gateway: GatewayClient,
  credential: unknown,
): Promise<LiveStatus | undefined | 'unreachable'> {
  let result: VerificationResult;
  try {
    result = await gatewayVerify(gateway, credential);
  } catch (error) {
    if (error instanceof WalletError && error.exitCode === EXIT.GATEWAY) return 'unreachable';
    throw error;
  }
  const details = result.checks.find((c) => c.check === 'status')?.details ?? {};
  const { status, since, reasonCode } = details;
  if (typeof status !== 'string') return undefined;
  return {
    status,
    ...(typeof since === 'string' ? { since } : {}),
    ...(typeof reasonCode === 'string' ? { reasonCode } : {}),
  };
}

/** Statuses of several credentials, asked together; `reachable` is false if the gateway was not. */
async function liveStatuses(
  gateway: GatewayClient,
  credentials: readonly StoredCredential[],
): Promise<{ statuses: (LiveStatus | undefined)[]; reachable: boolean }> {
  const answers = await Promise.all(credentials.map((c) => liveStatus(gateway, c.credential)));
  return {
    statuses: answers.map((a) => (a === 'unreachable' ? undefined : a)),
    reachable: !answers.includes('unreachable'),
  };
}

/** `show`: one credential rendered for a person, with its live status when the gateway answers. */
export async function show(ctx: Context, ref: string): Promise<Output> {
  const { wallet } = await openWallet(ctx);
  const stored = findCredential(wallet.data, ref);
  const names = await issuerNames(ctx);
  const { statuses } = await liveStatuses(ctx.gateway, [stored]);
  const summary = summarise(stored, ctx.lang, names, statuses[0]);
  // A vc+jwt is shown by what it says (its decoded payload), with the JWT it is secured by.
  const form = storedForm(stored.credential);
  return {
    json: { ...summary, credential: form.content, ...(form.jwt === undefined ? {} : { jwt: form.jwt }) },
    text: renderCredential(summary, stored, ctx.t, ctx.lang),
  };
}

/**
 * `verify`: through the gateway (signature, issuer accreditation, key validity, ledger anchor,
 * status, validity period), or `--offline`: the signature only, against the DID document cached
 * when the credential was received. Exit 4 when it does not verify.
 */
export async function verify(ctx: Context, ref: string, offline: boolean): Promise<Output> {
  const { wallet } = await openWallet(ctx);
  const stored = findCredential(wallet.data, ref);
  if (offline) {
    const check = await offlineProofCheck(storedForm(stored.credential), wallet.data);
    const output: Output = {
      json: { verified: check.verified, offline: true, ...(check.error ? { error: check.error } : {}) },
      text: check.verified
        ? ctx.t('offlineVerified')
        : ctx.t('offlineFailed', { reason: `${check.error?.code ?? ''}: ${check.error?.message ?? ''}` }),
    };
    if (!check.verified) throw new OutputError(EXIT.VERIFICATION_FAILED, output);
    return output;
  }
  const result = await gatewayVerify(ctx.gateway, stored.credential);
  const output: Output = {
    json: result,
    text: [ctx.t(result.verified ? 'verified' : 'notVerified'), renderChecks(result.checks, ctx.t)].join(
      '\n',
    ),
  };
  if (!result.verified) throw new OutputError(EXIT.VERIFICATION_FAILED, output);
  return output;
}

/** Options of `present`. */
export interface PresentOptions {
  challenge?: string;
  domain?: string;
  /** A verification request: its link, or a PNG picture of its QR code. */
  request?: string;
  /** Present a revoked or suspended credential all the same. */
  allowRevoked?: boolean;
  format: 'ldp' | 'jwt';
  out?: string;
  qr?: boolean;
  qrPng?: string;
  to?: string;
  /** Comma-separated dimension ids: present a selective disclosure with only these dimensions. */
  disclose?: string;
  force?: boolean;
}

/**
 * JSON Pointers for a selective disclosure of a growth-archive report: the subject's id (holder
 * binding), the report's term and name, and the `dimensionResults` entries whose `dimension` is
 * chosen. The issuer's mandatory statements (id, type, issuer, validity, status) come along anyway.
 */
function disclosurePointers(stored: StoredCredential, dimensions: readonly string[]): string[] {
  const credential = stored.credential;
  const subject = credential.credentialSubject;
  const subjectRecord =
    typeof subject === 'object' && subject !== null && !Array.isArray(subject)
      ? (subject as Record<string, unknown>)
      : {};
  const results = Array.isArray(subjectRecord.dimensionResults) ? subjectRecord.dimensionResults : [];
  const dimensionOf = (entry: unknown): string | undefined => {
    const value: unknown =
      typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'dimension') : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const known = results.map(dimensionOf).filter((d): d is string => d !== undefined);
  for (const dimension of dimensions) {
    if (!known.includes(dimension)) {
      throw new WalletError(EXIT.USAGE, 'unknownDimension', {
        id: stored.id,
        dimension,
        known: known.join(', ') || '-',
      });
    }
  }
  const pointers = ['/credentialSubject/id'];
  if (subjectRecord.term !== undefined) pointers.push('/credentialSubject/term');
  if (credential.name !== undefined) pointers.push('/name');
  results.forEach((entry, index) => {
    const dimension = dimensionOf(entry);
    if (dimension !== undefined && dimensions.includes(dimension)) {
      pointers.push(`/credentialSubject/dimensionResults/${index}`);
    }
  });
  return pointers;
}

/** The credentials to present: whole, or derived to disclose only the chosen dimensions. */
async function credentialsToPresent(
  chosen: readonly StoredCredential[],
  disclose: string | undefined,
  documentLoader: DocumentLoader,
): Promise<Record<string, unknown>[]> {
  if (disclose === undefined) return chosen.map((c) => c.credential);
  const dimensions = disclose
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (dimensions.length === 0) {
    throw new WalletError(EXIT.USAGE, 'badOption', { detail: '--disclose: one or more dimension ids' });
  }
  const { deriveCredential, sdProofKind } = await credentialsLib();
  const derived: Record<string, unknown>[] = [];
  for (const stored of chosen) {
    if (sdProofKind(stored.credential) !== 'base') {
      throw new WalletError(EXIT.USAGE, 'notSelective', { id: stored.id });
    }
    derived.push(
      await deriveCredential({
        verifiableCredential: stored.credential as unknown as VerifiableCredential,
        selectivePointers: disclosurePointers(stored, dimensions),
        documentLoader,
      }),
    );
  }
  return derived;
}

async function refuseOverwrite(file: string, force: boolean | undefined): Promise<void> {
  if (force) return;
  try {
    await access(file);
  } catch {
    return;
  }
  throw new WalletError(EXIT.USAGE, 'fileExists', { file });
}

async function qrText(text: string, kind: 'terminal' | 'png'): Promise<string | Buffer> {
  const { default: QRCode } = await import('qrcode');
  try {
    return kind === 'terminal'
      ? await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })
      : await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'L', margin: 2, scale: 4 });
  } catch {
    // The only failure for valid text is size: a QR code holds at most 2953 bytes.
    throw new WalletError(EXIT.USAGE, 'qrTooLarge', { bytes: Buffer.byteLength(text) });
  }
}

/** The wallet's credentials a request asks for: per wanted type, the newest one of that type. */
function credentialsForRequest(data: WalletData, request: VerificationRequest): StoredCredential[] {
  const newestFirst = [...data.credentials].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  const typesOf = (c: StoredCredential): unknown[] => {
    const type = storedForm(c.credential).content.type;
    return Array.isArray(type) ? type : [type];
  };
  const chosen = new Set<StoredCredential>();
  for (const wanted of request.types) {
    const match = newestFirst.find((c) => typesOf(c).includes(wanted));
    if (match !== undefined) chosen.add(match);
  }
  if (chosen.size === 0) {
    throw new WalletError(EXIT.NOT_FOUND, 'noMatchingCredential', { types: request.types.join(', ') });
  }
  return [...chosen];
}

/**
 * Refuses to present a credential the ledger says is revoked or suspended, unless the holder says
 * so with --allow-revoked; then returns the warnings to print. An unreachable gateway does not stop
 * an offline presentation: the verifier checks the status anyway.
 */
async function checkPresentable(
  ctx: Context,
  gateway: GatewayClient,
  chosen: readonly StoredCredential[],
  allow: boolean,
): Promise<string[]> {
  const { statuses } = await liveStatuses(gateway, chosen);
  const warnings: string[] = [];
  chosen.forEach((stored, i) => {
    const live = statuses[i];
    const key = live === undefined ? undefined : STATUS_WORDS[live.status];
    if (live === undefined || key === undefined) return;
    const params = { id: stored.id, status: ctx.t(key), since: live.since ?? '?' };
    if (!allow) throw new WalletError(EXIT.USAGE, 'presentRevoked', params);
    warnings.push(ctx.t('presentRevokedWarning', params));
  });
  return warnings;
}

/** What the presentation is for: a request's challenge and domain, or those given as options. */
function presentationTarget(
  request: VerificationRequest | undefined,
  opts: PresentOptions,
): { challenge: string; domain: string } {
  const challenge = request?.challenge ?? opts.challenge;
  const domain = request?.domain ?? opts.domain;
  if (challenge === undefined || domain === undefined) {
    throw new WalletError(EXIT.USAGE, 'presentNeedsTarget');
  }
  if (challenge.length < 8) {
    throw new WalletError(EXIT.USAGE, 'badOption', { detail: '--challenge: 8+ characters' });
  }
  return { challenge, domain };
}

/** Reads a request and refuses an expired one before anything is signed. */
async function openRequest(input: string | undefined): Promise<VerificationRequest | undefined> {
  if (input === undefined) return undefined;
  const request = await readRequest(input);
  if (Date.parse(request.expiresAt) <= now().getTime()) {
    throw new WalletError(EXIT.OFFER_UNAVAILABLE, 'requestExpired', { at: request.expiresAt });
  }
  return request;
}

/** Signs the presentation of `credentials` as the holder, as Data Integrity or as a vp+jwt. */
async function signedPresentation(
  wallet: OpenWallet,
  chosen: readonly StoredCredential[],
  credentials: Record<string, unknown>[],
  target: { challenge: string; domain: string },
  format: 'ldp' | 'jwt',
): Promise<Record<string, unknown> | string> {
  const identity = await wallet.identity();
  const { createPresentation, signPresentation, signPresentationJwt } = await credentialsLib();
  const id = `urn:uuid:${randomUUID()}`;
  if (format === 'jwt') {
    // VC-JOSE-COSE vp+jwt: the presentation is the payload (vc+jwt credentials enveloped, Data
    // Integrity ones as they are), nonce = challenge, aud = domain, iss = the holder.
    return signPresentationJwt({
      verifiableCredential: credentials,
      key: identity.key,
      id,
      challenge: target.challenge,
      domain: target.domain,
      now: now(),
      lifetimeSeconds: VP_JWT_LIFETIME_S,
    });
  }
  // A Data Integrity presentation embeds Data Integrity credentials; a vc+jwt goes in a vp+jwt.
  const jwtOne = chosen.find((c) => storedForm(c.credential).format === 'vc+jwt');
  if (jwtOne !== undefined) throw new WalletError(EXIT.USAGE, 'jwtNeedsJwtFormat', { id: jwtOne.id });
  const presentation = createPresentation({
    verifiableCredential: credentials as VerifiableCredential[],
    holder: identity.did,
    id,
  });
  return (await signPresentation({
    presentation,
    key: identity.key,
    challenge: target.challenge,
    domain: target.domain,
    documentLoader: await offlineLoader(wallet.data),
  })) as unknown as Record<string, unknown>;
}

/**
 * Sends a presentation to a verifier's request (`POST …/response`); returns the line to print.
 * A refusal with a verdict exits 4; a request already answered or expired exits 7.
 */
async function sendPresentation(
  ctx: Context,
  target: string,
  vp: Record<string, unknown> | string,
  json: Record<string, unknown>,
  request: VerificationRequest | undefined,
): Promise<string> {
  const trimmed = target.replace(/\/+$/, '');
  const url = trimmed.endsWith('/response') ? trimmed : `${trimmed}/response`;
  const answer = await new GatewayClient(url).request('POST', url, { verifiablePresentation: vp });
  json.sent = { url, status: answer.status, response: answer.body };
  const verdict = (answer.body as { verified?: unknown } | undefined)?.verified;
  if (answer.status >= 200 && answer.status < 300 && verdict !== false) {
    return request === undefined
      ? ctx.t('presentSent', { url })
      : ctx.t('presentRequestSent', { url, domain: request.domain, types: request.types.join(', ') });
  }
  if (answer.status === 400 && typeof verdict === 'boolean') {
    throw new OutputError(EXIT.VERIFICATION_FAILED, {
      json,
      text: ctx.t('presentRefused', { url, message: JSON.stringify(answer.body) }),
    });
  }
  if (answer.status === 409 && request !== undefined) {
    throw new WalletError(EXIT.OFFER_UNAVAILABLE, 'requestUnavailable', {
      message: errorOf(answer.body)?.message ?? '',
    });
  }
  throw refusal(answer);
}

/**
 * `present`: a Verifiable Presentation of the chosen credentials, signed by the holder for the
 * verifier's challenge and domain: Data Integrity (`eddsa-rdfc-2022`, proofPurpose
 * authentication) by default, or a VP-JWT (`--format jwt`: EdDSA, `nonce` = challenge,
 * `aud` = domain). Printed, written (`--out`), shown as a QR code, and/or sent to a verifier.
 * `--request <link or QR picture>` answers a verifier page's request: challenge, domain and answer
 * address come from it, and without ids the credentials of the wanted types are chosen.
 * `--disclose a,b` presents, instead of each credential, one derived from its `ecdsa-sd-2023`
 * base proof that discloses only those growth-archive dimensions. A revoked or suspended
 * credential is presented only with `--allow-revoked`.
 */
export async function present(ctx: Context, refs: string[], opts: PresentOptions): Promise<Output> {
  const request = await openRequest(opts.request);
  const target = presentationTarget(request, opts);
  const { wallet } = await openWallet(ctx);
  if (refs.length === 0 && request === undefined) throw new WalletError(EXIT.USAGE, 'presentNeedsIds');
  const chosen =
    refs.length > 0
      ? refs.map((ref) => findCredential(wallet.data, ref))
      : credentialsForRequest(wallet.data, request as VerificationRequest);
  // The status is asked of the verifier's own gateway when answering its request.
  const statusGateway = request ? new GatewayClient(new URL(request.responseUrl).origin) : ctx.gateway;
  const notes = await checkPresentable(ctx, statusGateway, chosen, opts.allowRevoked === true);
  const credentials = await credentialsToPresent(chosen, opts.disclose, await offlineLoader(wallet.data));
  const vp = await signedPresentation(wallet, chosen, credentials, target, opts.format);
  const serialised = typeof vp === 'string' ? vp : JSON.stringify(vp);
  const json: Record<string, unknown> = {
    verifiablePresentation: vp,
    ...(notes.length > 0 ? { warnings: notes } : {}),
  };
  const warnings = notes.length;

  // Files are written owner-only (writeFileAtomic's default): a presentation carries the credentials.
  if (opts.out !== undefined) {
    await refuseOverwrite(opts.out, opts.force);
    await writeFileAtomic(opts.out, typeof vp === 'string' ? `${vp}\n` : `${JSON.stringify(vp, null, 2)}\n`);
    notes.push(ctx.t('presentWritten', { file: opts.out }));
    json.out = opts.out;
  }
  if (opts.qrPng !== undefined) {
    await refuseOverwrite(opts.qrPng, opts.force);
    await writeFileAtomic(opts.qrPng, await qrText(serialised, 'png'));
    notes.push(ctx.t('qrWritten', { file: opts.qrPng }));
    json.qrPng = opts.qrPng;
  }
  let qr: string | undefined;
  if (opts.qr) qr = String(await qrText(serialised, 'terminal'));
  const sendTo = opts.to ?? request?.responseUrl;
  if (sendTo !== undefined) notes.push(await sendPresentation(ctx, sendTo, vp, json, request));
  if (qr !== undefined) {
    // With --json, stdout carries the JSON only, so the picture goes to the terminal via stderr.
    if (ctx.json) process.stderr.write(qr);
    else notes.unshift(qr);
  }
  const printed = opts.out === undefined && sendTo === undefined && !opts.qr && opts.qrPng === undefined;
  const body = typeof vp === 'string' ? vp : JSON.stringify(vp, null, 2);
  return {
    json,
    // Warnings stay in front of the presentation itself when it is what is printed.
    text: printed ? [...notes.slice(0, warnings), body].join('\n') : notes.join('\n'),
  };
}

/** Options of `share`. */
export interface ShareOptions {
  /** False with --no-upload: never send the credential to the gateway. */
  upload: boolean;
}

/**
 * `share`: a verifier-page link that carries the credential itself (`#vcz=`), and a QR code for
 * the terminal that fits 80 columns. When the credential is too large for that, the gateway keeps
 * it for 24 hours behind a short link (`POST /shares`), which the QR code carries instead.
 */
export async function share(ctx: Context, ref: string, opts: ShareOptions): Promise<Output> {
  const { wallet } = await openWallet(ctx);
  const stored = findCredential(wallet.data, ref);
  const form = storedForm(stored.credential);
  // A vc+jwt travels as its compact JWS, which the page reads as it is.
  const link = compactVerifyLink(ctx.gateway.baseUrl, form.jwt ?? JSON.stringify(form.stored));
  const json: Record<string, unknown> = { id: stored.id, link };
  const lines = [ctx.t('shareLink'), link];
  const { statuses } = await liveStatuses(ctx.gateway, [stored]);
  const inactive = statuses[0] === undefined ? undefined : STATUS_WORDS[statuses[0].status];
  if (inactive !== undefined) lines.unshift(ctx.t('shareInactive', { status: ctx.t(inactive) }));

  let qrTarget: string | undefined = link;
  if ((await terminalQrColumns(link)) > TERMINAL_COLUMNS) {
    qrTarget = undefined;
    if (opts.upload) {
      const created = ShareCreated.safeParse(
        await ctx.gateway.ok('POST', '/shares', { verifiableCredential: form.jwt ?? form.stored }),
      );
      if (!created.success) {
        throw new WalletError(EXIT.GATEWAY, 'badAnswer', {
          url: `${ctx.gateway.baseUrl}/shares`,
          status: 201,
        });
      }
      json.shortLink = created.data;
      qrTarget = created.data.url;
      lines.push('', ctx.t('shareShortLink', { url: created.data.url, at: created.data.expiresAt }));
    } else {
      lines.push('', ctx.t('shareNoQr'));
    }
  }
  if (qrTarget !== undefined) {
    const qr = await terminalQr(qrTarget);
    json.qr = qr;
    json.qrText = qrTarget;
    lines.push('', qr);
  }
  return { json, text: lines.join('\n') };
}

/** `export`: an encrypted backup (keys and credentials) in one file. */
export async function exportBackup(ctx: Context, out: string, force: boolean | undefined): Promise<Output> {
  const { wallet, passphrase } = await openWallet(ctx);
  await refuseOverwrite(out, force);
  const backupPass = await backupPassphrase(ctx.t, passphrase, true);
  await writeFileAtomic(out, await sealWallet('edu-wallet-backup', backupPass, wallet.data));
  return {
    json: { did: wallet.data.did, credentials: wallet.data.credentials.length, out },
    text: ctx.t('exportDone', { file: out, count: wallet.data.credentials.length }),
  };
}

/**
 * `import`: restores a backup. Into an empty folder it becomes the wallet (encrypted with the
 * wallet passphrase); into a wallet of the same DID its credentials are merged; a backup of
 * another DID is refused rather than mixing two people's credentials.
 */
export async function importBackup(ctx: Context, file: string): Promise<Output> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new WalletError(EXIT.NOT_FOUND, 'fileNotFound', { file });
  }
  const exists = await ctx.store.hasContent();
  const passphrase = await walletPassphrase(ctx.t, !exists);
  if (exists) await ctx.store.open(passphrase);
  const backupPass = await backupPassphrase(ctx.t, passphrase, false);
  const backup = await parseWalletText(await openText('edu-wallet-backup', backupPass, text, file), file);
  return ctx.store.withLock(async () => {
    let data: WalletData;
    let added: number;
    if (await ctx.store.hasContent()) {
      const current = (await ctx.store.open(passphrase)).data;
      if (current.did !== backup.data.did) {
        throw new WalletError(EXIT.USAGE, 'backupOtherDid', { backup: backup.data.did, wallet: current.did });
      }
      const known = new Set(current.credentials.map((c) => c.id));
      const incoming = backup.data.credentials.filter((c) => !known.has(c.id));
      added = incoming.length;
      data = {
        ...current,
        credentials: [...current.credentials, ...incoming],
        didDocuments: { ...backup.data.didDocuments, ...current.didDocuments },
      };
    } else {
      data = backup.data;
      added = backup.data.credentials.length;
    }
    await ctx.store.save(passphrase, data);
    return {
      json: { did: data.did, imported: added, credentials: data.credentials.length },
      text: ctx.t('importDone', { did: data.did, added, total: data.credentials.length }),
    };
  });
}

/** Options of `grant`. */
export interface GrantOptions {
  to: string;
  dimensions: string;
  days: string;
  id?: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * Signs a short-lived did-jwt for a holder route of the gateway (aud = that route's URL) and posts
 * it. The gateway finds the student by the wallet's DID; nothing in the wallet file changes.
 */
async function holderRequest(ctx: Context, path: string, claims: Record<string, unknown>): Promise<unknown> {
  const { wallet } = await openWallet(ctx);
  const identity = await wallet.identity();
  const { createJWT, EdDSASigner } = await didJwt();
  const issuedAt = Math.floor(now().getTime() / 1000);
  const proof = await createJWT(
    {
      aud: `${ctx.gateway.baseUrl}${path}`,
      iat: issuedAt,
      exp: issuedAt + CONSENT_PROOF_LIFETIME_S,
      ...claims,
    },
    { issuer: identity.did, signer: EdDSASigner(identity.seed), alg: 'EdDSA' },
    { alg: 'EdDSA', kid: identity.key.id },
  );
  const answer = await ctx.gateway.request('POST', path, { proof });
  if (answer.status === 404) throw new WalletError(EXIT.NOT_FOUND, 'notRegistered', {});
  if (answer.status !== 200 && answer.status !== 201) throw refusal(answer);
  return answer.body;
}

/** `grant`: lets an organisation (an admissions office) read chosen archive dimensions for some days. */
export async function grant(ctx: Context, opts: GrantOptions): Promise<Output> {
  const dimensions = opts.dimensions
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  const days = Number(opts.days);
  if (!SLUG.test(opts.to))
    throw new WalletError(EXIT.USAGE, 'badOption', { detail: '--to: an organisation id' });
  if (dimensions.length === 0 || !dimensions.every((d) => SLUG.test(d))) {
    throw new WalletError(EXIT.USAGE, 'badOption', { detail: '--dimensions: comma-separated dimension ids' });
  }
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    throw new WalletError(EXIT.USAGE, 'badOption', { detail: '--days: 1 to 366' });
  }
  const consentId = opts.id ?? `wallet-${randomUUID().slice(0, 8)}`;
  if (!SLUG.test(consentId))
    throw new WalletError(EXIT.USAGE, 'badOption', { detail: '--id: lower-case letters, digits, hyphens' });
  const until = new Date(now().getTime() + days * 86_400_000).toISOString();
  await holderRequest(ctx, '/holder/consents', {
    consent: { consentId, granteeOrgId: opts.to, dimensions, until },
  });
  return {
    json: { consentId, granteeOrgId: opts.to, dimensions, until },
    text: ctx.t('grantDone', { org: opts.to, dimensions: dimensions.join(', '), until, id: consentId }),
  };
}

/** `revoke-grant`: withdraws a consent given with `grant`. */
export async function revokeGrant(ctx: Context, consentId: string): Promise<Output> {
  if (!SLUG.test(consentId)) throw new WalletError(EXIT.USAGE, 'badOption', { detail: 'consent id' });
  await holderRequest(ctx, '/holder/consents/revoke', { consentId });
  return { json: { consentId, revoked: true }, text: ctx.t('revokeGrantDone', { id: consentId }) };
}
