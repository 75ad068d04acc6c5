import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  DefinePdRulesRequest,
  DomainError,
  PdCompletion,
  PdRules,
  RecordCompletionRequest,
  RecordTeacherEvaluationBody,
  SubjectId,
  TeacherEvaluation,
  TeacherEvaluationView,
  Timestamp,
  type Role,
  type SubmitName,
  type TransactionRequest,
} from '@edu-ledger/domain';
import { eduContextUrl } from '@edu-ledger/credentials';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import type { Principal } from '../stores/tokens.js';
import * as D from '@edu-ledger/domain';
import * as Res from '../http/responses.js';

const CycleProgress = z.object({
  rulesVersion: z.string(),
  creditUnit: z.string(),
  cycle: z.object({ from: z.string(), until: z.string() }),
  byKind: z.array(
    z.object({ kind: z.string(), label: z.object({ zh: z.string(), en: z.string() }), counted: z.number() }),
  ),
  total: z.number(),
  required: z.number(),
  schools: z.array(z.string()),
});

const STAFF: readonly Role[] = ['school-admin', 'teacher', 'provider-admin', 'bureau-admin', 'inspector'];
const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/);
const OB3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

function who(principal: Principal | undefined): Principal {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
  return principal;
}

function ids(raw: (name: string) => string): { teacherId: string; completionId: string } {
  const teacherId = SubjectId.safeParse(raw('teacherId'));
  const completionId = Slug.safeParse(raw('completionId'));
  if (!teacherId.success || !completionId.success)
    throw new DomainError('INVALID_ARGUMENT', 'teacher or completion id');
  return { teacherId: teacherId.data, completionId: completionId.data };
}

/** Teacher professional development (教师继续教育学分): rules, completions, confirmation, progress, credentials. */
export function pdRoutes(services: Services): RouteSpec[] {
  const EDU_CONTEXT = eduContextUrl(services.publicUrl);
  const submit = <N extends SubmitName>(
    principal: Principal | undefined,
    fn: N,
    request: TransactionRequest<N>,
  ) => services.records.submit(who(principal), fn, request);
  const teacherParam = (raw: string): string => {
    const parsed = SubjectId.safeParse(raw);
    if (!parsed.success) throw new DomainError('INVALID_ARGUMENT', 'not a teacher (subject) id');
    return parsed.data;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/pd/rules',
      summary: "Every bureau's hour-to-credit conversion rules, every version (definedBy names the bureau)",
      tag: 'pd',
      access: 'public',
      responses: {
        200: { description: 'Every rules version', schema: z.object({ rules: z.array(D.PdRules) }) },
      },
      handle: async () => ({
        status: 200,
        json: {
          rules: PdRules.array().parse(
            JSON.parse(
              await services.chaincode.evaluateText(
                services.directory.readerIdentity,
                'pd:ListRules',
                undefined,
              ),
            ),
          ),
        },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/pd/rules',
      summary: 'Define a new version of the conversion rules (bureau)',
      tag: 'pd',
      access: ['bureau-admin'],
      body: DefinePdRulesRequest,
      responses: { 201: { description: 'Defined', schema: Res.submitted(D.PdRules) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await submit(principal, 'pd:DefineRules', body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/pd/completions',
      summary:
        'Record a completed activity (accredited provider); credits computed by the rules in force then',
      tag: 'pd',
      access: ['provider-admin', 'school-admin'],
      body: RecordCompletionRequest,
      responses: { 201: { description: 'Recorded', schema: Res.submitted(D.PdCompletion) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await submit(principal, 'pd:RecordCompletion', body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/pd/completions/:teacherId/:completionId/decision',
      summary: "Confirm or reject a completion (the teacher's school); only confirmed ones accrue",
      tag: 'pd',
      access: ['school-admin'],
      body: z.object({ confirm: z.boolean() }),
      responses: { 200: { description: 'Decided', schema: Res.submitted(D.PdCompletion) } },
      handle: async ({ req, body, principal }) => ({
        status: 200,
        json: await submit(principal, 'pd:ConfirmCompletion', {
          ...ids((n) => param(req, n)),
          confirm: body.confirm,
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/pd/completions/:teacherId/:completionId/credential',
      summary: "Issue the Open Badges credential for a confirmed completion to the teacher's DID (provider)",
      tag: 'pd',
      access: ['provider-admin', 'school-admin'],
      body: z.object({
        holderDid: z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/),
        /** Revoke this record's live credential (reason superseded) and issue this one in its place. */
        supersede: z.boolean().optional(),
      }),
      responses: { 201: { description: 'Signed and anchored', schema: Res.IssuedCredential } },
      handle: async ({ req, body, principal }) => {
        const caller = who(principal);
        const ref = ids((n) => param(req, n));
        const completion = PdCompletion.parse(await services.records.query(caller, 'pd:GetCompletion', ref));
        // Early refusals before any signing; the chaincode decides again when anchoring.
        if (completion.providerId !== caller.orgId)
          throw new DomainError('FORBIDDEN_ORG', 'only the provider issues it');
        if (completion.state !== 'confirmed')
          throw new DomainError('INVALID_STATE', 'the school has not confirmed it');
        const rulesBureau = (await services.directory.org(completion.schoolId)).parentBureauId;
        const rules = PdRules.array()
          .parse(
            JSON.parse(
              await services.chaincode.evaluateText(
                services.directory.readerIdentity,
                'pd:ListRules',
                undefined,
              ),
            ),
          )
          // Versions are named per bureau: the completion was measured by its school's bureau's rules.
          .find((r) => r.version === completion.rulesVersion && r.definedBy === rulesBureau);
        const verifiableCredential = await services.issuance.issue(
          caller,
          {
            credential: {
              '@context': ['https://www.w3.org/ns/credentials/v2', OB3_CONTEXT, EDU_CONTEXT],
              type: ['VerifiableCredential', 'OpenBadgeCredential', 'PdCompletionCredential'],
              name: `${completion.title.zh} ${completion.title.en}`,
              credentialSubject: {
                id: body.holderDid,
                type: ['AchievementSubject'],
                achievement: {
                  id: `urn:uuid:${randomUUID()}`,
                  type: ['Achievement'],
                  name: `${completion.title.zh} / ${completion.title.en}`,
                  // Open Badges 3.0 requires a description of every achievement.
                  description: `教师继续教育：${completion.title.zh}，${completion.hours} 学时。Teacher professional development: ${completion.title.en}, ${completion.hours} hours.`,
                  criteria: { narrative: `${completion.hours} 学时 / hours, ${completion.activityKind}` },
                  creditsAvailable: completion.credits,
                },
                creditsEarned: completion.credits,
                creditUnit: rules?.creditUnit ?? '学分',
                hours: completion.hours,
                activityKind: completion.activityKind,
                rulesVersion: completion.rulesVersion,
                completedOn: completion.completedOn,
              },
            },
            options: { format: 'ldp' },
          },
          // One live credential per completion: the ledger refuses a second unless the first is
          // revoked or superseded.
          {
            kind: 'pd-completion',
            recordId: `${ref.teacherId}/${ref.completionId}`,
            supersede: body.supersede ?? false,
          },
        );
        return { status: 201, json: { verifiableCredential } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/pd/teachers/:teacherId/progress',
      summary: 'Credits per kind (capped) in the current cycle and progress toward the requirement',
      tag: 'pd',
      access: STAFF,
      responses: { 200: { description: 'Credits by kind, with caps and progress', schema: Res.JsonObject } },
      handle: async ({ req, principal }) => {
        const at = Timestamp.optional().safeParse(req.query['at']);
        if (!at.success) throw new DomainError('INVALID_ARGUMENT', 'at must be an ISO time');
        return {
          status: 200,
          json: await services.records.query(who(principal), 'pd:GetTeacherProgress', {
            teacherId: teacherParam(param(req, 'teacherId')),
            at: at.data ?? services.now().toISOString(),
          }),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/pd/teachers/:teacherId/cycle-summary',
      summary: "Issue the teacher's cycle summary credential (a school whose completions the teacher has)",
      tag: 'pd',
      access: ['school-admin'],
      body: z.object({ holderDid: z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/) }),
      responses: { 201: { description: 'Signed and anchored', schema: Res.IssuedCredential } },
      handle: async ({ req, body, principal }) => {
        const caller = who(principal);
        const progress = CycleProgress.parse(
          await services.records.query(caller, 'pd:GetTeacherProgress', {
            teacherId: teacherParam(param(req, 'teacherId')),
            at: services.now().toISOString(),
          }),
        );
        if (!progress.schools.includes(caller.orgId)) {
          throw new DomainError(
            'FORBIDDEN_ORG',
            'no confirmed completion of this teacher was confirmed by your school',
          );
        }
        const verifiableCredential = await services.issuance.issue(caller, {
          credential: {
            '@context': ['https://www.w3.org/ns/credentials/v2', EDU_CONTEXT],
            type: ['VerifiableCredential', 'PdCycleSummaryCredential'],
            name: '教师继续教育周期学分汇总 PD cycle summary',
            credentialSubject: {
              id: body.holderDid,
              cycle: `${progress.cycle.from}/${progress.cycle.until}`,
              rulesVersion: progress.rulesVersion,
              creditUnit: progress.creditUnit,
              totalCredits: progress.total,
              requiredCredits: progress.required,
              creditsByKind: progress.byKind
                .filter((k) => k.counted > 0)
                .map((k) => ({
                  activityKind: k.kind,
                  credits: k.counted,
                  label: k.label.zh,
                  labelEn: k.label.en,
                })),
            },
          },
          options: { format: 'ldp' },
        });
        return { status: 201, json: { verifiableCredential } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/pd/teachers/:teacherId/evaluations',
      summary:
        'Record a teacher evaluation over the teacher-archive dimensions (school); notes go to the vault, their salted digest to the ledger',
      tag: 'pd',
      access: ['school-admin'],
      body: RecordTeacherEvaluationBody,
      responses: {
        201: {
          description: 'Recorded; the ledger holds the scores and notesDigest, never the notes',
          schema: z.object({ record: TeacherEvaluation, txId: z.string(), blockNumber: z.number() }),
        },
      },
      handle: async ({ req, body, principal }) => ({
        status: 201,
        json: await services.notes.recordEvaluation(
          who(principal),
          teacherParam(param(req, 'teacherId')),
          body,
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/pd/teachers/:teacherId/evaluations',
      summary:
        "A teacher's evaluations by period, each score with its note and whether the notes match the ledger",
      tag: 'pd',
      access: STAFF,
      responses: {
        200: {
          description: 'Evaluations',
          schema: z.object({ evaluations: z.array(TeacherEvaluationView) }),
        },
      },
      handle: async ({ req, principal }) => ({
        status: 200,
        json: {
          evaluations: await services.notes.listEvaluations(
            who(principal),
            teacherParam(param(req, 'teacherId')),
          ),
        },
      }),
    }),
  ];
}
