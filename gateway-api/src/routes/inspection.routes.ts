import { z } from 'zod';
import {
  CloseInspectionRequest,
  DomainError,
  OrgId,
  PlanInspectionRequest,
  RecordVisitRequest,
  ReinspectRequest,
  RespondToActionsRequest,
  SubmitEvaluationRequest,
  Timestamp,
  type Role,
  type SubmitName,
  type TransactionRequest,
} from '@edu-ledger/domain';
import { pageFromQuery, pageToJson } from '../http/paging.js';
import { defineRoute, param, type RouteContext, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import type { Principal } from '../stores/tokens.js';
import * as D from '@edu-ledger/domain';
import * as Res from '../http/responses.js';

const ANY_STAFF: readonly Role[] = ['bureau-admin', 'inspector', 'school-admin', 'teacher'];
const InspectionIdParam = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/);

function who(principal: Principal | undefined): Principal {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
  return principal;
}

function inspectionId(ctx: RouteContext<unknown>): string {
  const parsed = InspectionIdParam.safeParse(param(ctx.req, 'id'));
  if (!parsed.success) throw new DomainError('INVALID_ARGUMENT', 'not an inspection id');
  return parsed.data;
}

function orgIdParam(ctx: RouteContext<unknown>): string {
  const parsed = OrgId.safeParse(param(ctx.req, 'orgId'));
  if (!parsed.success) throw new DomainError('INVALID_ARGUMENT', 'not an organisation id');
  return parsed.data;
}

/** Inspections (plan -> visit -> response -> re-inspection -> close) and school evaluations. */
export function inspectionRoutes(services: Services): RouteSpec[] {
  const step = <N extends SubmitName>(
    path: string,
    summary: string,
    access: readonly Role[],
    body: z.ZodType,
    fn: N,
  ): RouteSpec =>
    defineRoute({
      method: 'post',
      path,
      summary,
      tag: 'inspection',
      access,
      body,
      responses: { 200: { description: 'Recorded', schema: Res.submitted(D.Inspection) } },
      handle: async (ctx) => {
        // The body schema and the path parameter together make the request; the client checks it.
        const request = { ...(ctx.body as object), inspectionId: inspectionId(ctx) } as TransactionRequest<N>;
        return { status: 200, json: await services.records.submit(who(ctx.principal), fn, request) };
      },
    });

  return [
    defineRoute({
      method: 'post',
      path: '/inspections',
      summary: 'Plan an inspection of a school (inspector of its bureau)',
      tag: 'inspection',
      access: ['inspector'],
      body: PlanInspectionRequest,
      responses: { 201: { description: 'Planned', schema: Res.submitted(D.Inspection) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await services.records.submit(who(principal), 'inspection:PlanInspection', body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/inspections/overdue',
      summary: 'Open corrective actions past their deadline (bureau)',
      tag: 'inspection',
      access: ['inspector', 'bureau-admin'],
      responses: {
        200: {
          description: 'Overdue actions',
          schema: z.object({ at: z.string(), overdue: z.array(z.unknown()) }),
        },
      },
      handle: async ({ req, principal }) => {
        const query = z.object({ at: Timestamp.optional(), schoolId: OrgId.optional() }).safeParse(req.query);
        if (!query.success)
          throw new DomainError('INVALID_ARGUMENT', 'at must be an ISO time, schoolId an org id');
        const at = query.data.at ?? services.now().toISOString();
        const overdue = await services.records.query(who(principal), 'inspection:ListOverdueActions', {
          at,
          ...(query.data.schoolId ? { schoolId: query.data.schoolId } : {}),
        });
        return { status: 200, json: { at, overdue } };
      },
    }),
    step(
      '/inspections/:id/visit',
      'Record the visit: indicator scores, findings, corrective actions with deadlines (inspector)',
      ['inspector'],
      RecordVisitRequest.omit({ inspectionId: true }),
      'inspection:RecordVisit',
    ),
    step(
      '/inspections/:id/response',
      "The school's response to every open corrective action, with evidence digests (school staff)",
      ['school-admin', 'teacher'],
      RespondToActionsRequest.omit({ inspectionId: true }),
      'inspection:RespondToActions',
    ),
    step(
      '/inspections/:id/reinspection',
      'Re-inspect: passed resolves the actions, failed sets new ones (inspector)',
      ['inspector'],
      ReinspectRequest.omit({ inspectionId: true }),
      'inspection:Reinspect',
    ),
    step(
      '/inspections/:id/close',
      'Close an inspection whose actions are resolved (inspector)',
      ['inspector'],
      CloseInspectionRequest.omit({ inspectionId: true }),
      'inspection:CloseInspection',
    ),
    defineRoute({
      method: 'get',
      path: '/inspections/:id',
      summary: 'One inspection (its school or the bureau)',
      tag: 'inspection',
      access: ANY_STAFF,
      responses: { 200: { description: 'The inspection', schema: D.Inspection } },
      handle: async (ctx) => ({
        status: 200,
        json: await services.records.query(who(ctx.principal), 'inspection:GetInspection', {
          inspectionId: inspectionId(ctx),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/schools/:orgId/inspections',
      summary: "A school's inspections (the school itself or the bureau)",
      tag: 'inspection',
      access: ANY_STAFF,
      responses: { 200: { description: 'One page', schema: Res.paged('inspections', D.Inspection) } },
      handle: async (ctx) => ({
        status: 200,
        json: pageToJson(
          'inspections',
          await services.records.query(who(ctx.principal), 'inspection:ListInspections', {
            orgId: orgIdParam(ctx),
            ...pageFromQuery(ctx.req.query),
          }),
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/evaluations',
      summary: 'Submit a school development evaluation: self (school-admin) or external (inspector)',
      tag: 'inspection',
      access: ['school-admin', 'inspector'],
      body: SubmitEvaluationRequest,
      responses: { 201: { description: 'Submitted', schema: Res.submitted(D.EvaluationReport) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await services.records.submit(who(principal), 'inspection:SubmitEvaluation', body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/schools/:orgId/evaluations',
      summary: 'Self and external evaluations side by side, per period',
      tag: 'inspection',
      access: ANY_STAFF,
      responses: { 200: { description: 'Evaluations', schema: z.object({ evaluations: z.unknown() }) } },
      handle: async (ctx) => ({
        status: 200,
        json: {
          evaluations: await services.records.query(who(ctx.principal), 'inspection:GetEvaluations', {
            schoolId: orgIdParam(ctx),
          }),
        },
      }),
    }),
  ];
}
