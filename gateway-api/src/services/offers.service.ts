import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  DomainError,
  IssueRequest,
  LocalisedText,
  OrgId,
  UnsignedCredential,
  VC_V1_CONTEXT,
} from '@edu-ledger/domain';
import { generateEd25519Key, issueCredential, type Credential } from '@edu-ledger/credentials';
import { jsonLdRefusal } from '../http/jsonld-errors.js';
import { Principal } from '../stores/tokens.js';
import { seal, unseal } from '../stores/sealed.js';
import { HolderProofs } from './holder-proof.js';
import type { Services } from './index.js';

/** Default lifetime of an offer: long enough for a student to open it at home, short enough to matter. */
export const DEFAULT_OFFER_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * `POST /credential-offers` body: the body of `POST /credentials/issue` without the holder (the
 * holder's DID is only known when they claim), plus an optional lifetime for this one offer.
 */
export const CreateOfferRequest = z.object({
  credential: UnsignedCredential,
  options: IssueRequest.shape.options,
  /** Lifetime of this offer in seconds (1 minute to 30 days); the gateway default otherwise. */
  expiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .optional(),
});
export type CreateOfferRequest = z.output<typeof CreateOfferRequest>;

/** `POST /credential-offers/:id/claim` body: a did-jwt signed by the holder's did:key. */
export const ClaimOfferRequest = z.object({
  proof: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a compact JWS (header.payload.signature)'),
});

export const OfferStatus = z.enum(['open', 'claimed', 'expired']);
export type OfferStatus = z.infer<typeof OfferStatus>;

/** What anyone holding the offer URL may see: enough for a wallet to ask its user and to prove control. */
export const OfferView = z.object({
  offerId: z.string(),
  offerUrl: z.string(),
  issuer: z.object({ orgId: OrgId, name: LocalisedText }),
  types: z.array(z.string()),
  challenge: z.string(),
  expiresAt: z.string(),
  status: OfferStatus,
});
export type OfferView = z.infer<typeof OfferView>;

export const CreatedOffer = z.object({ offerId: z.string(), offerUrl: z.string(), expiresAt: z.string() });
export type CreatedOffer = z.infer<typeof CreatedOffer>;

const SealedSchema = z.object({ iv: z.string(), tag: z.string(), ct: z.string() });

/**
 * The stored offer. The key in `db.offers` is a SHA-256 of the offer id and the credential body is
 * sealed under a key derived from the offer id itself, so a copy of the database shows neither a
 * usable offer URL nor what a pending offer contains. After the claim the body is dropped.
 */
const OfferRecord = z.object({
  v: z.literal(1),
  /** The gateway's base URL when the offer was made; the id is appended only in memory. */
  baseUrl: z.string(),
  createdBy: Principal,
  createdAt: z.string(),
  expiresAt: z.string(),
  challenge: z.string(),
  issuerOrgId: OrgId,
  types: z.array(z.string()),
  claimed: z.object({ at: z.string(), credentialId: z.string() }).optional(),
  sealed: SealedSchema.optional(),
});
type OfferRecord = z.infer<typeof OfferRecord>;

const OfferBody = z.object({ credential: UnsignedCredential, options: IssueRequest.shape.options });

export interface OfferServiceOptions {
  /** Lifetime of an offer when the request does not set one. */
  ttlMs?: number;
}

const OFFER_ID = /^[A-Za-z0-9_-]{22}$/;

/** Stands in for the holder's DID when an offer's credential is test-signed (any did:key will do). */
const TRIAL_HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

/**
 * Credential offers: an issuer prepares a credential without knowing the holder's DID and hands
 * the holder a one-time URL; the holder's wallet proves control of its did:key by signing the
 * offer's challenge, and the gateway issues to that DID through the normal issuance path (same
 * role, accreditation, signing, anchoring and status rules as `POST /credentials/issue`).
 */
export class OfferService {
  private readonly ttlMs: number;
  /** Offers being claimed right now: a second concurrent claim is refused rather than issued twice. */
  private readonly claiming = new Set<string>();
  private readonly holderProofs: HolderProofs;

  constructor(
    private readonly services: Services,
    options: OfferServiceOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_OFFER_TTL_MS;
    this.holderProofs = new HolderProofs(() => services.now());
  }

  /** Records an offer made by `principal`; `baseUrl` is the gateway's public URL (no trailing slash). */
  async create(principal: Principal, request: CreateOfferRequest, baseUrl: string): Promise<CreatedOffer> {
    const { credential, options } = request;
    if (Array.isArray(credential.credentialSubject)) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        'an offer is for one holder: credentialSubject must be one object',
      );
    }
    if (credential.credentialSubject.id !== undefined) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        "credentialSubject.id must be absent: the holder's DID is filled in when the offer is claimed",
      );
    }
    if (credential.id !== undefined) {
      // One offer, one credential: a fixed id would make the claim collide with any earlier issue.
      throw new DomainError(
        'INVALID_ARGUMENT',
        'credential.id must be absent: the gateway assigns it on claim',
      );
    }
    const now = this.services.now();
    // The same checks issuance runs again on claim; running them now spares a holder an offer
    // that could never be claimed.
    const org = await this.services.issuance.checkRequest(principal, request, now);
    // vc+jwt is signed as plain JSON; the Data Integrity formats process JSON-LD, whose faults
    // (an unknown @context, an undeclared term) would otherwise surface only when the holder claims.
    if (options.format !== 'jwt') await this.requireValidJsonLd(credential, org.did, now);
    const types = credential.type.filter((t) => t !== 'VerifiableCredential');

    const offerId = randomBytes(16).toString('base64url');
    const offerUrl = offerUrlOf(baseUrl, offerId);
    const expiresAt = new Date(
      now.getTime() + (request.expiresInSeconds === undefined ? this.ttlMs : request.expiresInSeconds * 1000),
    ).toISOString();
    const record: OfferRecord = {
      v: 1,
      baseUrl,
      createdBy: principal,
      createdAt: now.toISOString(),
      expiresAt,
      challenge: randomBytes(16).toString('base64url'),
      issuerOrgId: org.orgId,
      types,
      sealed: seal(bodyKey(offerId), JSON.stringify({ credential, options }), storageKey(offerId)),
    };
    await this.save(offerId, record);
    return { offerId, offerUrl, expiresAt };
  }

  /** The public view of an offer (404 for an unknown id). */
  async view(offerId: string): Promise<OfferView> {
    const record = await this.load(offerId);
    const org = await this.services.directory.org(record.issuerOrgId);
    return {
      offerId,
      offerUrl: offerUrlOf(record.baseUrl, offerId),
      issuer: { orgId: org.orgId, name: org.name },
      types: record.types,
      challenge: record.challenge,
      expiresAt: record.expiresAt,
      status: this.statusOf(record),
    };
  }

  /**
   * Claims an offer: checks its state, verifies the holder's proof (signature by the `iss` did:key,
   * `nonce` = the offer's challenge, `aud` = the offer URL, a short `exp`), issues to that DID as
   * the principal who made the offer, and marks the offer claimed. Single use.
   *
   * Errors: 404 NOT_FOUND (unknown offer), 409 INVALID_STATE (claimed, expired, or a claim already
   * in progress), 401 UNAUTHENTICATED (the proof does not prove control of a DID for this offer).
   */
  async claim(offerId: string, proof: string): Promise<Record<string, unknown>> {
    const key = storageKey(offerId);
    if (this.claiming.has(key)) {
      throw new DomainError('INVALID_STATE', 'this offer is being claimed by another request');
    }
    this.claiming.add(key);
    try {
      const record = await this.load(offerId);
      this.requireOpen(record);
      const holderDid = await this.verifyHolderProof(record, offerUrlOf(record.baseUrl, offerId), proof);
      if (record.sealed === undefined) throw new DomainError('INTERNAL', 'open offer has no body');
      const body = OfferBody.parse(
        JSON.parse(unseal(bodyKey(offerId), record.sealed, key).toString('utf8')) as unknown,
      );
      const signed = await this.services.issuance.issue(record.createdBy, {
        credential: {
          ...body.credential,
          // One subject: create() refuses arrays.
          credentialSubject: {
            ...(body.credential.credentialSubject as Record<string, unknown>),
            id: holderDid,
          },
        },
        options: body.options,
      });
      // A crash between issuing and this write leaves the offer open: the holder, who never got an
      // answer, can claim again, and the undelivered first credential stays anchored for the issuer
      // to revoke. The opposite order could burn an offer without the holder ever getting anything.
      const credentialId = typeof signed.id === 'string' ? signed.id : '';
      const claimed: OfferRecord = {
        ...record,
        claimed: { at: this.services.now().toISOString(), credentialId },
        sealed: undefined,
      };
      await this.save(offerId, claimed);
      return signed;
    } finally {
      this.claiming.delete(key);
    }
  }

  /**
   * Signs a copy of the offered credential with a throwaway key, as issuance will sign it for the
   * holder: the same JSON-LD processing, so what it refuses is refused now, 400 naming the
   * context URL or the term.
   */
  private async requireValidJsonLd(
    credential: UnsignedCredential,
    issuerDid: string,
    now: Date,
  ): Promise<void> {
    const trial = {
      ...credential,
      issuer: credential.issuer ?? issuerDid,
      ...(credential['@context'][0] === VC_V1_CONTEXT
        ? { issuanceDate: credential.issuanceDate ?? now.toISOString() }
        : {}),
      // create() allows one subject only; the claim fills in the holder's DID.
      credentialSubject: { ...(credential.credentialSubject as Record<string, unknown>), id: TRIAL_HOLDER },
    } as unknown as Credential;
    try {
      const key = await generateEd25519Key({ controller: issuerDid });
      await issueCredential({ credential: trial, key, documentLoader: this.services.documentLoader, now });
    } catch (error) {
      const refusal = jsonLdRefusal(error);
      if (refusal !== undefined) throw new DomainError('INVALID_ARGUMENT', refusal);
      throw error;
    }
  }

  private statusOf(record: OfferRecord): OfferStatus {
    if (record.claimed) return 'claimed';
    return Date.parse(record.expiresAt) <= this.services.now().getTime() ? 'expired' : 'open';
  }

  private requireOpen(record: OfferRecord): void {
    const status = this.statusOf(record);
    if (status === 'claimed') {
      throw new DomainError(
        'INVALID_STATE',
        `this offer was already claimed at ${record.claimed?.at ?? '?'}`,
      );
    }
    if (status === 'expired') {
      throw new DomainError('INVALID_STATE', `this offer expired at ${record.expiresAt}`);
    }
  }

  private async verifyHolderProof(record: OfferRecord, offerUrl: string, proof: string): Promise<string> {
    const { did } = await this.holderProofs.verify(proof, { audience: offerUrl, nonce: record.challenge });
    return did;
  }

  private async load(offerId: string): Promise<OfferRecord> {
    const raw = OFFER_ID.test(offerId) ? await this.services.db.offers.get(storageKey(offerId)) : undefined;
    if (raw === undefined) throw new DomainError('NOT_FOUND', 'no such credential offer');
    return OfferRecord.parse(JSON.parse(raw));
  }

  private async save(offerId: string, record: OfferRecord): Promise<void> {
    await this.services.db.put(this.services.db.offers, storageKey(offerId), JSON.stringify(record));
  }
}

function offerUrlOf(baseUrl: string, offerId: string): string {
  return `${baseUrl}/credential-offers/${offerId}`;
}

/** The database key of an offer: a hash, so the stored keys are not usable offer URLs. */
function storageKey(offerId: string): string {
  return createHash('sha256').update(`edu-ledger/offer-id/${offerId}`).digest('hex');
}

/** The key sealing an offer's body: derived from the 128-bit random offer id, which is not stored. */
function bodyKey(offerId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(offerId), Buffer.alloc(0), 'edu-ledger/offer-body', 32));
}
