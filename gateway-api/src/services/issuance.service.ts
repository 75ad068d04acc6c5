import {
  DomainError,
  ISSUER_ROLES,
  accreditationsNeeded,
  type AccreditationCheck,
  type AnchorItem,
  type IssueRequest,
  type IssuedForClaim,
  type Organization,
} from '@edu-ledger/domain';
import {
  BITSTRING_STATUS_LIST_CONTEXT,
  CREDENTIAL_JWT_CLAIMS,
  VC_V1_CONTEXT,
  credentialDigest,
  envelopeJwt,
  issueCredentialJwt,
  issueSdCredential,
  jwtDigest,
  type Credential,
  type DocumentLoader,
} from '@edu-ledger/credentials';
import { mayHaveCommitted, type LedgerPort } from '@edu-ledger/ledger-port';
import type { ChaincodeClient } from './chaincode.js';
import type { Principal } from '../stores/tokens.js';
import type { Anchorer, AnchorReceipt } from './anchorer.js';
import type { CredentialStore, PendingRecord } from './credential-store.js';
import type { Directory } from './directory.js';
import type { IssuerKeys } from './issuer-keys.js';
import type { StatusAllocator } from './status-allocator.js';
import type { Vault } from '../stores/vault.js';
import type { CredentialSigner } from './signer.js';
import { NO_FAULTS, type FaultPoints } from './fault-points.js';
import { isRetriedRequest, repeatableBytes } from './request-scope.js';

const OB3_CONTEXT_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/context';

export interface IssuanceDeps {
  ledger: LedgerPort;
  chaincode: ChaincodeClient;
  directory: Directory;
  keys: IssuerKeys;
  anchorer: Anchorer;
  allocator: StatusAllocator;
  store: CredentialStore;
  vault: Vault;
  signer: CredentialSigner;
  /** Used for `ecdsa-sd-2023` signing, which runs on the calling thread. */
  documentLoader: DocumentLoader;
  now: () => Date;
  publicUrl: string;
  /** Crash tests stop a request between its writes here. */
  faults?: FaultPoints;
}

/**
 * Where a status list is published: with a purpose, the one-bit revocation (or suspension) list;
 * without, the list of 2-bit `message` entries that tells active, suspended and revoked apart.
 * Credentials name the revocation list.
 */
export function statusListUrl(
  publicUrl: string,
  statusListId: string,
  purpose?: 'revocation' | 'suspension',
): string {
  return `${publicUrl}/status-lists/${statusListId}${purpose ? `-${purpose}` : ''}`;
}

/**
 * Issues a credential for the caller's organisation: checks role and accreditation first (so a
 * refused request writes nothing), fills in issuer, id, validity and status entries, signs with the
 * organisation's current key, keeps an encrypted copy as pending, anchors the digest on the ledger
 * and then marks the copy complete (see {@link CredentialStore} for how a kill in between is settled).
 */
export class IssuanceService {
  constructor(private readonly deps: IssuanceDeps) {}

  /**
   * Everything that can refuse an issue request before anything is written: role, issuer, format,
   * vault subject ownership and accreditation at `now`. Offers run the same checks when made.
   */
  async checkRequest(principal: Principal, request: IssueRequest, now: Date): Promise<Organization> {
    if (!ISSUER_ROLES.includes(principal.role)) {
      throw new DomainError('FORBIDDEN_ROLE', `issuing requires one of: ${ISSUER_ROLES.join(', ')}`);
    }
    const { credential, options } = request;
    const org = await this.deps.directory.org(principal.orgId);
    const requestedIssuer = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer?.id;
    if (requestedIssuer !== undefined && requestedIssuer !== org.did) {
      throw new DomainError('ISSUER_MISMATCH', `the caller's organisation issues as ${org.did}`);
    }
    // A vc+jwt payload is the credential itself, and these names are the JWT's own claims.
    const clash = CREDENTIAL_JWT_CLAIMS.find((claim) => claim in credential);
    if (options.format === 'jwt' && clash !== undefined) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        `a vc+jwt credential cannot carry a member named ${clash}: it is a JWT claim`,
      );
    }
    if (
      credential['@context'][0] === VC_V1_CONTEXT &&
      (options.format === 'jwt' || options.selectiveDisclosure)
    ) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        'a VC 1.1 credential is signed with eddsa-rdfc-2022 only (vc+jwt and ecdsa-sd-2023 are VC 2.0)',
      );
    }
    if (options.format === 'jwt' && options.selectiveDisclosure) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        'selective disclosure is offered for Data Integrity credentials only',
      );
    }
    if (credential.credentialStatus !== undefined && usesOpenBadges(credential)) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        'credentialStatus: an Open Badges credential has one status entry, which the gateway sets',
      );
    }
    if (options.subjectId !== undefined) {
      const owner = await this.deps.vault.owner(options.subjectId);
      if (owner !== org.orgId)
        throw new DomainError('FORBIDDEN_ORG', 'the subject is registered by another organisation');
    }
    await this.requireAccredited(org, accreditationsNeeded(credential.type), now);
    return org;
  }

  /**
   * @param issuedFor the ledger record this credential stands for, when it stands for one: the
   *   chaincode checks the caller answers for that record, and refuses (ALREADY_EXISTS) a second live
   *   credential for it unless `supersede` asks it to revoke the live one in the same transaction.
   */
  async issue(
    principal: Principal,
    request: IssueRequest,
    issuedFor?: IssuedForClaim,
  ): Promise<Record<string, unknown>> {
    const now = this.deps.now();
    const org = await this.checkRequest(principal, request, now);
    const id = request.credential.id ?? newCredentialId();
    if (isRetriedRequest()) {
      const earlier = await this.issuedEarlier(org, id);
      if (earlier !== undefined) return earlier;
    }
    request = { ...request, credential: { ...request.credential, id } };
    const [slot] = await this.deps.allocator.allocate(org.orgId);
    if (!slot) throw new DomainError('INTERNAL', 'no status slot allocated');
    const prepared = await this.prepare(org, request, slot, now);
    const identity = await this.deps.directory.identityFor(principal);
    // Queued: concurrent issuances share one anchoring transaction under a Merkle root.
    await this.persist([prepared], issuedFor, (items) =>
      Promise.all(items.map((item) => this.deps.anchorer.anchor(identity, item))),
    );
    return prepared.secured;
  }

  /**
   * A credential that carries others, as a CLR 2.0 `ClrCredential` carries AchievementCredentials:
   * each part is signed and gets its own status entry, so it also verifies on its own; then the
   * whole is built around the signed parts and signed. All of them are anchored in ONE transaction,
   * so the ledger holds either the whole with every part or none of them. `issuedFor` applies to
   * the whole.
   */
  async issueBundle(
    principal: Principal,
    parts: readonly IssueRequest[],
    whole: (signedParts: Record<string, unknown>[]) => IssueRequest,
    issuedFor?: IssuedForClaim,
  ): Promise<Record<string, unknown>> {
    const now = this.deps.now();
    const org = await this.checkRequest(principal, whole([]), now);
    for (const part of parts) await this.checkRequest(principal, part, now);
    const [wholeSlot, ...partSlots] = await this.deps.allocator.allocate(org.orgId, parts.length + 1);
    if (!wholeSlot || partSlots.length !== parts.length)
      throw new DomainError('INTERNAL', 'too few status slots allocated');
    const preparedParts: Prepared[] = [];
    for (const [i, part] of parts.entries()) {
      const slot = partSlots[i];
      if (slot) preparedParts.push(await this.prepare(org, part, slot, now));
    }
    const preparedWhole = await this.prepare(org, whole(preparedParts.map((p) => p.secured)), wholeSlot, now);
    const identity = await this.deps.directory.identityFor(principal);
    await this.persist([preparedWhole, ...preparedParts], issuedFor, (items) =>
      this.deps.anchorer.anchorTogether(identity, items),
    );
    return preparedWhole.secured;
  }

  /**
   * What a retried Idempotency-Key request issued before its answer was lost: the credential it
   * kept under `id`, once the ledger shows it anchored (a pending copy is settled by the ledger's
   * answer first). Undefined when the earlier attempt left nothing anchored: it is issued again.
   */
  private async issuedEarlier(org: Organization, id: string): Promise<Record<string, unknown> | undefined> {
    const record = await this.deps.store.record(id);
    if (record === undefined) return undefined;
    if (record.issuerOrgId !== org.orgId) {
      throw new DomainError('ALREADY_EXISTS', `credential ${id} was issued by another organisation`);
    }
    return (await this.deps.store.credential(id)) as Record<string, unknown>;
  }

  /** Fills in id, issuer, validity and the status entry, and secures the credential. */
  private async prepare(
    org: Organization,
    request: IssueRequest,
    slot: { statusListId: string; statusIndex: number },
    now: Date,
  ): Promise<Prepared> {
    const { credential, options } = request;
    const id = credential.id ?? newCredentialId();
    // A VC 1.1 credential keeps its own names for the validity period, and needs the status list
    // context for its status entry (VC 2.0's context defines those terms itself).
    const v1 = credential['@context'][0] === VC_V1_CONTEXT;
    const unsigned = {
      ...credential,
      ...(v1 && !credential['@context'].includes(BITSTRING_STATUS_LIST_CONTEXT)
        ? { '@context': [...credential['@context'], BITSTRING_STATUS_LIST_CONTEXT] }
        : {}),
      id,
      // VC 1.1's context defines no `name`: a 1.1 issuer is the DID alone unless the caller gave more.
      issuer: v1 && typeof credential.issuer !== 'object' ? org.did : issuerProfile(org, credential),
      ...(v1
        ? { issuanceDate: credential.issuanceDate ?? now.toISOString() }
        : { validFrom: credential.validFrom ?? now.toISOString() }),
      // Our one entry (Open Badges 3.0 allows no more): revocation, a bit every status-list checker
      // reads correctly. Suspension is the ledger's to report (see README, status lists). Entries
      // the caller sent (not for Open Badges) are kept before it.
      credentialStatus: withCallerEntries(
        credential.credentialStatus,
        revocationEntry(
          statusListUrl(this.deps.publicUrl, slot.statusListId, 'revocation'),
          slot.statusIndex,
        ),
      ),
    };
    const { secured, digest } = await this.secure(org, unsigned, options, now);
    return {
      secured,
      pending: {
        credentialId: id,
        issuerOrgId: org.orgId,
        subjectId: options.subjectId,
        digest,
        statusListId: slot.statusListId,
        statusIndex: slot.statusIndex,
        issuedAt: now.toISOString(),
      },
      types: credential.type,
    };
  }

  /**
   * Pending copies first, so no credential is ever anchored without its signed copy here; then the
   * anchor (the first item carries `issuedFor`); then the copies are marked complete.
   */
  private async persist(
    prepared: readonly Prepared[],
    issuedFor: IssuedForClaim | undefined,
    anchor: (items: AnchorItem[]) => Promise<AnchorReceipt[]>,
  ): Promise<void> {
    const faults = this.deps.faults ?? NO_FAULTS;
    await faults.reach('issuance:slot-allocated');
    const pendings: PendingRecord[] = [];
    for (const p of prepared) pendings.push(await this.deps.store.savePending(p.pending, p.secured));
    await faults.reach('issuance:pending-saved');
    let receipts: AnchorReceipt[];
    try {
      receipts = await anchor(
        prepared.map((p, i) => ({
          credentialId: p.pending.credentialId,
          digest: p.pending.digest,
          credentialTypes: p.types,
          statusListId: p.pending.statusListId,
          statusIndex: p.pending.statusIndex,
          ...(i === 0 && issuedFor ? { issuedFor } : {}),
        })),
      );
    } catch (error) {
      // An anchor that may yet commit keeps its copy for recovery; a refused one frees the id. The
      // slot is not given back either way: the allocator never hands a slot out twice.
      for (const p of prepared) {
        if (mayHaveCommitted(error)) this.deps.store.release(p.pending.credentialId);
        else await this.deps.store.discard(p.pending.credentialId);
      }
      throw error;
    }
    await faults.reach('issuance:anchored');
    for (const [i, pending] of pendings.entries()) {
      const receipt = receipts[i];
      if (!receipt) throw new DomainError('INTERNAL', `no anchor receipt for ${pending.credentialId}`);
      await this.deps.store.complete(pending, receipt);
    }
    await faults.reach('issuance:completed');
    for (const p of prepared) await this.deps.store.clearPending(p.pending.credentialId);
  }

  /**
   * Three ways to secure the same credential; the ledger always anchors the digest of exactly what
   * the holder receives: the signed JSON-LD document, or the compact JWS for vc+jwt.
   *
   * @throws DomainError `INTERNAL` naming only the credential and organisation when signing fails
   *   for a reason other than JSON-LD. The signing libraries put the credential's values into their
   *   messages (`"credentialSubject.id" must be a URI: "<name> <ID-card number>"`), and the error
   *   handler logs an unrecognised error whole, so none of their text may travel on.
   */
  private async secure(
    org: Organization,
    unsigned: Credential & { id: string },
    options: IssueRequest['options'],
    now: Date,
  ): Promise<{ secured: Record<string, unknown>; digest: string }> {
    try {
      if (options.format === 'jwt') {
        const key = await this.deps.keys.current(org.orgId);
        const jwt = await issueCredentialJwt({
          credential: unsigned,
          key,
          now: signingTime(now, this.deps.now()),
        });
        return { secured: envelopeJwt(jwt), digest: jwtDigest(jwt) };
      }
      // A selective-disclosure credential carries an ecdsa-sd-2023 base proof by the org's P-256 key.
      if (options.selectiveDisclosure) {
        const key = await this.deps.keys.currentSd(org);
        const signed = await issueSdCredential({
          credential: unsigned,
          key,
          documentLoader: this.deps.documentLoader,
          now: signingTime(now, this.deps.now()),
        });
        return { secured: signed as unknown as Record<string, unknown>, digest: credentialDigest(signed) };
      }
      const key = await this.deps.keys.current(org.orgId);
      const signed = await this.deps.signer.sign(unsigned, key, signingTime(now, this.deps.now()));
      const credential = signed.credential as unknown as Record<string, unknown>;
      // Open Badges 3.0 / CLR 2.0 JSON Schemas want `proof` as an array; the digest is the same
      // either way (see credentialDigest).
      return {
        secured: usesOpenBadges(unsigned) ? { ...credential, proof: [credential.proof] } : credential,
        digest: signed.digest,
      };
    } catch (error) {
      // Domain refusals, and JSON-LD errors that the HTTP layer answers as the caller's by their
      // library names without logging them, go on as they are.
      if (error instanceof DomainError || isJsonLdError(error)) throw error;
      // The error's class name is kept for diagnosis: it is the library's, never the caller's text.
      const kind = error instanceof Error ? error.name : typeof error;
      throw new DomainError(
        'INTERNAL',
        `credential ${unsigned.id} of ${org.orgId} could not be signed (${kind})`,
      );
    }
  }

  private async requireAccredited(org: Organization, types: readonly string[], at: Date): Promise<void> {
    for (const credentialType of types) {
      const check = JSON.parse(
        await this.deps.chaincode.evaluateText(
          this.deps.directory.readerIdentity,
          'registry:CheckAccreditation',
          { orgId: org.orgId, credentialType, at: at.toISOString() },
        ),
      ) as AccreditationCheck;
      if (!check.accredited) {
        throw new DomainError(
          'NOT_ACCREDITED',
          `${org.orgId} is not accredited for ${credentialType}: ${check.reason}`,
        );
      }
    }
  }
}

/** A credential signed and ready to be kept and anchored. */
interface Prepared {
  secured: Record<string, unknown>;
  pending: Omit<PendingRecord, 'sealed'>;
  types: string[];
}

/** jsonld.js errors (`jsonld.SyntaxError`, `jsonld.ValidationError`, ...) and the context loader's. */
function isJsonLdError(error: unknown): boolean {
  return error instanceof Error && (error.name.startsWith('jsonld.') || error.name === 'DocumentLoaderError');
}

function withCallerEntries(
  given: unknown,
  ours: Record<string, unknown>,
): Record<string, unknown> | unknown[] {
  if (given === undefined) return ours;
  return [...(Array.isArray(given) ? given : [given]), ours];
}

/** Whether a credential lists an Open Badges 3.0 context (CLR 2.0 credentials do too). */
function usesOpenBadges(credential: { '@context': readonly unknown[] }): boolean {
  return credential['@context'].some((c) => typeof c === 'string' && c.startsWith(OB3_CONTEXT_PREFIX));
}

/** The issuer as a profile with the organisation's DID and names (Open Badges wants a Profile). */
function issuerProfile(
  org: Organization,
  credential: IssueRequest['credential'],
): { id: string; [key: string]: unknown } {
  const given = typeof credential.issuer === 'object' ? credential.issuer : {};
  return {
    ...(usesOpenBadges(credential) ? { type: ['Profile'] } : {}),
    name: org.name.zh,
    ...given,
    id: org.did,
  };
}

/** A Bitstring Status List revocation entry; its id is the list's URL with the index, as the spec wants an id unlike the list's. */
function revocationEntry(statusListCredential: string, statusIndex: number): Record<string, unknown> {
  return {
    id: `${statusListCredential}#${statusIndex}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(statusIndex),
    statusListCredential,
  };
}

/** A fresh credential id; under an Idempotency-Key, the one its first attempt used (request-scope.ts). */
function newCredentialId(): string {
  const bytes = repeatableBytes('credential-id', 16);
  // RFC 9562 version 4 layout, so the id reads as the random UUID it is to everyone else.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * When a proof says it was made: the clock once the signing key is at hand, never before the
 * request's time. A key registered lazily by this very request (the first selective-disclosure
 * credential of an organisation) gets a ledger time after the request began; a proof dated at the
 * request's start could then predate its own key, and verifiers rightly refuse that.
 */
function signingTime(requestTime: Date, afterKey: Date): Date {
  return afterKey > requestTime ? afterKey : requestTime;
}
