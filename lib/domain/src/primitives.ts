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

export const CredentialId = z.string().regex(/^urn:uuid:[0-9a-f-]{36}$/, 'a urn:uuid: identifier');

/** A credential or record type name, as used in `type` arrays and accreditations. */
export const CredentialType = z.string().regex(/^[A-Za-z][A-Za-z0-9]{1,63}$/, 'a type name');

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
