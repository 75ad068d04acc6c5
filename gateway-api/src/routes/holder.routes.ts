import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DomainError, GrantConsentRequest } from '@edu-ledger/domain';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { HolderProofs } from '../services/holder-proof.js';
import type { Services } from '../services/index.js';
import type { Principal } from '../stores/tokens.js';
import * as D from '@edu-ledger/domain';
import * as Res from '../http/responses.js';

const ProofBody = z.object({
  proof: z
    .string()
    .max(8192)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a compact JWS (header.payload.signature)'),
});
const ConsentClaims = GrantConsentRequest.omit({ subjectId: true, holderProofDigest: true });

/**
 * Routes for students (and guardians using the student's wallet): no token, a did-jwt proof of the
 * wallet's DID instead. The gateway finds the person by DID and acts through the school holding the
 * archive — holders have no ledger identity of their own — and every consent it records this way
 * is marked as the holder's, with the digest of their signed request.
 */
export function holderRoutes(services: Services): RouteSpec[] {
  const proofs = new HolderProofs(() => services.now());
  const target = (path: string): string => `${services.publicUrl}${path}`;

  async function actAsCustodian(
    proof: string,
    path: string,
  ): Promise<{
    subjectId: string;
    custodian: Principal;
    payload: Record<string, unknown>;
  }> {
    const { did, payload } = await proofs.verify(proof, { audience: target(path) });
    const subjectId = await services.vault.subjectByDid(did);
    const raw = await services.chaincode.evaluateText(
      services.directory.readerIdentity,
      'growth:GetCustodian',
      { subjectId },
    );
    const { holderSchoolId } = z.object({ holderSchoolId: z.string() }).parse(JSON.parse(raw));
    return {
      subjectId,
      payload,
      custodian: { orgId: holderSchoolId, role: 'school-admin', label: 'holder request' },
    };
  }

  const digest = (proof: string): string => createHash('sha256').update(proof).digest('hex');

  return [
    defineRoute({
      method: 'post',
      path: '/holder/archive',
      summary: "The student's own growth archive, for a did-jwt proof of their wallet DID (aud = this URL)",
      tag: 'holder',
      access: 'public',
      body: ProofBody,
      responses: { 200: { description: "The student's archive", schema: Res.JsonObject } },
      handle: async ({ body }) => {
        const { subjectId, custodian } = await actAsCustodian(body.proof, '/holder/archive');
        return { status: 200, json: await services.growth.read(custodian, subjectId) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/holder/consents',
      summary:
        'The student grants an organisation time-limited access to chosen dimensions (claims in the proof)',
      tag: 'holder',
      access: 'public',
      body: ProofBody,
      responses: {
        201: { description: "Granted, marked as the holder's", schema: Res.submitted(D.Consent) },
      },
      handle: async ({ body }) => {
        const { subjectId, custodian, payload } = await actAsCustodian(body.proof, '/holder/consents');
        const claims = ConsentClaims.safeParse(payload['consent']);
        if (!claims.success)
          throw new DomainError('INVALID_ARGUMENT', 'the proof carries no valid consent claim');
        const result = await services.records.submit(custodian, 'growth:GrantConsent', {
          ...claims.data,
          subjectId,
          holderProofDigest: digest(body.proof),
        });
        return { status: 201, json: result };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/holder/consents/revoke',
      summary: 'The student revokes a consent (consentId in the proof)',
      tag: 'holder',
      access: 'public',
      body: ProofBody,
      responses: { 200: { description: 'Revoked', schema: Res.submitted(D.Consent) } },
      handle: async ({ body }) => {
        const { subjectId, custodian, payload } = await actAsCustodian(body.proof, '/holder/consents/revoke');
        const consentId = z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{1,62}$/)
          .safeParse(payload['consentId']);
        if (!consentId.success) throw new DomainError('INVALID_ARGUMENT', 'the proof carries no consentId');
        const result = await services.records.submit(custodian, 'growth:RevokeConsent', {
          subjectId,
          consentId: consentId.data,
        });
        return { status: 200, json: result };
      },
    }),
  ];
}
