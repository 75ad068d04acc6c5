import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './config.js';
import type { Logger } from './logger.js';
import { authenticate } from './http/auth.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { safeJsonBody } from './http/json-guard.js';
import { openApiDocument } from './http/openapi.js';
import { rateLimiters } from './http/rate-limit.js';
import { runRoute, type RouteSpec } from './http/route.js';
import {
  CACHEABLE_PATHS,
  mayCache,
  noStore,
  pageSecurityPolicy,
  securityHeaders,
} from './http/security-headers.js';
import { adminRoutes } from './routes/admin.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { backupRoutes } from './routes/backup.routes.js';
import { certificateRoutes } from './routes/certificates.routes.js';
import { contextRoutes } from './routes/contexts.routes.js';
import { creditBankRoutes } from './routes/credit-bank.routes.js';
import { credentialRoutes } from './routes/credentials.routes.js';
import { growthRoutes } from './routes/growth.routes.js';
import { holderRoutes } from './routes/holder.routes.js';
import { inspectionRoutes } from './routes/inspection.routes.js';
import { pdRoutes } from './routes/pd.routes.js';
import { registryRoutes } from './routes/registry.routes.js';
import { sessionRoutes } from './routes/session.routes.js';
import { ledgerRoutes } from './routes/ledger.routes.js';
import { offerRoutes } from './routes/offers.routes.js';
import { subjectRoutes } from './routes/subjects.routes.js';
import { verifierRoutes } from './routes/verifier.routes.js';
import { shareRoutes } from './routes/shares.routes.js';
import type { Services } from './services/index.js';
// Operations: request ids, metrics, readiness.
import { GatewayMetrics, metricsEndpoint, routePattern } from './http/metrics.js';
import { readinessRoute } from './http/readiness.js';
import { assignRequestId, requestId } from './http/request-id.js';
import type { CredentialSigner } from './services/signer.js';

export interface AppOptions {
  services: Services;
  logger: Logger;
  publicUrl: string;
  /** Extra static folders, e.g. the verifier web app at /verify. */
  staticMounts?: { path: string; dir: string }[];
  /** Abuse limits; the RATE_LIMIT_* defaults when absent (tests set them low to see a 429). */
  rateLimits?: RateLimits;
  /** The signing worker pool, whose queue depth /metrics reports (main() passes its own). */
  signer?: CredentialSigner;
  /** Bearer token /metrics requires; without it /metrics answers loopback callers only. */
  metricsToken?: string;
}

export function allRoutes(services: Services): RouteSpec[] {
  return [
    ...certificateRoutes(services),
    ...credentialRoutes(services),
    ...subjectRoutes(services),
    ...ledgerRoutes(services),
    ...auditRoutes(services),
    ...inspectionRoutes(services),
    ...creditBankRoutes(services),
    ...growthRoutes(services),
    ...holderRoutes(services),
    ...pdRoutes(services),
    ...offerRoutes(services),
    ...verifierRoutes(services),
    ...shareRoutes(services),
    ...contextRoutes(),
    ...registryRoutes(services),
    ...sessionRoutes(services),
    ...backupRoutes(services),
    ...adminRoutes(services),
  ];
}

/** Builds the HTTP app over its services; listening is the caller's business. */
export function createApp({
  services,
  logger,
  publicUrl,
  staticMounts = [],
  rateLimits = DEFAULT_RATE_LIMITS,
  signer,
  metricsToken,
}: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Operations: every request gets an id first, so every log line of it carries the id; metrics
  // are served before the rate limits and the token check (a scrape is not an API call).
  const metrics = new GatewayMetrics({ services, ...(signer ? { signer } : {}) });
  app.use(assignRequestId(), requestLog(logger), metrics.middleware());
  app.use(securityHeaders(), noStore);
  app.get('/metrics', metricsEndpoint(metrics, metricsToken === undefined ? {} : { token: metricsToken }));
  const limiters = rateLimiters(rateLimits);
  if (limiters.perAddress.length > 0) app.use(limiters.perAddress);
  app.use(safeJsonBody({ limit: '1mb' }));
  app.use(authenticate(services.tokens));

  const routes = [...allRoutes(services), readinessRoute(services)];
  for (const route of routes) {
    const caching = route.method === 'get' && CACHEABLE_PATHS.has(route.path) ? [mayCache] : [];
    app[route.method](route.path, ...caching, ...limiters.forRoute(route), (req, res) =>
      runRoute(route, req, res, services.idempotency),
    );
  }
  const document = openApiDocument(routes, publicUrl);
  app.get('/openapi.json', mayCache, (_req, res) => {
    res.json(document);
  });
  // Interactive docs (Swagger UI) over the same document. Scripts only from this origin; Swagger UI
  // sets inline styles as it renders, so styles alone may be inline.
  const docsPolicy = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });
  app.use('/docs', docsPolicy, swaggerUi.serve, swaggerUi.setup(document));
  for (const mount of staticMounts) app.use(mount.path, pageSecurityPolicy(), express.static(mount.dir));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

/**
 * Method, route and status of every request, with its id: URLs carry ids, never personal data;
 * bodies are never logged. (The 'finish' event fires outside the request's log context, so the id
 * is named here.)
 */
function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          requestId: requestId(req),
          method: req.method,
          route: routePattern(req),
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };
}
