import { z } from 'zod';
import { HexDigest, LocalisedText, OrgId, SubjectId, Timestamp } from './primitives.js';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and hyphens');
export const Term = z.string().regex(/^\d{4}-(S1|S2)$/, 'a school year and semester, e.g. 2026-S1');

/** A region's growth-archive dimensions and indicators: configuration set by the bureau, versioned by id. */
export const DimensionSet = z.object({
  setId: Slug,
  region: LocalisedText,
  dimensions: z
    .array(
      z.object({
        dimensionId: Slug,
        label: LocalisedText,
        indicators: z.array(z.object({ indicatorId: Slug, label: LocalisedText })).max(30),
      }),
    )
    .min(1)
    .max(20),
  definedBy: OrgId,
  definedAt: Timestamp,
});
export type DimensionSet = z.infer<typeof DimensionSet>;
export const DefineDimensionSetRequest = DimensionSet.omit({ definedBy: true, definedAt: true });

/** One archive per student, held by one school at a time; custody history is kept. */
export const GrowthArchive = z.object({
  subjectId: SubjectId,
  dimensionSetId: Slug,
  holderSchoolId: OrgId,
  custody: z.array(z.object({ schoolId: OrgId, from: Timestamp, until: Timestamp.optional() })).min(1),
  pendingTransfer: z.object({ toSchoolId: OrgId, requestedAt: Timestamp }).optional(),
  createdAt: Timestamp,
});
export type GrowthArchive = z.infer<typeof GrowthArchive>;
export const OpenArchiveRequest = z.object({ subjectId: SubjectId, dimensionSetId: Slug });

/**
 * An entry: the content itself stays in the vault; the ledger holds its salted digest. A correction
 * is a new entry that supersedes an old one; both stay.
 */
export const GrowthEntry = z.object({
  entryId: Slug,
  subjectId: SubjectId,
  term: Term,
  dimensionId: Slug,
  indicatorId: Slug.optional(),
  contentDigest: HexDigest,
  evidenceDigests: z.array(HexDigest).max(20),
  authorOrgId: OrgId,
  authorRole: z.string(),
  supersedes: Slug.optional(),
  supersededBy: Slug.optional(),
  recordedAt: Timestamp,
});
export type GrowthEntry = z.infer<typeof GrowthEntry>;
export const AddEntryRequest = GrowthEntry.pick({
  entryId: true,
  subjectId: true,
  term: true,
  dimensionId: true,
  indicatorId: true,
  contentDigest: true,
  evidenceDigests: true,
  supersedes: true,
});

export const TransferRequest = z.object({ subjectId: SubjectId, toSchoolId: OrgId });
export const SubjectRequest = z.object({ subjectId: SubjectId });

/** 告知-同意: the student lets an admissions office read chosen dimensions until a date. */
export const Consent = z.object({
  consentId: Slug,
  subjectId: SubjectId,
  granteeOrgId: OrgId,
  dimensions: z.array(Slug).min(1).max(20),
  until: Timestamp,
  grantedAt: Timestamp,
  grantedVia: z.enum(['school', 'holder']),
  /** When the student asked through their wallet: digest of their signed request. */
  holderProofDigest: HexDigest.optional(),
  revokedAt: Timestamp.optional(),
});
export type Consent = z.infer<typeof Consent>;
export const GrantConsentRequest = Consent.pick({
  consentId: true,
  subjectId: true,
  granteeOrgId: true,
  dimensions: true,
  until: true,
  holderProofDigest: true,
});
export const RevokeConsentRequest = z.object({ subjectId: SubjectId, consentId: Slug });

/** The two dimension sets in the regional plans (DOMAIN.md), seeded for the demo. */
export const SEED_DIMENSION_SETS: readonly z.input<typeof DefineDimensionSetRequest>[] = [
  {
    setId: 'five-dimensions-a',
    region: { zh: '综合素质评价（五维 A）', en: 'Comprehensive quality (five dimensions, A)' },
    dimensions: [
      { dimensionId: 'moral', label: { zh: '思想品德', en: 'Moral character' }, indicators: [] },
      {
        dimensionId: 'academic',
        label: { zh: '学业水平', en: 'Academic level' },
        indicators: [
          { indicatorId: 'reading', label: { zh: '阅读素养', en: 'Reading literacy' } },
          { indicatorId: 'mathematics', label: { zh: '数学素养', en: 'Mathematical literacy' } },
          { indicatorId: 'science', label: { zh: '科学素养', en: 'Scientific literacy' } },
        ],
      },
      { dimensionId: 'health', label: { zh: '身心健康', en: 'Physical and mental health' }, indicators: [] },
      { dimensionId: 'arts', label: { zh: '艺术素养', en: 'Arts' }, indicators: [] },
      {
        dimensionId: 'social-practice',
        label: { zh: '社会实践', en: 'Social practice' },
        indicators: [{ indicatorId: 'labour', label: { zh: '劳动素养', en: 'Labour literacy' } }],
      },
    ],
  },
  {
    setId: 'five-dimensions-b',
    region: { zh: '综合素质评价（五维 B）', en: 'Comprehensive quality (five dimensions, B)' },
    dimensions: [
      { dimensionId: 'academic', label: { zh: '学业水平', en: 'Academic level' }, indicators: [] },
      { dimensionId: 'moral', label: { zh: '思想品德', en: 'Moral character' }, indicators: [] },
      { dimensionId: 'arts', label: { zh: '艺术素养', en: 'Arts' }, indicators: [] },
      { dimensionId: 'health', label: { zh: '身心健康', en: 'Physical and mental health' }, indicators: [] },
      { dimensionId: 'skills', label: { zh: '技能特长', en: 'Skills and special talents' }, indicators: [] },
    ],
  },
];
