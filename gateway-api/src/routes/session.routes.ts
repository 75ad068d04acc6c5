import { z } from 'zod';
import { DomainError, LocalisedText, OrgId, Role } from '@edu-ledger/domain';
import { environmentConfig, type Config } from '../config.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { Services } from '../services/index.js';

const Envelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Who a bearer token acts as: what a sign-in form shows. The token's label is left out (it may name a person). */
export const SessionView = z.object({
  orgId: OrgId,
  orgName: LocalisedText,
  orgKind: z.string(),
  did: z.string(),
  role: Role,
});
export type SessionView = z.infer<typeof SessionView>;

/**
 * How the verifier page signs staff in at the region's OpenID Connect provider: the issuer (the
 * page reads the rest from its discovery document), the page's public client id and the scopes to
 * ask for. The page runs the authorisation-code flow with PKCE itself; the gateway only tells it where.
 */
export const OidcSignInView = z.object({
  issuer: z.url(),
  clientId: z.string(),
  scope: z.string(),
});
export type OidcSignInView = z.infer<typeof OidcSignInView>;

/** The page's provider sign-in, when OIDC_ISSUER and OIDC_CLIENT_ID are both set. */
export function oidcSignIn(config: Config | undefined = environmentConfig()): OidcSignInView | undefined {
  if (config?.OIDC_ISSUER === undefined || config.OIDC_CLIENT_ID === undefined) return undefined;
  return { issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, scope: config.OIDC_SCOPE };
}

/**
 * `GET /session`: lets a page check a token before it says "signed in", and name who that is.
 * `GET /session/oidc`: where the page sends staff to sign in, if anywhere.
 */
export function sessionRoutes(
  services: Services,
  signIn: OidcSignInView | undefined = oidcSignIn(),
): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/session',
      summary: 'Who the bearer token acts as: organisation and role (401 without a valid token)',
      tag: 'system',
      // Any role may ask who it is; an unknown token is refused by authentication before this runs.
      access: 'public',
      responses: {
        200: { description: 'The organisation and role of the token', schema: SessionView },
        401: { description: 'No token, or an unknown or revoked one', schema: Envelope },
      },
      handle: async ({ principal }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
        const org = await services.directory.org(principal.orgId);
        const view: SessionView = {
          orgId: org.orgId,
          orgName: org.name,
          orgKind: org.kind,
          did: org.did,
          role: principal.role,
        };
        return { status: 200, json: view };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/session/oidc',
      summary: 'Where staff sign in with unified identity (OpenID Connect, authorisation code with PKCE)',
      description:
        'The provider (issuer), the verifier page’s public client id and the scopes it asks for. ' +
        'The page redirects back to `<gateway>/verify/` and calls the API with the access token ' +
        'as its bearer. 404 when this gateway has no provider sign-in configured (OIDC_ISSUER and ' +
        'OIDC_CLIENT_ID): bearer tokens only.',
      tag: 'system',
      access: 'public',
      responses: {
        200: { description: 'The provider and the page’s client registration', schema: OidcSignInView },
        404: { description: 'No provider sign-in configured (NOT_FOUND)', schema: Envelope },
      },
      handle: async () => {
        if (!signIn) {
          throw new DomainError(
            'NOT_FOUND',
            '本网关未配置统一身份认证登录 / no unified identity sign-in is configured on this gateway',
          );
        }
        return { status: 200, json: signIn };
      },
    }),
  ];
}
