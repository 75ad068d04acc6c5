import { z } from 'zod';
import {
  AddEntryRequest,
  DefineDimensionSetRequest,
  DimensionSet,
  DomainError,
  GrantConsentRequest,
  OrgId,
  SubjectId,
  Term,
  growthReportRecordId,
  type Role,
  type SubmitName,
  type TransactionRequest,
} from '@edu-ledger/domain';
import { eduContextUrl } from '@edu-ledger/credentials';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import type { Principal } from '../stores/tokens.js';
import { EntryContent } from '../services/growth.service.js';
import { clrRequests, growthArchivePlan } from '../services/clr.js';
import * as D from '@edu-ledger/domain';
import * as Res from '../http/responses.js';

const READERS: readonly Role[] = ['school-admin', 'teacher', 'bureau-admin', 'inspector', 'verifier'];
const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/);

function who(principal: Principal | undefined): Principal {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
  return principal;
}

function subjectParam(raw: string): string {
  const parsed = SubjectId.safeParse(raw);
  if (!parsed.success) throw new DomainError('INVALID_ARGUMENT', 'not a subject id');
  return parsed.data;
}

const EntryBody = AddEntryRequest.omit({ subjectId: true, contentDigest: true }).extend({
  evidenceDigests: AddEntryRequest.shape.evidenceDigests.default([]),
  content: EntryContent,
});

/**
 * A report names its student (VC 2.0's `name`), or an admissions officer sees only a DID. The
 * name comes from the vault and goes into the signed credential alone: the ledger anchors its
 * digest, and the gateway's copy is sealed under the student's key. It is not a mandatory
 * selective-disclosure pointer, so the holder may withhold it from a derived copy.
 */
function withStudentName(request: D.IssueRequest, name: string): D.IssueRequest {
  const subject = request.credential.credentialSubject as Record<string, unknown>;
  return { ...request, credential: { ...request.credential, credentialSubject: { ...subject, name } } };
}

/** Student growth archives (学生成长档案): dimension sets, entries, transfer, consent, report credentials. */
export function growthRoutes(services: Services): RouteSpec[] {
  const EDU_CONTEXT = eduContextUrl(services.publicUrl);
  const submit = <N extends SubmitName>(
    principal: Principal | undefined,
    fn: N,
    request: TransactionRequest<N>,
  ) => services.records.submit(who(principal), fn, request);
  const dimensionSets = async (): Promise<DimensionSet[]> =>
    DimensionSet.array().parse(
      JSON.parse(
        await services.chaincode.evaluateText(
          services.directory.readerIdentity,
          'growth:ListDimensionSets',
          undefined,
        ),
      ),
    );

  return [
    defineRoute({
      method: 'get',
      path: '/dimension-sets',
      summary: 'Growth-archive dimension sets configured by the bureau, with bilingual labels',
      tag: 'growth',
      access: 'public',
      responses: {
        200: {
          description: 'Every dimension set',
          schema: z.object({ dimensionSets: z.array(D.DimensionSet) }),
        },
      },
      handle: async () => ({ status: 200, json: { dimensionSets: await dimensionSets() } }),
    }),
    defineRoute({
      method: 'post',
      path: '/dimension-sets',
      summary: 'Define a new dimension set (bureau)',
      tag: 'growth',
      access: ['bureau-admin'],
      body: DefineDimensionSetRequest,
      responses: { 201: { description: 'Defined', schema: Res.submitted(D.DimensionSet) } },
      handle: async ({ body, principal }) => ({
        status: 201,
        json: await submit(principal, 'growth:DefineDimensionSet', body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/archives',
      summary: "Open a student's growth archive at the caller's school",
      tag: 'growth',
      access: ['school-admin'],
      body: z.object({ subjectId: SubjectId, dimensionSetId: Slug }),
      responses: { 201: { description: 'Opened', schema: Res.submitted(D.GrowthArchive) } },
      handle: async ({ body, principal }) => {
        await services.vault.owner(body.subjectId);
        return { status: 201, json: await submit(principal, 'growth:OpenArchive', body) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/archives/:subjectId/entries',
      summary:
        'Write an entry (holding school staff); content goes to the vault, its salted digest to the ledger',
      tag: 'growth',
      access: ['school-admin', 'teacher'],
      body: EntryBody,
      responses: {
        201: {
          description: 'Recorded (the text sealed in the vault, its digest on the ledger)',
          schema: Res.JsonObject,
        },
      },
      handle: async ({ req, body, principal }) => ({
        status: 201,
        json: await services.growth.addEntry(who(principal), subjectParam(param(req, 'subjectId')), body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/archives/:subjectId',
      summary:
        'Read an archive: holding school and bureau see all, a consented organisation the consented dimensions',
      tag: 'growth',
      access: READERS,
      responses: {
        200: { description: 'The archive with the entries the caller may see', schema: Res.JsonObject },
      },
      handle: async ({ req, principal }) => ({
        status: 200,
        json: await services.growth.read(who(principal), subjectParam(param(req, 'subjectId'))),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/archives/:subjectId/transfer',
      summary: 'Request a transfer (转学) to another school (holding school)',
      tag: 'growth',
      access: ['school-admin'],
      body: z.object({ toSchoolId: OrgId }),
      responses: { 200: { description: 'Transfer requested', schema: Res.submitted(D.GrowthArchive) } },
      handle: async ({ req, body, principal }) => ({
        status: 200,
        json: await submit(principal, 'growth:RequestTransfer', {
          ...body,
          subjectId: subjectParam(param(req, 'subjectId')),
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/archives/:subjectId/transfer/accept',
      summary: 'Accept a pending transfer (receiving school); custody history keeps both schools',
      tag: 'growth',
      access: ['school-admin'],
      responses: { 200: { description: 'Transfer accepted', schema: Res.submitted(D.GrowthArchive) } },
      handle: async ({ req, principal }) => ({
        status: 200,
        json: await submit(principal, 'growth:AcceptTransfer', {
          subjectId: subjectParam(param(req, 'subjectId')),
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/archives/:subjectId/consents',
      summary: "Record the student's consent for an organisation to read chosen dimensions until a date",
      tag: 'growth',
      access: ['school-admin'],
      body: GrantConsentRequest.omit({ subjectId: true }),
      responses: { 201: { description: 'Granted', schema: Res.submitted(D.Consent) } },
      handle: async ({ req, body, principal }) => ({
        status: 201,
        json: await submit(principal, 'growth:GrantConsent', {
          ...body,
          subjectId: subjectParam(param(req, 'subjectId')),
        }),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/archives/:subjectId/consents/:consentId',
      summary: 'Revoke a consent',
      tag: 'growth',
      access: ['school-admin'],
      responses: { 200: { description: 'Revoked', schema: Res.submitted(D.Consent) } },
      handle: async ({ req, principal }) => {
        const consentId = Slug.safeParse(param(req, 'consentId'));
        if (!consentId.success) throw new DomainError('INVALID_ARGUMENT', 'not a consent id');
        return {
          status: 200,
          json: await submit(principal, 'growth:RevokeConsent', {
            subjectId: subjectParam(param(req, 'subjectId')),
            consentId: consentId.data,
          }),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/archives/:subjectId/reports',
      summary:
        "Issue a term report (with term) or a whole-archive report to the student's DID (holding school)",
      tag: 'growth',
      access: ['school-admin'],
      body: z.object({
        term: Term.optional(),
        holderDid: z
          .string()
          .regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/)
          .optional(),
        /** Sign with ecdsa-sd-2023 so the student can later disclose only chosen dimensions. */
        selectiveDisclosure: z.boolean().optional(),
        /** Revoke the live report of this term (or of the archive) and issue this one in its place. */
        supersede: z.boolean().optional(),
        /**
         * `report` (default): a GrowthTermReport / GrowthArchiveReport. `clr`: the whole archive as a
         * CLR 2.0 ClrCredential with one Open Badges credential per term inside (no `term`).
         */
        format: z.enum(['report', 'clr']).optional(),
      }),
      responses: { 201: { description: 'Signed and anchored', schema: Res.IssuedCredential } },
      handle: async ({ req, body, principal }) => {
        const caller = who(principal);
        const subjectId = subjectParam(param(req, 'subjectId'));
        const person = await services.vault.read(subjectId);
        const holderDid = body.holderDid ?? person.data.did;
        if (!holderDid)
          throw new DomainError('INVALID_ARGUMENT', 'the student has no DID on record; pass holderDid');
        const view = (await services.growth.read(caller, subjectId)) as {
          archive: { dimensionSetId: string; holderSchoolId: string };
        };
        // An early refusal before any signing; the chaincode decides again when anchoring.
        if (view.archive.holderSchoolId !== caller.orgId)
          throw new DomainError('FORBIDDEN_ORG', 'only the holding school issues reports');
        const set = (await dimensionSets()).find((s) => s.setId === view.archive.dimensionSetId);
        if (!set) throw new DomainError('NOT_FOUND', "the archive's dimension set is missing");
        if (body.format === 'clr' && (body.term !== undefined || body.selectiveDisclosure))
          throw new DomainError(
            'INVALID_ARGUMENT',
            'a CLR covers the whole archive and is signed with eddsa-rdfc-2022: leave out term and selectiveDisclosure',
          );
        const { results } = await services.growth.reportDimensions(caller, subjectId, set, body.term);
        if (results.length === 0) throw new DomainError('INVALID_STATE', 'no entries to report');
        // The whole archive's live report, in either form: one replaces the other only with supersede.
        const issuedFor = {
          kind: 'growth-report' as const,
          recordId: growthReportRecordId(subjectId, body.term),
          supersede: body.supersede ?? false,
        };
        if (body.format === 'clr') {
          const plan = growthArchivePlan({
            publicUrl: services.publicUrl,
            setId: set.setId,
            setLabel: `${set.region.zh} ${set.region.en}`,
            results,
          });
          const { parts, whole } = clrRequests(plan, { holderDid, subjectId, eduContext: EDU_CONTEXT });
          const named = (signedParts: Parameters<typeof whole>[0]) =>
            withStudentName(whole(signedParts), person.data.name);
          const verifiableCredential = await services.issuance.issueBundle(caller, parts, named, issuedFor);
          return { status: 201, json: { verifiableCredential } };
        }
        const type = body.term ? 'GrowthTermReport' : 'GrowthArchiveReport';
        const verifiableCredential = await services.issuance.issue(
          caller,
          {
            credential: {
              '@context': ['https://www.w3.org/ns/credentials/v2', EDU_CONTEXT],
              type: ['VerifiableCredential', type],
              name: body.term
                ? `学生成长档案学期报告 Growth term report ${body.term}`
                : '学生成长档案报告 Growth archive report',
              credentialSubject: {
                id: holderDid,
                // See withStudentName: from the vault, signed into the credential only.
                name: person.data.name,
                ...(body.term ? { term: body.term } : {}),
                dimensionResults: results,
              },
            },
            options: { subjectId, format: 'ldp', selectiveDisclosure: body.selectiveDisclosure ?? false },
          },
          // One live report per term and one for the whole archive: a new one after more entries
          // supersedes the old, which is revoked in the same transaction.
          issuedFor,
        );
        return { status: 201, json: { verifiableCredential } };
      },
    }),
  ];
}
