import { z } from 'zod';
import {
  DecideRecognitionBody,
  DefineCourseRequest,
  DomainError,
  LearnerStatement,
  LearnerStatementView,
  OrgId,
  ProposeAgreementRequest,
  Recognition,
  RecordEarnedCreditRequest,
  RequestRecognitionRequest,
  SubjectId,
  type Role,
  type SubmitName,
  type TransactionRequest,
} from '@edu-ledger/domain';
import { pageFromQuery, pageToJson } from '../http/paging.js';
import { eduContextUrl } from '@edu-ledger/credentials';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import type { Principal } from '../stores/tokens.js';
import { clrRequests, creditStatementPlan } from '../services/clr.js';
import * as D from '@edu-ledger/domain';
import * as Res from '../http/responses.js';

const STAFF: readonly Role[] = ['school-admin', 'teacher', 'bureau-admin'];
const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/);

function who(principal: Principal | undefined): Principal {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
  return principal;
}

function pathParam<T>(schema: z.ZodType<T>, raw: string, what: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new DomainError('INVALID_ARGUMENT', `not a valid ${what}`);
  return parsed.data;
}

/** Credit bank (学分银行): catalogues, agreements, earned credits and their recognition. */
export function creditBankRoutes(services: Services): RouteSpec[] {
  const submit = <N extends SubmitName>(
    principal: Principal | undefined,
    fn: N,
    request: TransactionRequest<N>,
  ) => services.records.submit(who(principal), fn, request);
  return [
    defineRoute({
      method: 'post',
      path: '/courses',
      summary: "Add or update a course in the caller's institution catalogue",
      tag: 'credit-bank',
      access: ['school-admin'],
      body: DefineCourseRequest,
      responses: { 201: { description: 'Defined', schema: Res.submitted(D.Course) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await submit(principal, 'creditbank:DefineCourse', body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/organizations/:orgId/courses',
      summary: "An institution's course catalogue",
      tag: 'credit-bank',
      access: 'public',
      responses: { 200: { description: 'One page', schema: Res.paged('courses', D.Course) } },
      handle: async ({ req }) => {
        const orgId = pathParam(OrgId, param(req, 'orgId'), 'organisation id');
        const raw = await services.chaincode.evaluateText(
          services.directory.readerIdentity,
          'creditbank:ListCourses',
          { orgId, ...pageFromQuery(req.query) },
        );
        return { status: 200, json: pageToJson('courses', JSON.parse(raw)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/agreements',
      summary: 'Propose a mutual-recognition agreement with another institution (approved by the proposer)',
      tag: 'credit-bank',
      access: ['school-admin'],
      body: ProposeAgreementRequest,
      responses: { 201: { description: 'Proposed', schema: Res.submitted(D.Agreement) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await submit(principal, 'creditbank:ProposeAgreement', body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/agreements/:id/approve',
      summary: 'Approve an agreement as the partner institution; it then takes effect',
      tag: 'credit-bank',
      access: ['school-admin'],
      responses: { 200: { description: 'Approved', schema: Res.submitted(D.Agreement) } },
      handle: async ({ req, principal }) => ({
        status: 200,
        json: await submit(principal, 'creditbank:ApproveAgreement', {
          agreementId: pathParam(Slug, param(req, 'id'), 'agreement id'),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/agreements/:id',
      summary: 'One agreement with its approvals',
      tag: 'credit-bank',
      access: STAFF,
      responses: { 200: { description: 'The agreement', schema: D.Agreement } },
      handle: async ({ req, principal }) => ({
        status: 200,
        json: await services.records.query(who(principal), 'creditbank:GetAgreement', {
          agreementId: pathParam(Slug, param(req, 'id'), 'agreement id'),
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/credit-bank/credits',
      summary: 'Record credits a learner earned on a catalogue course (teaching institution)',
      tag: 'credit-bank',
      access: ['school-admin', 'teacher'],
      body: RecordEarnedCreditRequest,
      responses: { 201: { description: 'Recorded', schema: Res.submitted(D.EarnedCredit) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await submit(principal, 'creditbank:RecordEarnedCredit', body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/credit-bank/recognitions',
      summary:
        'Ask another institution to recognise an earned credit under an agreement (at most once per target)',
      tag: 'credit-bank',
      access: ['school-admin', 'teacher'],
      body: RequestRecognitionRequest,
      responses: { 201: { description: 'Requested', schema: Res.submitted(D.Recognition) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await submit(principal, 'creditbank:RequestRecognition', body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/credit-bank/recognitions/:id/decision',
      summary:
        'Approve or reject a recognition request (target institution); a reason goes to the vault, its salted digest to the ledger',
      tag: 'credit-bank',
      access: ['school-admin'],
      body: DecideRecognitionBody,
      responses: {
        200: {
          description: 'Decided; the ledger holds reasonDigest, never the reason',
          schema: z.object({ record: Recognition, txId: z.string(), blockNumber: z.number() }),
        },
      },
      handle: async ({ req, body, principal }) => ({
        status: 200,
        json: await services.notes.decideRecognition(
          who(principal),
          pathParam(Slug, param(req, 'id'), 'recognition id'),
          body,
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/credit-bank/recognitions/:id/credential',
      summary:
        'Issue a CreditTransferCredential for an approved recognition to the learner (target institution)',
      tag: 'credit-bank',
      access: ['school-admin'],
      body: z.object({
        learnerId: SubjectId,
        holderDid: z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/),
        /** Revoke this record's live credential (reason superseded) and issue this one in its place. */
        supersede: z.boolean().optional(),
      }),
      responses: { 201: { description: 'Signed and anchored', schema: Res.IssuedCredential } },
      handle: async ({ req, body, principal }) => {
        const caller = who(principal);
        const recognitionId = pathParam(Slug, param(req, 'id'), 'recognition id');
        const statement = LearnerStatement.parse(
          await services.records.query(caller, 'creditbank:GetLearnerStatement', {
            learnerId: body.learnerId,
          }),
        );
        const recognition = statement.recognitions.find((r) => r.recognitionId === recognitionId);
        if (!recognition)
          throw new DomainError('NOT_FOUND', `no recognition ${recognitionId} for this learner`);
        // Early refusals before any signing; the chaincode decides again when anchoring.
        if (recognition.toOrg !== caller.orgId)
          throw new DomainError('FORBIDDEN_ORG', 'the recognising institution issues it');
        if (recognition.state !== 'approved')
          throw new DomainError('INVALID_STATE', `recognition is ${recognition.state}`);
        const earned = statement.earned.find((e) => e.creditId === recognition.creditId);
        const verifiableCredential = await services.issuance.issue(
          caller,
          {
            credential: {
              '@context': ['https://www.w3.org/ns/credentials/v2', eduContextUrl(services.publicUrl)],
              type: ['VerifiableCredential', 'CreditTransferCredential'],
              name: '学分互认证明 Credit transfer',
              credentialSubject: {
                id: body.holderDid,
                credits: recognition.credits,
                creditUnit: '学分',
                courseId: recognition.toCourse,
                fromInstitution: recognition.fromOrg,
                toInstitution: recognition.toOrg,
                agreementId: recognition.agreementId,
                ...(earned ? { term: earned.term } : {}),
              },
            },
            options: { format: 'ldp' },
          },
          // One live credential per recognition: the ledger refuses a second unless the first is
          // revoked or superseded.
          {
            kind: 'credit-recognition',
            recordId: `${body.learnerId}/${recognitionId}`,
            supersede: body.supersede ?? false,
          },
        );
        return { status: 201, json: { verifiableCredential } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/credit-bank/learners/:learnerId/clr',
      summary:
        "Issue the learner's credit-bank statement as a CLR 2.0 ClrCredential: the credits the caller's institution awarded and recognised",
      tag: 'credit-bank',
      access: ['school-admin'],
      body: z.object({ holderDid: z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/) }),
      responses: { 201: { description: 'Signed and anchored', schema: Res.IssuedCredential } },
      handle: async ({ req, body, principal }) => {
        const caller = who(principal);
        const learnerId = pathParam(SubjectId, param(req, 'learnerId'), 'learner id');
        const statement = LearnerStatement.parse(
          await services.records.query(caller, 'creditbank:GetLearnerStatement', { learnerId }),
        );
        // An institution vouches only for what it did itself: credits earned with it, and the
        // recognitions it approved. Nothing of other institutions' is signed in its name.
        const earned = statement.earned.filter((e) => e.orgId === caller.orgId);
        const recognitions = statement.recognitions.filter(
          (r) => r.toOrg === caller.orgId && r.state === 'approved',
        );
        if (earned.length + recognitions.length === 0)
          throw new DomainError(
            'INVALID_STATE',
            'this institution has awarded or recognised no credits for the learner',
          );
        const plan = creditStatementPlan({
          publicUrl: services.publicUrl,
          orgId: caller.orgId,
          earned,
          recognitions,
          allEarned: statement.earned,
        });
        const { parts, whole } = clrRequests(plan, {
          holderDid: body.holderDid,
          eduContext: eduContextUrl(services.publicUrl),
        });
        const verifiableCredential = await services.issuance.issueBundle(caller, parts, whole);
        return { status: 201, json: { verifiableCredential } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/credit-bank/learners/:learnerId',
      summary:
        "A learner's statement: earned and recognised credits, balance per institution, decision reasons from the vault",
      tag: 'credit-bank',
      access: STAFF,
      responses: { 200: { description: 'Statement', schema: LearnerStatementView } },
      handle: async ({ req, principal }) => ({
        status: 200,
        json: await services.notes.learnerStatement(
          who(principal),
          pathParam(SubjectId, param(req, 'learnerId'), 'learner id'),
        ),
      }),
    }),
  ];
}
