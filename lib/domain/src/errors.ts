/**
 * Stable error codes shared by every layer. Only an error's `message` crosses the chaincode
 * boundary, so messages start with the code (`CODE: detail`) and callers map codes, never prose.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'FORBIDDEN_ROLE',
  'FORBIDDEN_ORG',
  'NOT_ACCREDITED',
  'NOT_FOUND',
  'ORG_NOT_FOUND',
  'KEY_NOT_FOUND',
  'CREDENTIAL_NOT_FOUND',
  'SUBJECT_NOT_FOUND',
  'ALREADY_EXISTS',
  'INVALID_STATE',
  'STATUS_TRANSITION_FORBIDDEN',
  'ISSUER_MISMATCH',
  'MVCC_READ_CONFLICT',
  'LEDGER_UNAVAILABLE',
  'COMMIT_OUTCOME_UNKNOWN',
  'TX_INVALID',
  'SUBJECT_KEY_DESTROYED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const codeSet: ReadonlySet<string> = new Set(ERROR_CODES);

/** An error whose message starts with a stable code, safe to show to a caller. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;

  constructor(code: ErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'DomainError';
    this.code = code;
    this.detail = detail;
  }
}

/**
 * Recovers the stable code from an error message that crossed a process boundary
 * (chaincode -> peer -> gateway). Unknown prefixes are not guessed at: they yield undefined.
 */
export function parseErrorCode(message: string): { code: ErrorCode; detail: string } | undefined {
  const match = /^([A-Z][A-Z_]+): ?([\s\S]*)$/.exec(message);
  if (!match) return undefined;
  const [, code, detail] = match;
  if (code === undefined || !codeSet.has(code)) return undefined;
  return { code: code as ErrorCode, detail: detail ?? '' };
}

/** Finds a stable code anywhere in a message (Fabric wraps chaincode messages in its own text). */
export function findErrorCode(message: string): { code: ErrorCode; detail: string } | undefined {
  const direct = parseErrorCode(message);
  if (direct) return direct;
  for (const code of ERROR_CODES) {
    const at = message.indexOf(`${code}: `);
    if (at >= 0) return { code, detail: message.slice(at + code.length + 2) };
  }
  return undefined;
}
