import { z } from 'zod';
import { CredentialStatusValue, StatusReason } from './anchors.js';
import { CredentialId, CredentialType, SubjectId, Timestamp } from './primitives.js';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';

const ContextEntry = z.union([z.url(), z.record(z.string(), z.unknown())]);
const IssuerRef = z.union([z.string().min(1), z.looseObject({ id: z.string().min(1) })]);

const Subject = z
  .looseObject({ id: z.string().max(500).optional() })
  .refine((s) => Object.keys(s).length > 0, { message: 'a credential subject may not be empty' });

/** A string, or a JSON-LD language value object (`{"@value": "…", "@language": "zh"}`), or several. */
const LanguageValue = z.looseObject({
  '@value': z.string().max(2000),
  '@language': z.string().max(35).optional(),
});
const TextValue = z.union([z.string().max(2000), LanguageValue, z.array(LanguageValue).min(1).max(20)]);

/** An object VC 2.0 requires a `type` of (termsOfUse, evidence, refreshService, credentialStatus…). */
const Typed = z.looseObject({
  id: z.url().max(2000).optional(),
  type: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
});
const OneOrMore = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1).max(20)]);

/** `relatedResource`: an id and the digest of what it names (VC 2.0 §5.3). */
const RelatedResource = z
  .looseObject({
    id: z.string().min(1).max(2000),
    digestSRI: z.string().min(1).optional(),
    digestMultibase: z.string().min(1).optional(),
  })
  .refine((r) => r.digestSRI !== undefined || r.digestMultibase !== undefined, {
    message: 'a related resource needs digestSRI or digestMultibase',
  });

/**
 * An unsigned credential as the gateway builds or receives it: as broad as VC 2.0 allows (the base
 * type alone, URL types, one subject or several, any URL id). The issuer may be left out only by
 * the gateway's own routes, which fill it in; `POST /credentials/issue` requires it
 * ({@link IssueCredentialRequest}).
 */
export const UnsignedCredential = z
  .looseObject({
    '@context': z.array(ContextEntry).min(1),
    id: CredentialId.optional(),
    // A lone type is a string in JSON-LD; it is signed as a one-element array, which means the same.
    type: z
      .union([CredentialType, z.array(CredentialType).min(1).max(10)])
      .transform((t) => (Array.isArray(t) ? t : [t])),
    issuer: IssuerRef.optional(),
    name: TextValue.optional(),
    description: TextValue.optional(),
    validFrom: Timestamp.optional(),
    validUntil: Timestamp.optional(),
    /** VC 1.1's names for the validity period (only with the VC 1.1 context). */
    issuanceDate: Timestamp.optional(),
    expirationDate: Timestamp.optional(),
    credentialSubject: z.union([Subject, z.array(Subject).min(1).max(100)]),
    /** Entries of the caller's own; the gateway adds its revocation entry (see IssuanceService). */
    credentialStatus: OneOrMore(Typed).optional(),
    credentialSchema: OneOrMore(Typed.extend({ id: z.string().min(1).max(2000) })).optional(),
    termsOfUse: OneOrMore(Typed).optional(),
    evidence: OneOrMore(Typed).optional(),
    refreshService: OneOrMore(Typed).optional(),
    relatedResource: OneOrMore(RelatedResource)
      .refine((r) => !Array.isArray(r) || new Set(r.map((x) => x.id)).size === r.length, {
        message: 'each related resource id may appear once',
      })
      .optional(),
    proof: z.never().optional(),
  })
  .refine((c) => c['@context'][0] === VC_V2_CONTEXT || c['@context'][0] === VC_V1_CONTEXT, {
    message: `the first @context must be ${VC_V2_CONTEXT} (or ${VC_V1_CONTEXT} for VC 1.1)`,
    path: ['@context'],
  })
  .refine(
    (c) =>
      c['@context'][0] === VC_V1_CONTEXT
        ? c.validFrom === undefined && c.validUntil === undefined
        : c.issuanceDate === undefined && c.expirationDate === undefined,
    {
      message: 'VC 2.0 names the validity period validFrom/validUntil, VC 1.1 issuanceDate/expirationDate',
      path: ['@context'],
    },
  )
  .refine((c) => c.type.includes('VerifiableCredential'), {
    message: 'type must include VerifiableCredential',
    path: ['type'],
  });
export type UnsignedCredential = z.infer<typeof UnsignedCredential>;

export const IssueRequest = z.object({
  credential: UnsignedCredential,
  options: z
    .object({
      /** Keep an encrypted copy for this vault subject (the holder). */
      subjectId: SubjectId.optional(),
      /** `ldp` (Data Integrity, default) or `jwt` (VC-JOSE, EdDSA). */
      format: z.enum(['ldp', 'jwt']).default('ldp'),
      /**
       * Sign with `ecdsa-sd-2023` (the issuer's P-256 key) instead of `eddsa-rdfc-2022`, so the
       * holder can derive a credential disclosing only chosen fields. Absent means false.
       */
      selectiveDisclosure: z.boolean().optional(),
    })
    .default({ format: 'ldp' }),
});
export type IssueRequest = z.infer<typeof IssueRequest>;

/**
 * `POST /credentials/issue` (VC-API): the credential names its issuer, as the data model requires;
 * it must be the caller's organisation. Nothing is filled in for a caller who left it out.
 */
export const IssueCredentialRequest = IssueRequest.extend({
  credential: UnsignedCredential.refine((c) => c.issuer !== undefined, {
    message: 'issuer is required: the DID of the issuing organisation',
    path: ['issuer'],
  }),
});

/** A signed credential as received for verification: shape only, the checks do the rest. */
export const SignedCredentialShape = z.looseObject({
  '@context': z.array(ContextEntry).min(1),
  id: z.string().optional(),
  type: z.array(z.string()).min(1),
  issuer: IssuerRef,
  credentialSubject: z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]),
  proof: z.union([z.looseObject({ type: z.string() }), z.array(z.looseObject({ type: z.string() }))]),
});

/**
 * Verification options. `requireTrustedIssuer`: also demand that the issuer is a member of this
 * ledger's registry, accredited for the credential's types (validation, on top of verification).
 */
export const VerifyOptions = z.object({ requireTrustedIssuer: z.boolean().optional() }).loose();
export type VerifyOptions = z.infer<typeof VerifyOptions>;

export const VerifyCredentialRequest = z.object({
  verifiableCredential: z.union([z.record(z.string(), z.unknown()), z.string().min(10).max(100_000)]),
  options: VerifyOptions.optional(),
});

/**
 * A presentation to verify. Challenge and domain are enforced when given (the holder must then
 * have signed for them); VC 2.0 makes them, and the holder's proof, optional otherwise.
 */
export const VerifyPresentationRequest = z.object({
  verifiablePresentation: z.union([z.record(z.string(), z.unknown()), z.string().min(10).max(200_000)]),
  options: VerifyOptions.extend({
    challenge: z.string().min(8).max(200).optional(),
    domain: z.string().min(1).max(200).optional(),
    /**
     * Demand holder binding: the presentation is signed by its holder, who is the subject of every
     * credential in it (at least one). VC 2.0 leaves this to the verifier's policy.
     */
    requireHolderBinding: z.boolean().optional(),
  }).optional(),
});

export const UpdateStatusRequest = z.object({
  credentialId: CredentialId,
  credentialStatus: z
    .array(
      z.object({
        type: z.literal('BitstringStatusListCredential'),
        status: CredentialStatusValue,
      }),
    )
    .length(1),
  options: z.object({ reasonCode: StatusReason.optional() }).optional(),
});

/** The checks of a single credential, in the order they are reported. */
export const CREDENTIAL_CHECKS = [
  'format',
  'signature',
  'issuer-accredited',
  'key-valid',
  'anchored',
  'status',
  'validity-period',
] as const;

export const CHECK_NAMES = [...CREDENTIAL_CHECKS, 'holder-binding', 'challenge'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const CheckResult = z.object({
  check: z.enum(CHECK_NAMES),
  status: z.enum(['valid', 'invalid', 'not-checked']),
  reason: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/**
 * What a verification concluded, for people: `trusted` (verified, and the issuer is a member of
 * this registry accredited for the types), `untrusted-issuer` (the credential is genuine: well
 * formed, signed, not revoked, in its validity period; its issuer is not in this registry) or
 * `invalid`.
 */
export const VERIFICATION_OUTCOMES = ['trusted', 'untrusted-issuer', 'invalid'] as const;

export const VerificationResult = z.object({
  /**
   * VC-API verification: well formed, proof valid, status not revoked or suspended, within the
   * validity period; for an issuer of this registry, also accredited, key valid and anchored.
   * With `requireTrustedIssuer`, false for an issuer outside the registry.
   */
  verified: z.boolean(),
  outcome: z.enum(VERIFICATION_OUTCOMES).optional(),
  /** Whether the issuer is an organisation of this ledger's registry. */
  issuerInRegistry: z.boolean().optional(),
  checks: z.array(CheckResult),
});
export type VerificationResult = z.infer<typeof VerificationResult>;

/** A presentation's verification: its own checks (challenge, holder binding) and each credential's. */
export const PresentationResult = VerificationResult.extend({
  credentialResults: z.array(VerificationResult),
});
export type PresentationResult = z.infer<typeof PresentationResult>;

/** A verification request as the holder's wallet reads it (from the page's link, QR or the gateway). */
export const PublicRequest = z.object({
  id: z.uuid(),
  challenge: z.string(),
  domain: z.string(),
  types: z.array(z.string()),
  responseUrl: z.url(),
  expiresAt: z.iso.datetime(),
});
export type PublicRequest = z.infer<typeof PublicRequest>;
