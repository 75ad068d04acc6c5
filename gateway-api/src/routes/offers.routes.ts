import type { Request } from 'express';
import { z } from 'zod';
import { DomainError, ISSUER_ROLES } from '@edu-ledger/domain';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import {
  ClaimOfferRequest,
  CreatedOffer,
  CreateOfferRequest,
  OfferService,
  OfferView,
  type OfferServiceOptions,
} from '../services/offers.service.js';

const Envelope = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/**
 * The gateway's public base URL for offer links. Taken from `services.publicUrl` when the services
 * carry one (PUBLIC_URL: right behind a proxy); otherwise from the request that made the offer,
 * which is the address the issuer's own client reached. Either way the URL is fixed when the offer
 * is made and the holder's proof must name exactly that URL.
 */
function baseUrl(services: Services, req: Request): string {
  if (services.publicUrl.length > 0) return services.publicUrl.replace(/\/$/, '');
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

/**
 * Credential offers (issue 5): an issuer prepares a credential for a holder whose DID it does not
 * know yet; the holder's wallet claims it with a did:key proof and receives the signed credential.
 *
 * Proof failures (signature, nonce, aud, exp) are 401 UNAUTHENTICATED: the claim is an
 * authentication of the holder's DID. A malformed body is 400; a claimed or expired offer 409
 * INVALID_STATE; an unknown one 404 NOT_FOUND.
 */
export function offerRoutes(services: Services, options: OfferServiceOptions = {}): RouteSpec[] {
  const offers = new OfferService(services, options);
  return [
    defineRoute({
      method: 'post',
      path: '/credential-offers',
      summary: 'Offer a credential to a holder not known yet; returns a one-time offer URL',
      tag: 'offers',
      access: ISSUER_ROLES,
      body: CreateOfferRequest,
      responses: {
        201: { description: 'Offer recorded', schema: CreatedOffer },
        403: { description: 'Wrong role, issuer mismatch or not accredited', schema: Envelope },
      },
      handle: async ({ req, body, principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        return { status: 201, json: await offers.create(principal, body, baseUrl(services, req)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/credential-offers/:id',
      summary: 'What an offer contains (issuer, types), its challenge, expiry and status',
      tag: 'offers',
      access: 'public',
      responses: {
        200: { description: 'The offer', schema: OfferView },
        404: { description: 'No such offer', schema: Envelope },
      },
      handle: async ({ req }) => ({ status: 200, json: await offers.view(param(req, 'id')) }),
    }),
    defineRoute({
      method: 'post',
      path: '/credential-offers/:id/claim',
      summary: "Claim an offer with a did-jwt proof of the holder's did:key; returns the issued credential",
      tag: 'offers',
      access: 'public',
      body: ClaimOfferRequest,
      responses: {
        201: {
          description: 'Issued to the holder',
          schema: z.object({ verifiableCredential: z.record(z.string(), z.unknown()) }),
        },
        401: { description: 'The proof does not prove control of a DID for this offer', schema: Envelope },
        404: { description: 'No such offer', schema: Envelope },
        409: { description: 'Offer already claimed or expired', schema: Envelope },
      },
      handle: async ({ req, body }) => ({
        status: 201,
        json: { verifiableCredential: await offers.claim(param(req, 'id'), body.proof) },
      }),
    }),
  ];
}
