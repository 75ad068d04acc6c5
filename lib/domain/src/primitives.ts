import { z } from 'zod';

/** Organisation ids are short slugs; they appear in ledger keys and URLs. */
export const OrgId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and hyphens, 2-63 characters');
export type OrgId = z.infer<typeof OrgId>;

export const MspId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/, 'an MSP id such as SchoolGenMSP');

/** ISO 8601 instant with an explicit zone, as produced by Date#toISOString. */
export const Timestamp = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof Timestamp>;

export const HexDigest = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256 digest');

export const Did = z.string().regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'a DID');
export const DidUrl = z.string().regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+(#[A-Za-z0-9._:%-]+)?$/, 'a DID URL');

/**
 * A URL: a scheme, a colon and at least one character, with no white space, control characters or
 * characters that RFC 3986 never allows unescaped.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it keeps out
const URL_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]{0,31}:[^\s\u0000-\u001f\u007f"<>\\^`{|}]+$/;

/**
 * A credential's id: any URL, as VC 2.0 allows (`urn:uuid:...`, `https://school.example/c/1`,
 * `did:example:...`). The gateway makes `urn:uuid:` ids when a credential names none.
 */
export const CredentialId = z.string().max(500).regex(URL_PATTERN, 'a URL, e.g. urn:uuid:...');

/**
 * A credential or record type: a term (`OpenBadgeCredential`) or an absolute URL, as VC 2.0 allows
 * in `type` arrays; accreditations name them the same way.
 */
export const CredentialType = z.union([
  z.string().regex(/^[A-Za-z][A-Za-z0-9]{1,63}$/, 'a type name'),
  z.string().max(200).regex(URL_PATTERN, 'an absolute URL'),
]);

/** Pseudonymous subject identifier issued by the vault: never derived from personal data. */
export const SubjectId = z.string().regex(/^subj-[0-9a-f]{32}$/, 'a pseudonymous subject id');

/** Localised label: every user-facing name carries Simplified Chinese and English. */
export const LocalisedText = z.object({
  zh: z.string().min(1).max(200),
  en: z.string().min(1).max(200),
});

/** Fabric-style client identity: MSP id plus the X.509 subject/issuer id string. */
export const ClientIdentity = z.object({
  mspId: MspId,
  id: z.string().min(1).max(1024),
});
export type ClientIdentity = z.infer<typeof ClientIdentity>;
