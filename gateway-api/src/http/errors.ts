import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { DomainError, bilingual, findErrorCode, type ErrorCode } from '@edu-ledger/domain';
import { RecordIntegrityError } from '@edu-ledger/ledger-port';
import type { Logger } from '../logger.js';
import { jsonLdRefusal } from './jsonld-errors.js';

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
  // A retry of a committed request: the gateway answers it with the first outcome, so this only
  // reaches a caller whose retry could not be replayed.
  DUPLICATE_REQUEST: 409,
  // The same Idempotency-Key sent with another request body or to another route.
  IDEMPOTENCY_KEY_REUSED: 422,
  LEDGER_UNAVAILABLE: 503,
  // The transaction may still commit: the caller retries with the same id, or reads it back.
  COMMIT_OUTCOME_UNKNOWN: 504,
  // Committed but refused by validation for a reason other than MVCC: a fault of ours, not the caller's.
  TX_INVALID: 500,
  // Sent with Retry-After by the rate limiters.
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/**
 * Codes the gateway answers with: the domain's stable codes, and its own for refusals no ledger
 * layer makes (a certificate that cannot be printed here).
 */
export type GatewayErrorCode = ErrorCode | 'CERTIFICATE_UNAVAILABLE';

export interface ErrorEnvelope {
  error: { code: string; message: string; transactionId?: string };
}

/** The language of error messages the caller asked for; `both` without an Accept-Language header. */
export type MessageLanguage = 'both' | 'zh' | 'en';

/**
 * Reads `Accept-Language` (with its q-values, via express): Chinese (`zh`, `zh-CN`, …) keeps the
 * bilingual message as it always was, English (`en`, `en-GB`, …) gets English only. No header, or
 * neither language, keeps both.
 */
export function messageLanguage(req: Request): MessageLanguage {
  if (!req.get('accept-language')) return 'both';
  const best = req.acceptsLanguages('zh', 'en');
  return best === 'en' ? 'en' : best === 'zh' ? 'zh' : 'both';
}

/** What each code means in English, for an English-only answer with no detail of its own. */
const ERROR_SUMMARY_EN: Readonly<Record<ErrorCode, string>> = {
  INVALID_ARGUMENT: 'invalid request',
  UNAUTHENTICATED: 'not authenticated',
  FORBIDDEN_ROLE: 'your role may not do this',
  FORBIDDEN_ORG: 'your organisation may not handle this record',
  NOT_ACCREDITED: 'the organisation is not accredited for this credential type',
  NOT_FOUND: 'not found',
  ORG_NOT_FOUND: 'organisation not registered',
  KEY_NOT_FOUND: 'key not registered',
  CREDENTIAL_NOT_FOUND: 'credential not anchored',
  SUBJECT_NOT_FOUND: 'person not registered',
  ALREADY_EXISTS: 'already exists',
  INVALID_STATE: "the record's state does not allow this",
  STATUS_TRANSITION_FORBIDDEN: 'status change not allowed',
  ISSUER_MISMATCH: 'only the issuer may do this',
  MVCC_READ_CONFLICT: 'concurrent write conflict, retry',
  LEDGER_UNAVAILABLE: 'ledger unavailable',
  COMMIT_OUTCOME_UNKNOWN: 'transaction outcome unknown; read it back or retry with the same id',
  TX_INVALID: 'the transaction failed ledger validation',
  RATE_LIMITED: 'too many requests',
  SUBJECT_KEY_DESTROYED: "this person's data has been erased as requested",
  DUPLICATE_REQUEST: 'this request was already committed',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key was used for another request',
  INTERNAL: 'internal error',
};

const HAS_CHINESE = /[\u3400-\u9fff]/;
const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_SUMMARY_EN, code);

/**
 * The English part of a detail: a detail written `中文 / English` keeps what follows its Chinese
 * half; an English detail (even one quoting a Chinese term) stays whole.
 */
function englishOnly(code: GatewayErrorCode, detail: string): string {
  const [first, ...rest] = detail.split(' / ');
  if (rest.length > 0 && first !== undefined && HAS_CHINESE.test(first)) return rest.join(' / ');
  if (detail.length > 0) return detail;
  return isErrorCode(code) ? ERROR_SUMMARY_EN[code] : code;
}

/**
 * The error envelope. Its message is in Chinese and English (see `bilingual`) unless the caller
 * asked for English only; the code is the same in every language.
 */
export function envelope(
  code: GatewayErrorCode,
  message: string,
  language: MessageLanguage = 'both',
): ErrorEnvelope {
  if (language === 'en') return { error: { code, message: englishOnly(code, message) } };
  return { error: { code, message: isErrorCode(code) ? bilingual(code, message) : message } };
}

/**
 * A refusal decided by the gateway itself, with a status and code of its own (a 503 when the
 * certificate font is not installed). Its message is written in both languages.
 */
export class GatewayRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: GatewayErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'GatewayRefusal';
  }
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(envelope('NOT_FOUND', '没有这个接口 / no such route', messageLanguage(req)));
};

const RECORD_INTEGRITY_MESSAGE =
  '账本暂不可用：一条账本记录未通过完整性校验 / ledger unavailable: a ledger record failed its integrity check';

/** A refusal to send: status, stable code and a message fit to show. */
interface Refusal {
  status: number;
  code: GatewayErrorCode;
  message: string;
}

/**
 * Messages for errors that carry a 4xx status of their own (body-parser, the router's URL
 * decoding). Their own messages may quote the input, so they are never shown.
 */
function statusMessage(error: object, status: number): string {
  const type = 'type' in error && typeof error.type === 'string' ? error.type : '';
  if (status === 413) return '请求体过大 / request body is too large';
  if (status === 415) return '不支持的内容编码或字符集 / unsupported content encoding or charset';
  if (type === 'entity.parse.failed') return '请求体不是有效的 JSON / request body is not valid JSON';
  if (error instanceof URIError) return '网址中的百分号编码无效 / malformed percent-encoding in the URL';
  return '请求无效（编码、JSON 或网址有误） / malformed request (encoding, JSON or URL)';
}

/** The 4xx status an error object carries (`status` or `statusCode`), if any. */
function clientStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = 'status' in error ? error.status : 'statusCode' in error ? error.statusCode : undefined;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500
    ? status
    : undefined;
}

/**
 * Decides whether an error is the caller's mistake (or a stable domain outcome) and how to answer
 * it. JSON-LD errors count as the caller's only on requests that submitted a document; on a GET
 * the document was ours.
 */
export function refusalFor(error: unknown, submittedBody: boolean): Refusal | undefined {
  if (error instanceof RecordIntegrityError) {
    // The ledger refused a record edited behind its back: unavailable until an operator restores
    // the ledger, and nothing about the record is shown.
    return { status: 503, code: 'LEDGER_UNAVAILABLE', message: RECORD_INTEGRITY_MESSAGE };
  }
  if (error instanceof DomainError) {
    return { status: HTTP_STATUS[error.code], code: error.code, message: error.detail };
  }
  if (error instanceof GatewayRefusal) {
    return { status: error.status, code: error.code, message: error.detail };
  }
  const jsonLd = submittedBody ? jsonLdRefusal(error) : undefined;
  if (jsonLd !== undefined) return { status: 400, code: 'INVALID_ARGUMENT', message: jsonLd };
  const status = clientStatus(error);
  if (status !== undefined && typeof error === 'object' && error !== null) {
    return { status, code: 'INVALID_ARGUMENT', message: statusMessage(error, status) };
  }
  const recovered = error instanceof Error ? findErrorCode(error.message) : undefined;
  if (recovered && recovered.code !== 'INTERNAL') {
    return { status: HTTP_STATUS[recovered.code], code: recovered.code, message: recovered.detail };
  }
  return undefined;
}

/**
 * One JSON error envelope for everything. Domain errors keep their code and detail (they were
 * written to be shown); the caller's mistakes are 4xx with a fixed message; anything else becomes
 * a 500 with no internals, and is logged here.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Part of an answer is out: all that is left is to cut it short.
      logger.error({ err: error, path: req.path }, 'error after the response started');
      res.end();
      return;
    }
    if (error instanceof RecordIntegrityError) {
      // Ids only: where the record claims to come from, never its value.
      const { namespace, blockNumber, txNumber, reason } = error;
      logger.error(
        { path: req.path, namespace, blockNumber, txNumber, reason },
        'ledger record failed its integrity check',
      );
    }
    const refusal = refusalFor(error, req.body !== undefined && req.method !== 'GET');
    if (refusal) {
      res.status(refusal.status).json(envelope(refusal.code, refusal.message, messageLanguage(req)));
      return;
    }
    logger.error({ err: error, path: req.path }, 'unhandled error');
    res.status(500).json(envelope('INTERNAL', '内部错误 / internal error', messageLanguage(req)));
  };
}
