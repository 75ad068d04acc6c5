/**
 * The mixed writes of the fault test: credential issuance, growth entries, inspections (plan, then
 * the visit as a second step) and credit recognitions (the earned credit, then the recognition).
 * Fixtures (students with archives, learners, a course and an effective agreement) are made first
 * through the same gateway. Records are spread over several subjects so that concurrent writes
 * rarely touch the same keys (an MVCC conflict is a refusal, not a fault).
 */
import { randomUUID } from 'node:crypto';
import { achievementRequest } from '../../gateway-api/test/harness.js';
import type { Write } from './client.js';

const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const DAY = 86_400_000;
const YEAR = 365 * DAY;
export const COURSE = 'fault-cnc';
export const TARGET_COURSE = 'fault-tech';
export const AGREEMENT = 'fault-gen-voc';

export interface Tokens {
  admin: string;
  teacher: string;
  inspector: string;
  vocAdmin: string;
  vocTeacher: string;
  genAdmin: string;
}

export interface Fixtures {
  /** Students of school-gen with an open growth archive. */
  students: string[];
  /** Learners of school-voc in the credit bank. */
  learners: string[];
}

/** A POST through the gateway during set-up, which must succeed. */
export type SetupStep = (path: string, token: string, body: unknown) => Promise<any>;

/** A pseudonymous subject registered through the API (fictitious person data stays in the vault). */
async function registerSubject(step: SetupStep, token: string, n: number): Promise<string> {
  const digits = String(100000 + n).slice(-6);
  const res = await step('/subjects', token, {
    name: `测试学生${n}`,
    idNumber: `310101200901${digits}`,
    studentNumber: `F310101200901${digits}`,
    birthDate: '2009-01-01',
  });
  return res.subjectId as string;
}

export async function makeFixtures(
  step: SetupStep,
  t: Tokens,
  counts: { students: number; learners: number },
): Promise<Fixtures> {
  const students: string[] = [];
  for (let i = 0; i < counts.students; i++) {
    const subjectId = await registerSubject(step, t.admin, i);
    await step('/archives', t.admin, { subjectId, dimensionSetId: 'five-dimensions-a' });
    students.push(subjectId);
  }
  const learners: string[] = [];
  for (let i = 0; i < counts.learners; i++) learners.push(await registerSubject(step, t.vocAdmin, 500 + i));
  const title = { zh: '数控加工基础', en: 'CNC machining basics' };
  await step('/courses', t.vocAdmin, { courseId: COURSE, title, credits: 1, delivery: 'online' });
  await step('/courses', t.genAdmin, {
    courseId: TARGET_COURSE,
    title: { zh: '通用技术', en: 'General technology' },
    credits: 1,
    delivery: 'offline',
  });
  const mapping = { fromOrg: 'school-voc', fromCourse: COURSE, toOrg: 'school-gen', toCourse: TARGET_COURSE };
  await step('/agreements', t.vocAdmin, {
    agreementId: AGREEMENT,
    partnerOrgId: 'school-gen',
    mappings: [{ ...mapping, ratio: 1 }],
    capPerLearner: 100,
    validFrom: new Date(Date.now() - YEAR).toISOString(),
    validUntil: new Date(Date.now() + YEAR).toISOString(),
  });
  await step(`/agreements/${AGREEMENT}/approve`, t.genAdmin, undefined);
  return { students, learners };
}

/** A job: one logical write, or two in sequence where the second needs the first. */
export type Job = Write[];

const key = (): string => `fault-${randomUUID()}`;
const slug = (prefix: string): string => `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 20)}`;

function write(kind: string, id: string, path: string, token: string, body: unknown): Write {
  return { key: key(), kind, id, path, token, body, attempts: [] };
}

/** Makes jobs of the four kinds, picked by `rand` (40 % issuance, 30 % entries, 15 % each other). */
export class JobMaker {
  private recognitions = 0;
  constructor(
    private readonly t: Tokens,
    private readonly f: Fixtures,
    private readonly rand: () => number,
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)] as T;
  }

  next(): Job {
    const r = this.rand();
    if (r < 0.4) return [this.credential()];
    if (r < 0.7) return [this.entry()];
    if (r < 0.85) return this.inspection();
    return this.recognition();
  }

  private credential(): Write {
    const id = `urn:uuid:${randomUUID()}`;
    const request = achievementRequest(HOLDER, `故障测试奖项 Fault-test award`) as {
      credential: Record<string, unknown>;
    };
    return write('credential', id, '/credentials/issue', this.t.admin, {
      credential: { ...request.credential, id },
    });
  }

  private entry(): Write {
    const subjectId = this.pick(this.f.students);
    const entryId = slug('e');
    return write('entry', `${subjectId}/${entryId}`, `/archives/${subjectId}/entries`, this.t.teacher, {
      entryId,
      term: '2026-S1',
      dimensionId: 'academic',
      content: { text: `课堂表现良好 ${entryId}` },
    });
  }

  private inspection(): Write[] {
    const id = slug('insp');
    const plan = write('inspection', id, '/inspections', this.t.inspector, {
      inspectionId: id,
      schoolId: 'school-gen',
      indicatorSystem: 'smart-campus',
      title: { zh: '智慧校园专项督导', en: 'Smart campus inspection' },
      plannedFor: new Date(Date.now() + 7 * DAY).toISOString(),
    });
    const visit = write('visit', id, `/inspections/${id}/visit`, this.t.inspector, {
      scores: [{ indicator: 'network', score: 7, maxScore: 10 }],
      findings: '网络基础设施达标 Network infrastructure meets the standard',
      actions: [
        {
          actionId: 'a1',
          description: '完善数据制度',
          deadline: new Date(Date.now() + 30 * DAY).toISOString(),
        },
      ],
    });
    return [plan, visit];
  }

  private recognition(): Write[] {
    // Round robin over learners: each one's recognitions stay under the agreement's cap of 100.
    const learnerId = this.f.learners[this.recognitions++ % this.f.learners.length] ?? '';
    const creditId = slug('c');
    const recognitionId = slug('r');
    const credit = write('credit', `${learnerId}/${creditId}`, '/credit-bank/credits', this.t.vocTeacher, {
      creditId,
      learnerId,
      courseId: COURSE,
      credits: 1,
      term: '2026-S1',
    });
    const recognition = write(
      'recognition',
      `${learnerId}/${recognitionId}`,
      '/credit-bank/recognitions',
      this.t.vocAdmin,
      { recognitionId, learnerId, creditId, toOrg: 'school-gen', agreementId: AGREEMENT },
    );
    return [credit, recognition];
  }
}
