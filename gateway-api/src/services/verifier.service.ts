import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  DomainError,
  PresentationResult,
  PublicRequest,
  type CheckResult,
  type VerificationResult,
} from '@edu-ledger/domain';
import {
  eduContextUrl,
  VC_V2_CONTEXT,
  credentialDigest,
  issueCredential,
  type Credential,
  type VerifiableCredential,
} from '@edu-ledger/credentials';
import type { Principal } from '../stores/tokens.js';
import type { Services } from './index.js';

/** How long a holder has to answer a verification request. */
export const REQUEST_TTL_MS = 15 * 60_000;

const CredentialType = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a credential type name such as OpenBadgeCredential');

export const CreateVerificationRequestBody = z.object({
  types: z.array(CredentialType).min(1).max(10),
  domain: z.string().min(1).max(200).optional(),
});
export type CreateVerificationRequestBody = z.infer<typeof CreateVerificationRequestBody>;

/** As for `POST /presentations/verify`: the verification service decides what it accepts. */
export const AnswerVerificationRequestBody = z.object({
  verifiablePresentation: z.union([z.record(z.string(), z.unknown()), z.string().min(10).max(200_000)]),
});

const Challenge = z.object({ challenge: z.string().min(8).max(200), domain: z.string().min(1).max(200) });

export const ReceiptBody = z
  .object({
    verifiableCredential: z.record(z.string(), z.unknown()).optional(),
    verifiablePresentation: z.record(z.string(), z.unknown()).optional(),
    /** Needed to re-verify a presentation: the challenge and domain it was signed for. */
    options: Challenge.optional(),
    /** The verification result the client saw. Compared with a fresh verification, never trusted. */
    result: z.unknown().optional(),
  })
  .refine((b) => (b.verifiableCredential === undefined) !== (b.verifiablePresentation === undefined), {
    message: 'send exactly one of verifiableCredential or verifiablePresentation',
  })
  .refine((b) => b.verifiablePresentation === undefined || b.options !== undefined, {
    message: 'a presentation needs options.challenge and options.domain to be re-verified',
    path: ['options'],
  });
export type ReceiptBody = z.infer<typeof ReceiptBody>;

const StoredRequest = PublicRequest.extend({
  orgId: z.string(),
  createdAt: z.iso.datetime(),
  answer: z
    .object({
      answeredAt: z.iso.datetime(),
      holder: z.string().optional(),
      credentialIds: z.array(z.string()),
      /** Wanted types that no presented credential has: the verifier decides what that means. */
      missingTypes: z.array(z.string()).default([]),
      result: PresentationResult,
    })
    .optional(),
});
type StoredRequest = z.infer<typeof StoredRequest>;

export interface RequestView {
  request: PublicRequest & { createdAt: string };
  status: 'pending' | 'answered' | 'expired';
  result?: PresentationResult;
  answeredAt?: string;
  holder?: string;
  missingTypes?: string[];
  /** The presentation as answered, while this gateway process still holds it (never written to disk). */
  verifiablePresentation?: Record<string, unknown>;
}

/** JSON-LD terms for the receipt. Kept inline until they are added to the edu v1 context. */
export const RECEIPT_CONTEXT = {
  VerificationReceipt: 'https://edu-ledger.example/vocab#VerificationReceipt',
  credentialDigest: 'https://edu-ledger.example/vocab#credentialDigest',
  verificationChecks: { '@id': 'https://edu-ledger.example/vocab#verificationChecks', '@type': '@json' },
  verified: {
    '@id': 'https://edu-ledger.example/vocab#verified',
    '@type': 'http://www.w3.org/2001/XMLSchema#boolean',
  },
  verifiedAt: {
    '@id': 'https://edu-ledger.example/vocab#verifiedAt',
    '@type': 'http://www.w3.org/2001/XMLSchema#dateTime',
  },
} as const;

export interface ReceiptOutcome {
  verifiableCredential: VerifiableCredential;
  /** The gateway's own verification, which the receipt records. */
  result: VerificationResult | PresentationResult;
  /** True when the client's posted result said something else than the fresh verification. */
  postedResultDiffers: boolean;
}

/**
 * Verification requests (a verifier asks a holder for a presentation bound to a fresh challenge)
 * and verification receipts (a signed record that the verifier's organisation checked something).
 */
export class VerifierService {
  private readonly requests;
  /** Ids being answered right now: the second of two concurrent answers must lose, not both win. */
  private readonly answering = new Set<string>();
  /**
   * Answered presentations, in memory only. They carry the holder's credentials in clear; the
   * gateway has no key to seal them with here, so they are kept only as long as the verifier
   * plausibly needs to look at them, and never reach disk. The result is persisted.
   */
  private readonly presented = new Map<string, { until: number; vp: Record<string, unknown> }>();

  constructor(private readonly services: Services) {
    this.requests = services.db.db.sublevel<string, string>('verification-requests', {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
    });
  }

  async create(
    principal: Principal,
    body: CreateVerificationRequestBody,
    origin: string,
  ): Promise<PublicRequest> {
    const org = await this.services.directory.org(principal.orgId);
    const now = this.services.now();
    const id = randomUUID();
    const stored: StoredRequest = {
      id,
      orgId: org.orgId,
      // 128 random bits: a holder's proof over it cannot have been made for any other request.
      challenge: randomBytes(16).toString('base64url'),
      domain: body.domain ?? org.did,
      types: [...new Set(body.types)],
      responseUrl: `${origin}/verification-requests/${id}/response`,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + REQUEST_TTL_MS).toISOString(),
    };
    await this.save(stored);
    return publicPart(stored);
  }

  /**
   * What anyone holding the request's link may read (the holder's wallet, a phone that scanned the
   * page's QR): the request itself and whether it is still open. Never the answer.
   */
  async publicView(id: string): Promise<{ request: PublicRequest; status: RequestView['status'] }> {
    const stored = await this.load(id);
    return {
      request: publicPart(stored),
      status: stored.answer ? 'answered' : this.expired(stored) ? 'expired' : 'pending',
    };
  }

  async view(principal: Principal, id: string): Promise<RequestView> {
    const stored = await this.load(id);
    if (stored.orgId !== principal.orgId)
      throw new DomainError('FORBIDDEN_ORG', 'this verification request belongs to another organisation');
    this.prune();
    const vp = this.presented.get(id)?.vp;
    return {
      request: { ...publicPart(stored), createdAt: stored.createdAt },
      status: stored.answer ? 'answered' : this.expired(stored) ? 'expired' : 'pending',
      ...(stored.answer
        ? {
            result: stored.answer.result,
            answeredAt: stored.answer.answeredAt,
            missingTypes: stored.answer.missingTypes,
            ...(stored.answer.holder ? { holder: stored.answer.holder } : {}),
          }
        : {}),
      ...(vp ? { verifiablePresentation: vp } : {}),
    };
  }

  /**
   * A holder answers. A presentation that is not bound to this request (wrong challenge or domain,
   * or no valid holder proof) is refused and leaves the request open, so nobody who merely saw the
   * QR code can use it up. A bound presentation is the answer, whatever its credentials' checks
   * say, and the request is then closed.
   */
  async answer(
    id: string,
    vp: Record<string, unknown> | string,
  ): Promise<{ stored: boolean; result: PresentationResult }> {
    if (this.answering.has(id))
      throw new DomainError('INVALID_STATE', 'this verification request is being answered');
    this.answering.add(id);
    try {
      const stored = await this.load(id);
      if (stored.answer)
        throw new DomainError('INVALID_STATE', 'this verification request was already answered');
      if (this.expired(stored))
        throw new DomainError('INVALID_STATE', 'this verification request has expired');
      // Our request/response flow: the student answers with credentials about themselves.
      const result = await this.services.verification.verifyPresentation(
        vp,
        stored.challenge,
        stored.domain,
        {
          requireHolderBinding: true,
        },
      );
      const bound = result.checks.every((c) => c.status === 'valid');
      if (!bound) return { stored: false, result };
      const answeredAt = this.services.now().toISOString();
      const presentation = typeof vp === 'string' ? {} : vp;
      const holder = typeof presentation['holder'] === 'string' ? presentation['holder'] : undefined;
      const credentials = credentialsOf(presentation);
      const presentedTypes = new Set(credentials.flatMap((c) => (Array.isArray(c['type']) ? c['type'] : [])));
      await this.save({
        ...stored,
        answer: {
          answeredAt,
          ...(holder ? { holder } : {}),
          credentialIds: credentials.map((c) => c['id']).filter((x): x is string => typeof x === 'string'),
          missingTypes: stored.types.filter((type) => !presentedTypes.has(type)),
          result,
        },
      });
      this.prune();
      if (typeof vp !== 'string') this.presented.set(id, { until: Date.now() + REQUEST_TTL_MS, vp });
      return { stored: true, result };
    } finally {
      this.answering.delete(id);
    }
  }

  /**
   * Verifies again, server-side, and signs a receipt of what this verification found, as the
   * verifier's organisation. The posted result only serves to tell the caller when it differs: a
   * tampered credential sent with a forged "verified: true" still gets a receipt, saying invalid.
   */
  async receipt(principal: Principal, body: ReceiptBody): Promise<ReceiptOutcome> {
    const org = await this.services.directory.org(principal.orgId);
    const key = await this.services.keys.current(org.orgId);
    const now = this.services.now();
    let result: VerificationResult | PresentationResult;
    let subjects: Record<string, unknown>[];
    if (body.verifiableCredential) {
      const vc = body.verifiableCredential;
      const checked = await this.services.verification.verifyCredential(vc);
      result = checked;
      subjects = [receiptSubject(vc, checked.verified, checked.checks, now)];
    } else {
      const vp = body.verifiablePresentation ?? {};
      const options = body.options;
      if (!options) throw new DomainError('INVALID_ARGUMENT', 'options.challenge and options.domain');
      const checked = await this.services.verification.verifyPresentation(
        vp,
        options.challenge,
        options.domain,
        { requireHolderBinding: true },
      );
      result = checked;
      const bound = checked.checks.every((c) => c.status === 'valid');
      const credentials = credentialsOf(vp);
      // Each credential gets its own entry: the presentation's own checks come first, so an entry is
      // verified only if the holder binding held and the credential itself verified.
      subjects = credentials.map((vc, i) => {
        const own = checked.credentialResults[i];
        return receiptSubject(
          vc,
          bound && own?.verified === true,
          [...checked.checks, ...(own?.checks ?? [])],
          now,
        );
      });
      if (subjects.length === 0)
        subjects = [
          { verified: false, verifiedAt: now.toISOString(), verificationChecks: summary(checked.checks) },
        ];
    }
    const credential: Credential = {
      '@context': [VC_V2_CONTEXT, eduContextUrl(this.services.publicUrl), RECEIPT_CONTEXT],
      id: `urn:uuid:${randomUUID()}`,
      type: ['VerifiableCredential', 'VerificationReceipt'],
      name: '核验回执 Verification receipt',
      issuer: { id: org.did, name: org.name.zh },
      validFrom: now.toISOString(),
      credentialSubject: subjects.length === 1 ? (subjects[0] ?? {}) : subjects,
    };
    const verifiableCredential = await issueCredential({
      credential,
      key,
      documentLoader: this.services.documentLoader,
      now,
    });
    return { verifiableCredential, result, postedResultDiffers: postedDiffers(body.result, result.verified) };
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, kept] of this.presented) if (kept.until < now) this.presented.delete(id);
  }

  private expired(stored: StoredRequest): boolean {
    return Date.parse(stored.expiresAt) < this.services.now().getTime();
  }

  private async load(id: string): Promise<StoredRequest> {
    const parsedId = z.uuid().safeParse(id);
    const raw = parsedId.success ? await this.requests.get(parsedId.data) : undefined;
    if (raw === undefined) throw new DomainError('NOT_FOUND', 'no verification request with that id');
    return StoredRequest.parse(JSON.parse(raw));
  }

  private async save(stored: StoredRequest): Promise<void> {
    await this.services.db.db.batch(
      [{ type: 'put', sublevel: this.requests, key: stored.id, value: JSON.stringify(stored) }],
      { sync: true },
    );
  }
}

function publicPart(stored: StoredRequest): PublicRequest {
  const { id, challenge, domain, types, responseUrl, expiresAt } = stored;
  return { id, challenge, domain, types, responseUrl, expiresAt };
}

function credentialsOf(vp: Record<string, unknown>): Record<string, unknown>[] {
  const vcs = vp['verifiableCredential'];
  return (Array.isArray(vcs) ? vcs : vcs === undefined ? [] : [vcs]).filter(
    (c): c is Record<string, unknown> => typeof c === 'object' && c !== null,
  );
}

/** Check name, outcome and reason: enough to read the receipt without the original response. */
function summary(checks: readonly CheckResult[]): { check: string; status: string; reason: string }[] {
  return checks.map(({ check, status, reason }) => ({ check, status, reason }));
}

function receiptSubject(
  vc: Record<string, unknown>,
  verified: boolean,
  checks: readonly CheckResult[],
  at: Date,
): Record<string, unknown> {
  const id = vc['id'];
  return {
    // The receipt is about the verified credential, so that credential is its subject.
    ...(typeof id === 'string' && /^[a-z][a-z0-9+.-]*:\S+$/i.test(id) ? { id } : {}),
    credentialDigest: credentialDigest(vc),
    verified,
    verifiedAt: at.toISOString(),
    verificationChecks: summary(checks),
  };
}

function postedDiffers(posted: unknown, verified: boolean): boolean {
  if (typeof posted !== 'object' || posted === null) return false;
  const claimed: unknown = Reflect.get(posted, 'verified');
  return typeof claimed === 'boolean' && claimed !== verified;
}
