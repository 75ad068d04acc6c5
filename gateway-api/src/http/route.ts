import type { Request, Response } from 'express';
import type { z } from 'zod';
import { parseOrThrow, type Role } from '@edu-ledger/domain';
import { withArrivalOrigin } from './arrival-origin.js';
import { optionalPrincipal, requireRole } from './auth.js';
import type { IdempotencyStore } from '../stores/idempotency.js';
import type { Principal } from '../stores/tokens.js';
import { withIdempotency } from '../services/request-scope.js';

export interface RouteContext<B> {
  req: Request;
  res: Response;
  body: B;
  principal: Principal | undefined;
}

export interface RouteResult {
  status: number;
  json: unknown;
}

/**
 * One declaration per route: the HTTP layer registers it and the OpenAPI document is generated
 * from the same list, so a route cannot exist undocumented.
 */
export interface RouteSpec<S extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'delete';
  /** Express path; `:name` segments become OpenAPI `{name}` parameters. */
  path: string;
  summary: string;
  /** Longer prose for the OpenAPI document (how to authenticate, what the answer holds). */
  description?: string;
  tag: string;
  /** `public`, or the roles allowed (401 without a token, 403 with another role). */
  access: 'public' | readonly Role[];
  body?: S;
  /** Query parameters, documented and checked before the handler runs (a mismatch is a 400). */
  query?: z.ZodObject;
  /**
   * Documented responses by status: a zod schema for JSON bodies, or `contentType` for anything
   * else (a PDF).
   */
  responses?: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handle: (ctx: RouteContext<z.output<S>>) => Promise<RouteResult>;
}

export function defineRoute<S extends z.ZodType>(spec: RouteSpec<S>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/**
 * Runs a route: access check, body validation, then the handler — as the request its
 * `Idempotency-Key` names, when it sends one (see services/request-scope.ts). Errors go to the
 * error handler.
 */
export async function runRoute(
  spec: RouteSpec,
  req: Request,
  res: Response,
  idempotency?: IdempotencyStore,
): Promise<void> {
  const principal = spec.access === 'public' ? optionalPrincipal(req) : requireRole(req, spec.access);
  const body: unknown = spec.body ? parseOrThrow(spec.body, req.body, 'request body') : undefined;
  if (spec.query) parseOrThrow(spec.query, req.query, 'query');
  // Holder proofs may name the gateway by the address the request came in on (see arrival-origin.ts).
  const request = {
    idempotencyKey: req.get('idempotency-key'),
    principal,
    method: req.method,
    path: req.path,
    body,
  };
  const result = await withIdempotency(request, idempotency, () =>
    withArrivalOrigin(req, () => spec.handle({ req, res, body, principal })),
  );
  if (!res.headersSent) res.status(result.status).json(result.json);
}

export function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}
