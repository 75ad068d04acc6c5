import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError, findErrorCode, type ErrorCode } from '@edu-ledger/domain';
import type { Logger } from '../logger.js';

/** The only place that turns stable codes into HTTP statuses. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN_ROLE: 403,
  FORBIDDEN_ORG: 403,
  NOT_ACCREDITED: 403,
  ISSUER_MISMATCH: 403,
  NOT_FOUND: 404,
  ORG_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  CREDENTIAL_NOT_FOUND: 404,
  SUBJECT_NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  STATUS_TRANSITION_FORBIDDEN: 409,
  MVCC_READ_CONFLICT: 409,
  SUBJECT_KEY_DESTROYED: 410,
  LEDGER_UNAVAILABLE: 503,
  // The transaction may still commit: the caller retries with the same id, or reads it back.
  COMMIT_OUTCOME_UNKNOWN: 504,
  // Committed but refused by validation for a reason other than MVCC: a fault of ours, not the caller's.
  TX_INVALID: 500,
  INTERNAL: 500,
};

export interface ErrorEnvelope {
  error: { code: string; message: string; transactionId?: string };
}

export function envelope(code: ErrorCode, message: string): ErrorEnvelope {
  return { error: { code, message } };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(envelope('NOT_FOUND', 'no such route'));
};

/**
 * One JSON error envelope for everything. Domain errors keep their code and detail (they were
 * written to be shown); anything else becomes a 500 with no internals, and is logged here.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (isBodyParserError(error)) {
      res
        .status(error.status ?? 400)
        .json(envelope('INVALID_ARGUMENT', 'request body is not valid JSON or is too large'));
      return;
    }
    const domain = error instanceof DomainError ? error : undefined;
    const recovered = domain ? { code: domain.code, detail: domain.detail } : findCode(error);
    if (recovered && recovered.code !== 'INTERNAL') {
      res.status(HTTP_STATUS[recovered.code]).json(envelope(recovered.code, recovered.detail));
      return;
    }
    logger.error({ err: error, path: req.path }, 'unhandled error');
    res.status(500).json(envelope('INTERNAL', 'internal error'));
  };
}

function findCode(error: unknown): { code: ErrorCode; detail: string } | undefined {
  return error instanceof Error ? findErrorCode(error.message) : undefined;
}

function isBodyParserError(error: unknown): error is { type: string; status?: number } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    typeof error.type === 'string' &&
    ['entity.parse.failed', 'entity.too.large', 'encoding.unsupported', 'charset.unsupported'].includes(
      error.type,
    )
  );
}
