import { z } from 'zod';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import {
  CreateShareBody,
  ShareCreated,
  ShareId,
  SharesService,
  shareGone,
} from '../services/shares.service.js';

const Envelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/**
 * Share links (`edu-wallet share`): a holder hands a credential to anyone through a short link that
 * fits a small QR code. Creating one needs no account, as the holder holds the signed credential
 * and may show it to whom they like; the anonymous-write limiter counts the calls per address.
 */
export function shareRoutes(services: Services): RouteSpec[] {
  const shares = new SharesService(services);
  return [
    defineRoute({
      method: 'post',
      path: '/shares',
      summary: 'Share a signed credential or presentation through a short link that expires in 24 hours',
      tag: 'shares',
      access: 'public',
      body: CreateShareBody,
      responses: {
        201: { description: 'The short link and the verifier page link', schema: ShareCreated },
        400: { description: 'Not signed, too large, or not one document', schema: Envelope },
      },
      handle: async ({ body }) => ({ status: 201, json: await shares.create(body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/shares/:id',
      summary: 'The shared credential or presentation, as the verifier page fetches it',
      tag: 'shares',
      access: 'public',
      responses: {
        200: {
          description: '{verifiableCredential} or {verifiablePresentation}, with expiresAt',
          schema: z.object({
            verifiableCredential: z.unknown().optional(),
            verifiablePresentation: z.unknown().optional(),
            expiresAt: z.string(),
          }),
        },
        404: { description: 'Unknown or expired share', schema: Envelope },
      },
      handle: async ({ req }) => ({ status: 200, json: await shares.read(param(req, 'id')) }),
    }),
    defineRoute({
      method: 'get',
      path: '/s/:id',
      summary: 'Short link of a share: redirects to the verifier page, which fetches GET /shares/{id}',
      tag: 'shares',
      access: 'public',
      responses: {
        303: { description: 'To /verify/#share={id}' },
        404: { description: 'Not a share id', schema: Envelope },
      },
      handle: async ({ req, res }) => {
        // Only the form is checked: whether the share still exists is the page's to say, in words.
        const id = ShareId.safeParse(param(req, 'id'));
        if (!id.success) throw shareGone();
        res.redirect(303, `${services.publicUrl.replace(/\/+$/, '')}/verify/#share=${id.data}`);
        return { status: 303, json: null };
      },
    }),
  ];
}
