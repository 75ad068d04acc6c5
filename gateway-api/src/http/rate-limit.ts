import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { RateLimits } from '../config.js';
import { envelope, messageLanguage } from './errors.js';
import type { RouteSpec } from './route.js';

const MESSAGE = '请求过于频繁，请稍后再试 / too many requests; retry after the time in Retry-After';

const isWrite = (req: Request): boolean =>
  req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';

/** The client address, IPv6 addresses grouped by /56 so one host cannot rotate through its prefix. */
const addressKey = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/**
 * A bearer token is counted by its hash: the token itself is a secret and must not sit in memory
 * longer than the request needs it.
 */
const tokenKey = (req: Request): string =>
  createHash('sha256')
    .update(req.get('authorization') ?? '')
    .digest('base64url');

/** A fixed-window limiter answering 429 with Retry-After and the JSON error envelope. */
function limiter(
  windowMs: number,
  limit: number,
  keyGenerator: (req: Request) => string,
  skip: (req: Request) => boolean,
): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    keyGenerator,
    skip,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Keys are derived above (IPv6 subnets included); the library's start-up checks would only
    // warn about a custom key generator.
    validate: false,
    handler: (req, res) => {
      res.status(429).json(envelope('RATE_LIMITED', MESSAGE, messageLanguage(req)));
    },
  });
}

/**
 * Abuse limits, each counted per window and off when its limit is 0:
 * - `perAddress`: writes from one client address, before the token is even looked up, so guessing
 *   tokens is throttled too;
 * - `forRoute`: writes per bearer token, and anonymous verifications (public POST routes called
 *   without a token) per address.
 */
export interface RateLimiters {
  perAddress: RequestHandler[];
  forRoute: (route: RouteSpec) => RequestHandler[];
}

/** Builds the limiters for a configuration; every gateway instance counts on its own. */
export function rateLimiters(limits: RateLimits): RateLimiters {
  const { windowMs } = limits;
  const perAddress =
    limits.writesPerAddress > 0
      ? [limiter(windowMs, limits.writesPerAddress, addressKey, (req) => !isWrite(req))]
      : [];
  const perToken =
    limits.writesPerToken > 0
      ? limiter(
          windowMs,
          limits.writesPerToken,
          tokenKey,
          (req) => !isWrite(req) || !req.get('authorization'),
        )
      : undefined;
  const anonymous =
    limits.anonymousPerAddress > 0
      ? limiter(windowMs, limits.anonymousPerAddress, addressKey, (req) => Boolean(req.get('authorization')))
      : undefined;
  return {
    perAddress,
    forRoute: (route) => {
      if (route.method === 'get') return [];
      const chain = perToken ? [perToken] : [];
      return route.access === 'public' && anonymous ? [anonymous, ...chain] : chain;
    },
  };
}
