import { CLR_V2_CONTEXT, OB_V3_CONTEXT, VC_V2_CONTEXT } from '@edu-ledger/credentials';
import type { EarnedCredit, IssueRequest, Recognition } from '@edu-ledger/domain';

/**
 * CLR 2.0 (1EdTech Comprehensive Learner Record): a `ClrCredential` whose subject carries the
 * learner's AchievementCredentials (Open Badges 3.0), the achievements they stand for and how those
 * achievements relate. The gateway issues two: the whole growth archive (学生成长档案) and a learner's
 * credit-bank statement (学分银行). This file only builds the requests; `IssuanceService.issueBundle`
 * signs every part, builds the whole around them and anchors all of them in one transaction.
 */

type Json = Record<string, unknown>;

/** What an Open Badges `Achievement` needs (id, type, criteria, description, name) and a few extras. */
export interface ClrAchievement {
  id: string;
  name: string;
  description: string;
  criteria: string;
  achievementType?: string;
  humanCode?: string;
  creditsAvailable?: number;
}

/** `Association.associationType`, the values CLR 2.0 defines. */
export type AssociationType =
  | 'exactMatchOf'
  | 'isChildOf'
  | 'isParentOf'
  | 'isPartOf'
  | 'isPeerOf'
  | 'isRelatedTo'
  | 'precedes'
  | 'replacedBy';

export interface ClrAssociation {
  associationType: AssociationType;
  sourceId: string;
  targetId: string;
}

/** One AchievementCredential of the record: the achievement and what the learner did for it. */
export interface ClrPart {
  name: string;
  achievement: ClrAchievement;
  /** Further claims about the learner (OB's `creditsEarned`, `term`, or terms of our context). */
  subject: Json;
}

export interface ClrPlan {
  name: string;
  description: string;
  parts: ClrPart[];
  /** Achievements the record names beyond those of its parts (for example the archive as a whole). */
  achievements: ClrAchievement[];
  associations: ClrAssociation[];
}

function achievementJson(a: ClrAchievement): Json {
  return {
    id: a.id,
    type: ['Achievement'],
    name: a.name,
    description: a.description,
    criteria: { narrative: a.criteria },
    ...(a.achievementType ? { achievementType: a.achievementType } : {}),
    ...(a.humanCode ? { humanCode: a.humanCode } : {}),
    ...(a.creditsAvailable === undefined ? {} : { creditsAvailable: a.creditsAvailable }),
  };
}

/**
 * The issue requests of a CLR: one per part, and a function that wraps the signed parts into the
 * `ClrCredential`. `eduContext` is listed when the parts use terms of our own context.
 */
export function clrRequests(
  plan: ClrPlan,
  { holderDid, subjectId, eduContext }: { holderDid: string; subjectId?: string; eduContext: string },
): { parts: IssueRequest[]; whole: (signedParts: Json[]) => IssueRequest } {
  const options = { format: 'ldp' as const, ...(subjectId ? { subjectId } : {}) };
  const parts: IssueRequest[] = plan.parts.map((part) => ({
    credential: {
      '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT, eduContext],
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      name: part.name,
      credentialSubject: {
        id: holderDid,
        type: ['AchievementSubject'],
        achievement: achievementJson(part.achievement),
        ...part.subject,
      },
    },
    options,
  }));
  const whole = (signedParts: Json[]): IssueRequest => ({
    credential: {
      '@context': [VC_V2_CONTEXT, CLR_V2_CONTEXT, OB_V3_CONTEXT],
      type: ['VerifiableCredential', 'ClrCredential'],
      name: plan.name,
      description: plan.description,
      credentialSubject: {
        id: holderDid,
        type: ['ClrSubject'],
        verifiableCredential: signedParts,
        achievement: [...plan.parts.map((p) => p.achievement), ...plan.achievements].map(achievementJson),
        ...(plan.associations.length > 0
          ? { association: plan.associations.map((a) => ({ type: 'Association', ...a })) }
          : {}),
      },
    },
    options,
  });
  return { parts, whole };
}

/** A report dimension as `GrowthService.reportDimensions` returns it. */
interface DimensionResult {
  dimension: string;
  label: string;
  labelEn: string;
  entries: { term: string }[];
}

/**
 * The whole growth archive: one part per term with entries (that term's dimension results, under
 * our context's `dimensionResults`), the archive as an achievement of its own that each term is
 * part of, and each term preceding the next.
 */
export function growthArchivePlan({
  publicUrl,
  setId,
  setLabel,
  results,
}: {
  publicUrl: string;
  setId: string;
  setLabel: string;
  results: Json[];
}): ClrPlan {
  const dimensions = results as unknown as DimensionResult[];
  const terms = [...new Set(dimensions.flatMap((d) => d.entries.map((e) => e.term)))].sort();
  const archive: ClrAchievement = {
    id: `${publicUrl}/achievements/growth/${setId}`,
    name: `学生成长档案 Growth archive: ${setLabel}`,
    description: `学生在“${setLabel}”各维度上的成长记录 The learner's growth record over the dimensions of ${setLabel}`,
    criteria:
      '由档案所在学校按区域成长档案维度记录 Recorded by the school holding the archive, by the regional dimensions',
  };
  const parts: ClrPart[] = terms.map((term) => ({
    name: `学生成长档案学期记录 Growth record, term ${term}`,
    achievement: {
      id: `${archive.id}/${term.toLowerCase()}`,
      name: `学期成长记录 ${term} Term growth record ${term}`,
      description: `${term} 学期各维度的成长记录 The growth record of term ${term}, by dimension`,
      criteria: archive.criteria,
    },
    subject: {
      term,
      dimensionResults: dimensions
        .map((d) => ({ ...d, entries: d.entries.filter((e) => e.term === term) }))
        .filter((d) => d.entries.length > 0),
    },
  }));
  const associations: ClrAssociation[] = [
    ...parts.map((p) => ({
      associationType: 'isPartOf' as const,
      sourceId: p.achievement.id,
      targetId: archive.id,
    })),
    ...parts.slice(1).map((p, i) => ({
      associationType: 'precedes' as const,
      sourceId: parts[i]?.achievement.id ?? p.achievement.id,
      targetId: p.achievement.id,
    })),
  ];
  return {
    name: `学生成长档案 Growth archive (${terms[0]} – ${terms.at(-1)})`,
    description: '学生成长档案全档报告（CLR 2.0） The whole growth archive as a Comprehensive Learner Record',
    parts,
    achievements: [archive],
    associations,
  };
}

/**
 * A learner's credit-bank statement as the issuing institution can vouch for it: the credits it
 * awarded (earned there) and the recognitions it approved (credits from elsewhere counted for one of
 * its courses). A recognised course is related to the course whose credit it recognises.
 */
export function creditStatementPlan({
  publicUrl,
  orgId,
  earned,
  recognitions,
  allEarned,
}: {
  publicUrl: string;
  orgId: string;
  earned: EarnedCredit[];
  recognitions: Recognition[];
  /** Every credit of the learner, to name the course a recognition stands on. */
  allEarned: EarnedCredit[];
}): ClrPlan {
  const course = (org: string, courseId: string, credits: number): ClrAchievement => ({
    id: `${publicUrl}/achievements/courses/${org}/${courseId}`,
    name: `课程 Course ${courseId} (${org})`,
    description: `${org} 的课程 ${courseId} Course ${courseId} of ${org}`,
    criteria: '按课程要求完成学习并通过考核 Completed and passed as the course requires',
    achievementType: 'Course',
    humanCode: courseId,
    creditsAvailable: credits,
  });
  const parts: ClrPart[] = [
    ...earned.map((e) => ({
      name: `学分 Credits earned: ${e.courseId}`,
      achievement: course(e.orgId, e.courseId, e.credits),
      subject: { creditsEarned: e.credits, term: e.term },
    })),
    ...recognitions.map((r) => ({
      name: `学分互认 Credits recognised: ${r.toCourse}`,
      achievement: course(r.toOrg, r.toCourse, r.credits),
      subject: {
        creditsEarned: r.credits,
        fromInstitution: r.fromOrg,
        toInstitution: r.toOrg,
        agreementId: r.agreementId,
      },
    })),
  ];
  const associations: ClrAssociation[] = recognitions.flatMap((r) => {
    const source = allEarned.find((e) => e.creditId === r.creditId);
    return source
      ? [
          {
            associationType: 'isRelatedTo' as const,
            sourceId: course(r.toOrg, r.toCourse, r.credits).id,
            targetId: course(source.orgId, source.courseId, source.credits).id,
          },
        ]
      : [];
  });
  const partIds = new Set(parts.map((p) => p.achievement.id));
  const achievements = recognitions.flatMap((r) => {
    const source = allEarned.find((e) => e.creditId === r.creditId);
    if (!source) return [];
    const a = course(source.orgId, source.courseId, source.credits);
    if (partIds.has(a.id)) return [];
    partIds.add(a.id);
    return [a];
  });
  return {
    name: `学分银行学习成果记录 Credit-bank statement (${orgId})`,
    description:
      '本机构授予和认定的学分（CLR 2.0） Credits this institution awarded and recognised, as a Comprehensive Learner Record',
    parts,
    achievements,
    associations,
  };
}
