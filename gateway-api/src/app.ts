import express, { type Express } from 'express';
import type { Logger } from './logger.js';
import { authenticate } from './http/auth.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import { runRoute, type RouteSpec } from './http/route.js';
import { auditRoutes } from './routes/audit.routes.js';
import { creditBankRoutes } from './routes/credit-bank.routes.js';
import { credentialRoutes } from './routes/credentials.routes.js';
import { growthRoutes } from './routes/growth.routes.js';
import { holderRoutes } from './routes/holder.routes.js';
import { inspectionRoutes } from './routes/inspection.routes.js';
import { pdRoutes } from './routes/pd.routes.js';
import { ledgerRoutes } from './routes/ledger.routes.js';
import { offerRoutes } from './routes/offers.routes.js';
import { subjectRoutes } from './routes/subjects.routes.js';
import { verifierRoutes } from './routes/verifier.routes.js';
import type { Services } from './services/index.js';

export interface AppOptions {
  services: Services;
  logger: Logger;
  publicUrl: string;
  /** Extra static folders, e.g. the verifier web app at /verify. */
  staticMounts?: { path: string; dir: string }[];
}

export function allRoutes(services: Services): RouteSpec[] {
  return [
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
  ];
}

/** Builds the HTTP app over its services; listening is the caller's business. */
export function createApp({ services, logger, publicUrl, staticMounts = [] }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Method, route and status only: URLs carry ids, never personal data; bodies are never logged.
      logger.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  });
  app.use(express.json({ limit: '1mb' }));
  app.use(authenticate(services.tokens));

  const routes = allRoutes(services);
  for (const route of routes) {
    app[route.method](route.path, (req, res) => runRoute(route, req, res));
  }
  const document = openApiDocument(routes, publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  for (const mount of staticMounts) app.use(mount.path, express.static(mount.dir));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
