import { z } from 'zod';
import { DomainError, PresentationResult, PublicRequest } from '@edu-ledger/domain';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import {
  AnswerVerificationRequestBody,
  CreateVerificationRequestBody,
  ReceiptBody,
  VerifierService,
} from '../services/verifier.service.js';

const Envelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/**
 * Verification requests (a verifier asks a holder's wallet for a presentation bound to a fresh
 * challenge, then polls for the answer) and signed verification receipts.
 */
export function verifierRoutes(services: Services): RouteSpec[] {
  const verifier = new VerifierService(services);
  return [
    defineRoute({
      method: 'post',
      path: '/verification-requests',
      summary:
        'Ask a holder for a presentation: fresh challenge, domain and wanted credential types (verifiers)',
      tag: 'verifier',
      access: ['verifier'],
      body: CreateVerificationRequestBody,
      responses: {
        201: { description: 'The request, as the holder will see it', schema: PublicRequest },
      },
      handle: async ({ req, body, principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        // The wallet answers at the address the verifier itself reached this gateway on.
        const origin = `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
        return { status: 201, json: await verifier.create(principal, body, origin) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/verification-requests/:id',
      summary:
        'A verification request and its status; with a token of the requesting verifier, also the answer and result',
      description:
        'Without a token (a wallet following the request link or QR), only the request as the holder sees it and whether it is pending, answered or expired. With a verifier token of the requesting organisation, the whole view; other organisations get 403.',
      tag: 'verifier',
      access: 'public',
      responses: {
        200: {
          description: 'pending, answered (with the result) or expired',
          schema: z.object({
            request: z.record(z.string(), z.unknown()),
            status: z.enum(['pending', 'answered', 'expired']),
            result: z.record(z.string(), z.unknown()).optional(),
            answeredAt: z.string().optional(),
            holder: z.string().optional(),
            missingTypes: z.array(z.string()).optional(),
            verifiablePresentation: z.record(z.string(), z.unknown()).optional(),
          }),
        },
        403: { description: "Another organisation's request", schema: Envelope },
        404: { description: 'Unknown request', schema: Envelope },
      },
      handle: async ({ req, principal }) => {
        if (!principal) return { status: 200, json: await verifier.publicView(param(req, 'id')) };
        if (principal.role !== 'verifier')
          throw new DomainError('FORBIDDEN_ROLE', 'the full view of a request is for verifiers');
        return { status: 200, json: await verifier.view(principal, param(req, 'id')) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/verification-requests/:id/response',
      summary: "A holder's wallet answers a verification request with a signed presentation (single use)",
      tag: 'verifier',
      access: 'public',
      body: AnswerVerificationRequestBody,
      responses: {
        200: { description: 'Accepted and every check passed', schema: PresentationResult },
        400: {
          description:
            'A check failed. When the challenge or holder binding failed the request stays open; otherwise this was the answer',
          schema: PresentationResult,
        },
        409: { description: 'Already answered, being answered or expired', schema: Envelope },
      },
      handle: async ({ req, body }) => {
        const { result } = await verifier.answer(param(req, 'id'), body.verifiablePresentation);
        return { status: result.verified ? 200 : 400, json: result };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/verification-receipts',
      summary:
        "Verify again and sign a receipt of the outcome as the verifier's organisation (the posted result is never trusted)",
      tag: 'verifier',
      access: ['verifier'],
      body: ReceiptBody,
      responses: {
        201: {
          description:
            'A VerificationReceipt credential recording what this verification found, valid or not, with the fresh result',
          schema: z.object({
            verifiableCredential: z.record(z.string(), z.unknown()),
            result: z.unknown(),
            postedResultDiffers: z.boolean(),
          }),
        },
      },
      handle: async ({ body, principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        return { status: 201, json: await verifier.receipt(principal, body) };
      },
    }),
  ];
}
