import { EDU_V1_CONTEXT, OB_V3_CONTEXT, VC_V2_CONTEXT } from '../src/index.js';
import type { Credential } from '../src/index.js';

export const SCHOOL_NAME = '北京市第一中学';
export const ACHIEVEMENT_NAME = '高中数学建模实践';

/** A 32-byte seed filled with `byte`: deterministic keys without committing secrets. */
export function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

export interface AchievementOptions {
  issuer: string;
  subjectId: string;
  id?: string;
  validFrom?: string;
  validUntil?: string;
  credentialStatus?: Record<string, unknown>;
}

/**
 * A fresh Open Badges 3.0 credential (OB 3.0.3 context defines both OpenBadgeCredential and its
 * alias AchievementCredential; OB 3.0 examples use OpenBadgeCredential). The subject carries our
 * edu terms next to OB's own `creditsEarned` and `term`.
 */
export function achievementCredential(options: AchievementOptions): Credential {
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT, EDU_V1_CONTEXT],
    id: options.id ?? 'urn:uuid:6f1c3a2e-8b7d-4c1e-9a55-2d0f4e7b9c10',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `${ACHIEVEMENT_NAME}学分证书`,
    issuer: { id: options.issuer, type: ['Profile'], name: SCHOOL_NAME },
    validFrom: options.validFrom ?? '2024-09-01T00:00:00Z',
    ...(options.validUntil === undefined ? {} : { validUntil: options.validUntil }),
    ...(options.credentialStatus === undefined ? {} : { credentialStatus: options.credentialStatus }),
    credentialSubject: {
      id: options.subjectId,
      type: ['AchievementSubject'],
      term: '2024-2025学年第一学期',
      creditsEarned: 2,
      creditUnit: '学分',
      schoolCode: '1111000001',
      achievement: {
        id: 'urn:uuid:0d6c7f7e-2b1a-4c8e-8f3d-5a9b1c2d3e4f',
        type: ['Achievement'],
        name: ACHIEVEMENT_NAME,
        description: '完成一个真实情境的数学建模课题，并提交研究报告与答辩。',
        criteria: { narrative: '出勤不少于 90%，课题报告评定为合格及以上。' },
        creditsAvailable: 2,
      },
    },
  };
}

/** A fresh growth report that uses only the VC 2.0 and edu contexts. */
export function growthTermReport(options: { issuer: string; subjectId: string }): Credential {
  return {
    '@context': [VC_V2_CONTEXT, EDU_V1_CONTEXT],
    id: 'urn:uuid:3b0f6a4d-7c2e-4f19-8d6a-1e5c9b7a2f30',
    type: ['VerifiableCredential', 'GrowthTermReport'],
    issuer: options.issuer,
    validFrom: '2025-01-20T00:00:00Z',
    credentialSubject: {
      id: options.subjectId,
      pseudonymousSubjectId: 'psn-5c1e9a',
      schoolCode: '1111000001',
      term: '2024-2025学年第一学期',
      dimension: '身心健康',
      indicator: '体育锻炼时长',
      hours: 64,
      activityKind: '校内课程',
    },
  };
}

/** A BitstringStatusListEntry pointing at `index` of a revocation list. */
export function statusEntry(listUrl: string, index: number): Record<string, unknown> {
  return {
    id: `${listUrl}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(index),
    statusListCredential: listUrl,
  };
}
