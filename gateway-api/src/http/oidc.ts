import { createHmac, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { DomainError, Role, type Organization } from '@edu-ledger/domain';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import type { ChaincodeClient } from '../services/chaincode.js';
import type { Directory } from '../services/directory.js';
import type { GatewayDb } from '../stores/gateway-db.js';
import type { Principal } from '../stores/tokens.js';

/**
 * Unified identity (统一身份认证): staff sign in at the region's OpenID Connect provider and call the
 * gateway with its access token (a JWT). The gateway checks the token (signature with the
 * provider's published keys, issuer, audience, expiry) and then the ledger: the organisation the
 * token names must be registered, and the role it claims must be granted on the ledger to that
 * person's identity. The provider says who someone is; the ledger alone says what they may do.
 */
export interface OidcSettings {
  issuer: string;
  audience: string;
  /** Where the provider's keys are; discovered from the issuer's metadata when absent. */
  jwksUri?: string;
  claims: { orgId: string; schoolCode: string; person: string; role: string };
}

/** What the verifier reads from the gateway: the registry, the ledger and the store holding the pseudonym key. */
export interface OidcDeps {
  directory: Directory;
  chaincode: ChaincodeClient;
  ledger: Pick<LedgerPort, 'identity'>;
  db: GatewayDb;
}

/** Asymmetric algorithms only: an `HS256` token signed with a guessed secret, or `none`, is refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const Discovery = z.object({ jwks_uri: z.url() });
const WhoAmI = z.object({ orgId: z.string(), roles: z.array(z.string()) });

/** A bearer that looks like a JWS compact serialisation (three base64url parts). */
export function isJwtShaped(token: string): boolean {
  return /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}$/.test(token);
}

export class OidcVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly deps: OidcDeps,
  ) {}

  /** The principal an access token acts as; 401 for a bad token, 403 for a role the ledger does not grant. */
  async principal(token: string): Promise<Principal> {
    const payload = await this.verified(token);
    const org = await this.organisation(payload);
    const role = Role.safeParse(payload[this.settings.claims.role]);
    if (!role.success) throw new DomainError('FORBIDDEN_ROLE', 'the token names no known role');
    const person = payload[this.settings.claims.person];
    if (typeof person !== 'string' || person.length === 0 || person.length > 64) {
      throw new DomainError('UNAUTHENTICATED', 'the token names no person');
    }
    const granted = await grantedRoles(this.deps, org, person);
    if (!granted.includes(role.data)) {
      throw new DomainError(
        'FORBIDDEN_ROLE',
        `role ${role.data} is not granted on the ledger to this person`,
      );
    }
    return { orgId: org.orgId, role: role.data, label: 'oidc' };
  }

  private async verified(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, await this.keys(), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      throw refusal(error);
    }
  }

  /** The provider's key set, from configuration or its discovery document (fetched once). */
  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    let uri = this.settings.jwksUri;
    if (uri === undefined) {
      const metadata = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(metadata, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      const parsed = Discovery.safeParse(response?.ok ? await response.json().catch(() => null) : null);
      if (!parsed.success) {
        throw new DomainError('LEDGER_UNAVAILABLE', 'the identity provider cannot be reached; try again');
      }
      uri = parsed.data.jwks_uri;
    }
    this.jwks = createRemoteJWKSet(new URL(uri));
    return this.jwks;
  }

  /** The organisation the token names, by org id or by school code (一校一码). */
  private async organisation(payload: JWTPayload): Promise<Organization> {
    const { orgId, schoolCode } = this.settings.claims;
    const byId = payload[orgId];
    if (typeof byId === 'string') {
      try {
        return await this.deps.directory.org(byId);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'INVALID_ARGUMENT') throw noOrg();
        throw error;
      }
    }
    const code = payload[schoolCode];
    if (typeof code === 'string') {
      const org = (await this.deps.directory.listOrgs()).find((o) => o.schoolCode === code);
      if (org) return org;
    }
    throw noOrg();
  }
}

const noOrg = (): DomainError =>
  new DomainError('FORBIDDEN_ORG', 'the token names no organisation registered on the ledger');

/** Why a token was refused, without echoing any of its content. */
function refusal(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof joseErrors.JWTExpired)
    return new DomainError('UNAUTHENTICATED', 'the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const which =
      error.claim === 'iss' ? 'issuer' : error.claim === 'aud' ? 'audience' : `claim ${error.claim}`;
    return new DomainError('UNAUTHENTICATED', `the token's ${which} is not accepted`);
  }
  // A key set that cannot be fetched is the provider's outage, not the caller's mistake.
  if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
    return new DomainError('LEDGER_UNAVAILABLE', 'the identity provider cannot be reached; try again');
  }
  return new DomainError('UNAUTHENTICATED', 'the token signature or format is invalid');
}

/**
 * The ledger identity of a staff person signing in through the provider: `staff-<pseudonym>@<org>`
 * in the organisation's MSP. The pseudonym is an HMAC of the person number under a random key kept
 * in this gateway's store, so the ledger (read by every member) never holds the number or a plain
 * hash of it that a dictionary of person numbers would reverse.
 */
export async function staffIdentityName(db: GatewayDb, orgId: string, person: string): Promise<string> {
  const pseudonym = createHmac('sha256', await pseudonymKey(db))
    .update(`${orgId}\n${person}`)
    .digest('hex')
    .slice(0, 32);
  return `staff-${pseudonym}@${orgId}`;
}

const PSEUDONYM_KEY = 'staff-pseudonym-key';
let creatingKey: Promise<Buffer> | undefined;

async function pseudonymKey(db: GatewayDb): Promise<Buffer> {
  const stored = await db.counters.get(PSEUDONYM_KEY);
  if (stored !== undefined) return Buffer.from(stored, 'base64');
  // Two first sign-ins at once must not write two different keys.
  creatingKey ??= (async () => {
    const key = randomBytes(32);
    await db.put(db.counters, PSEUDONYM_KEY, key.toString('base64'));
    return key;
  })().finally(() => {
    creatingKey = undefined;
  });
  return creatingKey;
}

/** The roles the ledger grants a staff person (their identity's grant; the admin role included when granted). */
export async function grantedRoles(deps: OidcDeps, org: Organization, person: string): Promise<string[]> {
  const identity = await deps.ledger.identity(
    org.mspId,
    await staffIdentityName(deps.db, org.orgId, person),
    'client',
  );
  const who = WhoAmI.parse(await deps.chaincode.evaluate(identity, 'registry:WhoAmI', undefined));
  return who.orgId === org.orgId ? who.roles : [];
}
