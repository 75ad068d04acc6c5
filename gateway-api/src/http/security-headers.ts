import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { oidcSignIn } from '../routes/session.routes.js';

/**
 * GET routes whose answers are public documents that anyone may cache: status lists (verifiers
 * poll them), DID documents and this API's description. Everything else may carry personal data
 * (subjects, archives, holder routes, audit) and is sent with `Cache-Control: no-store`.
 */
export const CACHEABLE_PATHS: ReadonlySet<string> = new Set([
  '/status-lists/:id',
  '/orgs/:orgId/did.json',
  '/openapi.json',
]);

/**
 * The standard hardening headers (nosniff, HSTS, frame and referrer policies, ...) on every
 * response, with a CSP that lets an API answer load nothing at all. The verifier page gets its
 * own CSP from `pageSecurityPolicy`.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  });
}

/**
 * The CSP for the verifier web app: its scripts, styles and QR decoder come from its own origin;
 * camera frames and chosen images become blob:/mediastream: URLs; it calls this gateway, or
 * another one over HTTPS when the user points it there (the page's gateway setting), and the
 * identity provider when staff sign-in is configured.
 */
export function pageSecurityPolicy(signIn = oidcSignIn()): RequestHandler {
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:', 'mediastream:'],
      // Staff sign-in: the page reads the provider's discovery document and redeems its code at the
      // token endpoint (same origin as the issuer), which may be plain http on a loopback test rig.
      connectSrc: ["'self'", 'https:', ...(signIn ? [new URL(signIn.issuer).origin] : [])],
      fontSrc: ["'self'"],
      workerSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}

/** `Cache-Control: no-store` unless a later handler (a cacheable route, a static file) says otherwise. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Lifts `noStore` for a public document. */
export const mayCache: RequestHandler = (_req, res, next) => {
  res.removeHeader('Cache-Control');
  next();
};
