import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { logContext } from '../logger.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Letters, digits and `._:-`, 8 to 64 of them: what tracing systems send (UUIDs, trace ids). */
const SANE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * A caller's request id is kept only when it cannot be a person's number: an id made of digits
 * (with at most a trailing X, as in a resident ID number) could be an ID, student or phone number,
 * and would then be written to every log line of the request.
 */
const NUMBER_LIKE = /^[0-9]+[Xx]?$/;

/** The caller's X-Request-Id when it is sane, else a fresh UUID. */
export function requestIdOf(req: Request): string {
  const given = req.get(REQUEST_ID_HEADER);
  return given !== undefined && SANE_ID.test(given) && !NUMBER_LIKE.test(given) ? given : randomUUID();
}

const ids = new WeakMap<Request, string>();

/** The id the middleware gave this request. */
export function requestId(req: Request): string | undefined {
  return ids.get(req);
}

/**
 * Gives each request an id, returns it in X-Request-Id and runs the rest of the request inside
 * the log context, so every line logged while serving it carries `requestId` (see logContext).
 */
export function assignRequestId(): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req);
    ids.set(req, id);
    res.setHeader(REQUEST_ID_HEADER, id);
    logContext.run({ requestId: id }, next);
  };
}
