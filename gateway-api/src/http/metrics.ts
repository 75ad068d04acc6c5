import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DomainError } from '@edu-ledger/domain';
import type { AnchorBatch } from '../services/anchorer.js';
import type { Services } from '../services/index.js';
import type { CredentialSigner } from '../services/signer.js';

/** Routes whose time is issuance time (each signs and anchors a credential). */
export const ISSUING_ROUTES: ReadonlySet<string> = new Set([
  '/credentials/issue',
  '/archives/:subjectId/reports',
  '/pd/completions/:teacherId/:completionId/credential',
  '/credit-bank/recognitions/:id/credential',
  '/credit-bank/learners/:learnerId/clr',
  '/credential-offers/:id/claim',
]);

/** Routes whose time is verification time. */
export const VERIFYING_ROUTES: ReadonlySet<string> = new Set([
  '/credentials/verify',
  '/presentations/verify',
  '/verification-requests/:id/response',
]);

/** Label of a request no route matched (static files, docs, 404s): raw paths never become labels. */
const UNMATCHED = '(unmatched)';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200];

/** Where the queue depths are read from when Prometheus scrapes. */
export interface MetricsSources {
  services: Services;
  /** The worker pool main() signs with; without it signing is on the main thread and has no queue. */
  signer?: CredentialSigner;
}

/**
 * One gateway's metrics in a registry of its own: tests run several gateways in one process, and
 * prom-client's global registry would mix their counts.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'method' | 'route'>;
  private readonly issuanceSeconds: Histogram<'route' | 'status'>;
  private readonly verificationSeconds: Histogram<'route' | 'status'>;
  private readonly stopListening: (() => void)[] = [];

  constructor({ services, signer }: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'edu_' });
    this.requests = new Counter({
      name: 'edu_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'edu_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.issuanceSeconds = new Histogram({
      name: 'edu_issuance_duration_seconds',
      help: 'Time to issue a credential (sign, store, anchor), by route and status',
      labelNames: ['route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.verificationSeconds = new Histogram({
      name: 'edu_verification_duration_seconds',
      help: 'Time to verify a credential or presentation, by route and status',
      labelNames: ['route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.watchAnchors(services);
    this.watchSigner(signer);
  }

  /** Anchor batch sizes, their commit latency, and the anchorer's queue. */
  private watchAnchors(services: Services): void {
    const registers = [this.registry];
    const batchSize = new Histogram({
      name: 'edu_anchor_batch_size',
      help: 'Credentials anchored per ledger transaction',
      buckets: BATCH_BUCKETS,
      registers,
    });
    const commitSeconds = new Histogram<'outcome'>({
      name: 'edu_ledger_commit_duration_seconds',
      help: 'Time from submitting an anchor transaction to its commit or refusal',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const anchorers = [services.anchorer];
    const sum = (count: (a: (typeof anchorers)[number]) => number): number =>
      anchorers.reduce((total, anchorer) => total + count(anchorer), 0);
    new Gauge({
      name: 'edu_anchor_queue_depth',
      help: 'Credentials waiting for an anchor transaction to leave',
      registers,
      collect() {
        this.set(sum((a) => a.waitingCount()));
      },
    });
    new Gauge({
      name: 'edu_anchor_in_flight',
      help: 'Anchor transactions submitted and not yet committed',
      registers,
      collect() {
        this.set(sum((a) => a.inFlightCount()));
      },
    });
    const record = (batch: AnchorBatch): void => {
      batchSize.observe(batch.size);
      commitSeconds.observe({ outcome: batch.committed ? 'committed' : 'refused' }, batch.commitSeconds);
    };
    for (const anchorer of anchorers) this.stopListening.push(anchorer.onBatch(record));
  }

  private watchSigner(signer: CredentialSigner | undefined): void {
    new Gauge({
      name: 'edu_signing_queue_depth',
      help: 'Signing jobs sent to the worker pool and not yet answered (0 when signing in-process)',
      registers: [this.registry],
      collect() {
        this.set(signer?.queueDepth?.() ?? 0);
      },
    });
  }

  /** Counts and times every request once it is answered, labelled by the route that matched. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const route = routePattern(req);
        const status = String(res.statusCode);
        this.requests.inc({ method: req.method, route, status });
        this.requestSeconds.observe({ method: req.method, route }, seconds);
        if (req.method === 'POST' && ISSUING_ROUTES.has(route))
          this.issuanceSeconds.observe({ route, status }, seconds);
        if (req.method === 'POST' && VERIFYING_ROUTES.has(route))
          this.verificationSeconds.observe({ route, status }, seconds);
      });
      next();
    };
  }

  /** Stops listening to the anchorers (the registry itself is garbage once the app is). */
  close(): void {
    for (const stop of this.stopListening.splice(0)) stop();
  }
}

/** The route pattern a request matched (`/credentials/:id`), never its path (which carries ids). */
export function routePattern(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED;
}

/** Who may read /metrics: holders of METRICS_TOKEN, or, without one, callers on this machine only. */
export interface MetricsAccess {
  token?: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * Refuses a scrape it should not answer. With a token, `Authorization: Bearer <METRICS_TOKEN>` is
 * required (compared in constant time). Without one, only a loopback caller that came straight in:
 * a request with Forwarded or X-Forwarded-For came through a proxy on this machine and may be
 * anyone's.
 */
function checkAccess(req: Request, access: MetricsAccess): void {
  if (access.token !== undefined) {
    const given = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(given), digest(access.token)))
      throw new DomainError('UNAUTHENTICATED', 'metrics need the bearer token in METRICS_TOKEN');
    return;
  }
  const proxied = req.get('forwarded') !== undefined || req.get('x-forwarded-for') !== undefined;
  if (proxied || !isLoopback(req.socket.remoteAddress))
    throw new DomainError(
      'FORBIDDEN_ROLE',
      'metrics are served to this machine only; set METRICS_TOKEN to scrape from elsewhere',
    );
}

/** GET /metrics in Prometheus's text format. */
export function metricsEndpoint(metrics: GatewayMetrics, access: MetricsAccess): RequestHandler {
  return (req, res, next) => {
    try {
      checkAccess(req, access);
    } catch (error) {
      next(error);
      return;
    }
    metrics.registry
      .metrics()
      .then((text) => {
        res.type(metrics.registry.contentType).send(text);
      })
      .catch(next);
  };
}
