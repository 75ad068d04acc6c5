import { z } from 'zod';
import {
  CredentialId,
  DomainError,
  ISSUER_ROLES,
  IssueCredentialRequest,
  UpdateStatusRequest,
  VerificationResult,
  VerifyCredentialRequest,
  VerifyPresentationRequest,
  CredentialStatusRecord,
  StatusHistoryEntry,
} from '@edu-ledger/domain';
import * as Res from '../http/responses.js';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';

const Envelope = z.object({
  error: z.object({ code: z.string(), message: z.string(), transactionId: z.string().optional() }),
});

/** W3C VC-API issue, verify and status routes, plus the gateway's own credential look-ups. */
export function credentialRoutes(services: Services): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/credentials/issue',
      summary: "Issue a credential as the caller's organisation (VC-API)",
      tag: 'credentials',
      access: ISSUER_ROLES,
      body: IssueCredentialRequest,
      responses: {
        201: {
          description: 'Signed and anchored',
          schema: z.object({ verifiableCredential: z.record(z.string(), z.unknown()) }),
        },
        403: { description: 'Wrong role, issuer mismatch or not accredited', schema: Envelope },
      },
      handle: async ({ body, principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        const verifiableCredential = await services.issuance.issue(principal, body);
        return { status: 201, json: { verifiableCredential } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/credentials/verify',
      summary:
        'Verify a credential: proof, issuer trust, key validity, ledger anchor, status, validity (VC-API)',
      tag: 'credentials',
      access: 'public',
      body: VerifyCredentialRequest,
      responses: {
        200: { description: 'Every check passed', schema: VerificationResult },
        400: { description: 'At least one check failed; each is named', schema: VerificationResult },
      },
      handle: async ({ body }) => {
        const result = await services.verification.verifyCredential(body.verifiableCredential, body.options);
        return { status: result.verified ? 200 : 400, json: result };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/presentations/verify',
      summary: 'Verify a presentation with its challenge and domain, and every credential in it (VC-API)',
      tag: 'credentials',
      access: 'public',
      body: VerifyPresentationRequest,
      responses: {
        200: { description: 'Presentation and all credentials verified', schema: Res.PresentationResult },
        400: { description: 'A check failed; each is named', schema: Res.PresentationResult },
      },
      handle: async ({ body }) => {
        const result = await services.verification.verifyPresentation(
          body.verifiablePresentation,
          body.options?.challenge,
          body.options?.domain,
          body.options,
        );
        return { status: result.verified ? 200 : 400, json: result };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/credentials/status',
      summary: 'Revoke, suspend or reinstate a credential (issuer only; VC-API)',
      tag: 'credentials',
      access: ISSUER_ROLES,
      body: UpdateStatusRequest,
      responses: {
        200: {
          description: 'Status changed on the ledger',
          schema: z.object({
            record: CredentialStatusRecord,
            txId: z.string(),
            blockNumber: z.number().int(),
          }),
        },
        409: { description: 'Transition not allowed', schema: Envelope },
      },
      handle: async ({ body, principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        const [entry] = body.credentialStatus;
        if (!entry) throw new DomainError('INVALID_ARGUMENT', 'credentialStatus needs one entry');
        const result = await services.status.setStatus(
          principal,
          body.credentialId,
          entry.status,
          body.options?.reasonCode,
        );
        return { status: 200, json: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/credentials/:id/status-history',
      summary: 'Every status a credential has had, with transactions',
      tag: 'credentials',
      access: 'public',
      responses: {
        200: {
          description: 'Oldest first',
          schema: z.object({ credentialId: CredentialId, history: z.array(StatusHistoryEntry) }),
        },
      },
      handle: async ({ req }) => {
        const id = CredentialId.safeParse(param(req, 'id'));
        if (!id.success) throw new DomainError('INVALID_ARGUMENT', 'id must be a credential id (a URL)');
        return {
          status: 200,
          json: { credentialId: id.data, history: await services.status.history(id.data) },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/credentials/:id',
      summary: 'The stored copy of a credential this organisation issued (decrypted for its staff)',
      tag: 'credentials',
      access: ISSUER_ROLES,
      responses: { 200: { description: 'The stored copy, decrypted', schema: Res.IssuedCredential } },
      handle: async ({ req, principal }) => {
        const id = CredentialId.safeParse(param(req, 'id'));
        if (!id.success) throw new DomainError('INVALID_ARGUMENT', 'id must be a credential id (a URL)');
        const record = await services.store.record(id.data);
        if (!record || record.issuerOrgId !== principal?.orgId) {
          throw new DomainError(
            'CREDENTIAL_NOT_FOUND',
            'no credential with that id issued by your organisation',
          );
        }
        return { status: 200, json: { verifiableCredential: await services.store.credential(id.data) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/status-lists/:id',
      summary: 'A signed BitstringStatusListCredential derived from the ledger',
      tag: 'credentials',
      access: 'public',
      responses: { 200: { description: 'BitstringStatusListCredential (VC 2.0)', schema: Res.JsonObject } },
      handle: async ({ req, res }) => {
        const json = await services.status.statusListCredential(param(req, 'id'));
        // As long as the list's own `ttl`, as the Bitstring Status List spec asks.
        res.setHeader('Cache-Control', services.status.cacheControl);
        return { status: 200, json };
      },
    }),
  ];
}
