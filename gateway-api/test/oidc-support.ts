import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider (panva's oidc-provider) on 127.0.0.1 for tests: machine clients
 * get JWT access tokens with the client-credentials grant and a resource indicator, each client
 * standing for one staff person whose claims (school code, person number, role) it carries.
 */
export const GATEWAY_AUDIENCE = 'urn:edu-ledger:gateway';
/** A resource whose tokens name the gateway's audience but live one second (for the expiry test). */
export const SHORT_LIVED_RESOURCE = 'urn:edu-ledger:gateway-short';
export const OTHER_AUDIENCE = 'urn:edu-ledger:another-service';

export interface StaffClaims {
  school_code?: string;
  org_id?: string;
  person_no: string;
  role: string;
}

export interface TestProvider {
  issuer: string;
  /** An access token for the client's person, for `resource` (the gateway's audience by default). */
  token: (clientId: string, resource?: string) => Promise<string>;
  close: () => Promise<void>;
}

/** The provider's signing key; two providers given the same key differ only in their issuer. */
export async function providerKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
}

export async function startProvider(people: Record<string, StaffClaims>, key: JWK): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: Object.keys(people).map((clientId) => ({
      client_id: clientId,
      client_secret: `${clientId}-secret`,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    })),
    jwks: { keys: [key] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => GATEWAY_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: 'api',
          audience: resource === SHORT_LIVED_RESOURCE ? GATEWAY_AUDIENCE : resource,
          accessTokenTTL: resource === SHORT_LIVED_RESOURCE ? 1 : 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { clientId?: string }) => {
      const clientId = token.clientId;
      return clientId ? { ...people[clientId] } : undefined;
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    token: async (clientId, resource = GATEWAY_AUDIENCE) => {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'api' }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!response.ok || !body.access_token)
        throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
