import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { DomainError } from '@edu-ledger/domain';

export type Logger = PinoLogger;

/** What every log line written while serving one request carries: its id, and nothing personal. */
export interface LogContext {
  requestId: string;
}

/**
 * The request a piece of code is serving, followed across awaits: the request-id middleware runs
 * the rest of the request inside it, so a line logged by a service or the error handler names the
 * request without the logger being passed down.
 */
export const logContext = new AsyncLocalStorage<LogContext>();

/**
 * JSON logs. Request bodies and headers are never logged; the redact list is a second line of
 * defence for anything that might still carry personal data or secrets.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      mixin: () => ({ ...logContext.getStore() }),
      // Errors are logged by name, code and stack frames; see errorSummary.
      serializers: { err: errorSummary },
      redact: {
        paths: [
          'req.headers.authorization',
          '*.name',
          '*.idNumber',
          '*.studentNumber',
          '*.birthDate',
          '*.guardian',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** What the log keeps of an error. */
export interface ErrorSummary {
  errorName: string;
  code?: string;
  /** A DomainError's detail: written by us to be shown, it names ids and states only. */
  detail?: string;
  /** Any other error's message, hashed: it may quote input (a JSON-LD value, a name), so it is never kept. */
  messageDigest?: string;
  frames: string[];
}

/**
 * An error as the log keeps it: its name, code and stack frames, never the message of an error we
 * did not write (libraries quote their input, and input may be personal data) nor its other
 * properties. The message's digest lets an operator match two log lines without reading it.
 */
export function errorSummary(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { errorName: typeof error, frames: [] };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 20)
    .map((line) => line.trim());
  return {
    errorName: error.name,
    ...(code === undefined ? {} : { code }),
    ...(error instanceof DomainError
      ? { detail: error.detail }
      : { messageDigest: createHash('sha256').update(error.message).digest('hex').slice(0, 16) }),
    frames,
  };
}
