import type { Request, RequestHandler } from 'express';
import { DomainError, type Role } from '@edu-ledger/domain';
import type { Principal, TokenStore } from '../stores/tokens.js';

const principals = new WeakMap<Request, Principal>();

/** Resolves `Authorization: Bearer <token>` when present; routes decide whether they need it. */
export function authenticate(tokens: TokenStore): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) {
      next();
      return;
    }
    const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header);
    if (!match?.[1]) {
      next(new DomainError('UNAUTHENTICATED', 'malformed Authorization header'));
      return;
    }
    tokens
      .resolve(match[1])
      .then((principal) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'unknown or revoked token');
        principals.set(req, principal);
        next();
      })
      .catch(next);
  };
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
