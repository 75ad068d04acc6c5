import type { Request, RequestHandler } from 'express';
import { DomainError, type Role } from '@edu-ledger/domain';
import type { StaffAccessStore } from '../stores/staff-tokens.js';
import type { Principal, TokenStore } from '../stores/tokens.js';
import { isJwtShaped, type OidcVerifier } from './oidc.js';

const principals = new WeakMap<Request, Principal>();

/**
 * What authentication consults beside the token store, attached to that store (see
 * {@link extendAuthentication}): staff access (expiry and revocation of named staff tokens) and,
 * when OIDC is configured, the identity provider's access-token check.
 */
export interface AuthExtensions {
  staff?: StaffAccessStore;
  oidc?: OidcVerifier;
}

const extensions = new WeakMap<TokenStore, AuthExtensions>();

/** Adds checks to the authentication over `tokens`; later calls add to earlier ones. */
export function extendAuthentication(tokens: TokenStore, added: AuthExtensions): void {
  extensions.set(tokens, { ...extensions.get(tokens), ...added });
}

/**
 * Resolves `Authorization: Bearer <token>` when present; routes decide whether they need it. A
 * JWT-shaped bearer is a sign-in at the identity provider when OIDC is configured; any other is a
 * machine or staff token from the token store.
 */
export function authenticate(tokens: TokenStore): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) {
      next();
      return;
    }
    const match = /^Bearer ([A-Za-z0-9._-]{10,8192})$/.exec(header);
    if (!match?.[1]) {
      next(new DomainError('UNAUTHENTICATED', 'malformed Authorization header'));
      return;
    }
    resolvePrincipal(tokens, match[1])
      .then((principal) => {
        principals.set(req, principal);
        next();
      })
      .catch(next);
  };
}

async function resolvePrincipal(tokens: TokenStore, token: string): Promise<Principal> {
  const { oidc, staff } = extensions.get(tokens) ?? {};
  if (oidc && isJwtShaped(token)) return oidc.principal(token);
  if (!/^[A-Za-z0-9_-]{10,200}$/.test(token)) {
    throw new DomainError('UNAUTHENTICATED', 'malformed Authorization header');
  }
  const principal = await tokens.resolve(token);
  if (!principal || (staff && !(await staff.stillValid(principal, new Date())))) {
    throw new DomainError('UNAUTHENTICATED', 'unknown, expired or revoked token');
  }
  return principal;
}

/** The caller, who must hold one of the roles: 401 without a token, 403 with the wrong role. */
export function requireRole(req: Request, roles: readonly Role[]): Principal {
  const principal = principals.get(req);
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
  if (!roles.includes(principal.role)) {
    throw new DomainError('FORBIDDEN_ROLE', `requires one of: ${roles.join(', ')}`);
  }
  return principal;
}

export function optionalPrincipal(req: Request): Principal | undefined {
  return principals.get(req);
}
