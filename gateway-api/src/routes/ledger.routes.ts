import { DomainError, OrgId } from '@edu-ledger/domain';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import { z } from 'zod';
import * as D from '@edu-ledger/domain';
import * as Res from '../http/responses.js';

/** Health, organisations, did:web documents from the ledger, and the inspectors' chain check. */
export function ledgerRoutes(services: Services): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      summary: 'Liveness and the ledger in use',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'Alive', schema: Res.Health } },
      handle: async () => ({ status: 200, json: { status: 'ok', ledger: services.ledger.kind } }),
    }),
    defineRoute({
      method: 'get',
      path: '/organizations',
      summary: 'Registered organisations (public registry)',
      tag: 'registry',
      access: 'public',
      responses: {
        200: {
          description: 'Every organisation',
          schema: z.object({ organizations: z.array(D.Organization) }),
        },
      },
      handle: async () => ({ status: 200, json: { organizations: await services.directory.listOrgs() } }),
    }),
    defineRoute({
      method: 'get',
      path: '/organizations/:orgId',
      summary: 'One organisation with its accreditations and keys',
      tag: 'registry',
      access: 'public',
      responses: {
        200: {
          description: 'The organisation',
          schema: z.object({
            organization: D.Organization,
            accreditations: z.array(D.Accreditation),
            keys: z.array(D.IssuerKey),
          }),
        },
      },
      handle: async ({ req }) => {
        const orgId = OrgId.safeParse(param(req, 'orgId'));
        if (!orgId.success) throw new DomainError('INVALID_ARGUMENT', 'not an organisation id');
        const reader = services.directory.readerIdentity;
        const arg = [JSON.stringify({ orgId: orgId.data })];
        const [org, accreditations, keys] = await Promise.all([
          services.directory.org(orgId.data),
          services.ledger.evaluate(reader, 'registry:ListAccreditations', arg),
          services.ledger.evaluate(reader, 'keys:ListKeys', arg),
        ]);
        return {
          status: 200,
          json: {
            organization: org,
            accreditations: JSON.parse(accreditations) as unknown,
            keys: JSON.parse(keys) as unknown,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/orgs/:orgId/did.json',
      summary: 'The did:web document of an organisation, as kept on the ledger',
      tag: 'registry',
      access: 'public',
      responses: { 200: { description: 'DID document (DID Core)', schema: Res.JsonObject } },
      handle: async ({ req }) => {
        const orgId = OrgId.safeParse(param(req, 'orgId'));
        if (!orgId.success) throw new DomainError('INVALID_ARGUMENT', 'not an organisation id');
        const org = await services.directory.org(orgId.data);
        const doc = await services.chaincode.evaluateText(
          services.directory.readerIdentity,
          'keys:GetDidDocument',
          { did: org.did },
        );
        return { status: 200, json: JSON.parse(doc) as unknown };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ledger/verify',
      summary: 'Recompute the block hash chain and world state and report any discrepancy (inspectors)',
      tag: 'audit',
      access: ['inspector', 'bureau-admin'],
      responses: {
        200: { description: 'The chain check; ok false names each problem', schema: Res.ChainCheckResult },
      },
      handle: async () => {
        const check = await services.ledger.verifyChain();
        return { status: 200, json: check };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ledger/head',
      summary:
        "The embedded ledger's latest head, signed with its node key (Ed25519 over " +
        '"edu-ledger/head/v1\\n{height}\\n{lastHash}\\n{signedAt}"); keep a copy to detect a later rewrite',
      tag: 'audit',
      access: 'public',
      responses: { 200: { description: 'The signed head', schema: Res.SignedHeadView } },
      handle: async () => {
        const ledger = services.ledger;
        if (ledger.kind !== 'embedded' || !(ledger instanceof EmbeddedLedger)) {
          // Fabric's blocks are signed by its orderers, whose certificates the channel configuration
          // anchors; there is no node key of ours to sign with.
          throw new DomainError(
            'NOT_FOUND',
            "no signed head on a Fabric ledger: the orderers' block signatures play this role",
          );
        }
        return { status: 200, json: ledger.signedHead() };
      },
    }),
  ];
}
