import type { Response } from 'express';
import { DomainError } from '@edu-ledger/domain';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';
import {
  DCC_REGISTRY_PATH,
  DccRegistry,
  etagOf,
  ISSUER_TRUST_PATH,
  IssuerTrust,
  TrustRegistry,
} from '../services/trust-registry.js';

/**
 * Public, cacheable JSON for parties outside the consortium: a minute in any cache, then
 * revalidated by ETag. CORS is open, as browser verifiers (VerifierPlus) fetch registries from
 * their own origin.
 */
function sendPublicJson(res: Response, value: unknown): void {
  const body = JSON.stringify(value);
  res
    .status(200)
    .set({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'public, max-age=60',
      ETag: etagOf(body),
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    })
    .send(body);
}

const Envelope = { description: 'No organisation with this DID is registered (ORG_NOT_FOUND)' };

/**
 * The accredited issuers in the Digital Credentials Consortium's issuer-registry format, and each
 * issuer's trust chain, both read from the ledger's organisations and accreditations.
 */
export function registryRoutes(services: Services): RouteSpec[] {
  const registry = new TrustRegistry({
    ledger: services.ledger,
    chaincode: services.chaincode,
    directory: services.directory,
    publicUrl: services.publicUrl,
    now: services.now,
  });
  return [
    defineRoute({
      method: 'get',
      path: DCC_REGISTRY_PATH,
      summary:
        'Accredited issuers in the DCC issuer-registry format ({meta, registry: {<DID>: {name, url, …}}}), for verifier-core, VerifierPlus and @digitalcredentials/issuer-registry-client',
      tag: 'registry',
      access: 'public',
      responses: {
        200: { description: 'Issuers with an accreditation in force now', schema: DccRegistry },
        304: { description: 'Not modified (If-None-Match matched the ETag)' },
      },
      handle: async ({ res }) => {
        sendPublicJson(res, await registry.dccRegistry());
        return { status: 200, json: null };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${ISSUER_TRUST_PATH}:did`,
      summary:
        "An issuer's trust chain per credential type: root bureau → accrediting bureau → issuer, with each accreditation's validity and state now",
      tag: 'registry',
      access: 'public',
      responses: {
        200: { description: 'The issuer and its accreditations by credential type', schema: IssuerTrust },
        304: { description: 'Not modified (If-None-Match matched the ETag)' },
        404: Envelope,
      },
      handle: async ({ req, res }) => {
        const did = param(req, 'did');
        if (!/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/.test(did))
          throw new DomainError('INVALID_ARGUMENT', '不是 DID / not a DID');
        sendPublicJson(res, await registry.issuerTrust(did));
        return { status: 200, json: null };
      },
    }),
  ];
}
