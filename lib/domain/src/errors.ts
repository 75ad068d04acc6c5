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
  'RATE_LIMITED',
  'SUBJECT_KEY_DESTROYED',
  'DUPLICATE_REQUEST',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const codeSet: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * What each code means, in Chinese, for callers who read no English. The chaincode's own details
 * stay English (they are identifiers and states more than prose); {@link bilingual} puts the two
 * together for the error envelope.
 */
export const ERROR_SUMMARY_ZH: Readonly<Record<ErrorCode, string>> = {
  INVALID_ARGUMENT: '请求参数无效',
  UNAUTHENTICATED: '未认证或凭据无效',
  FORBIDDEN_ROLE: '当前角色无权执行此操作',
  FORBIDDEN_ORG: '本机构无权处理此记录',
  NOT_ACCREDITED: '机构未获得该类凭证的签发资质',
  NOT_FOUND: '记录不存在',
  ORG_NOT_FOUND: '机构未注册',
  KEY_NOT_FOUND: '密钥未登记',
  CREDENTIAL_NOT_FOUND: '凭证未上链',
  SUBJECT_NOT_FOUND: '人员未登记',
  ALREADY_EXISTS: '记录已存在',
  INVALID_STATE: '记录当前状态不允许此操作',
  STATUS_TRANSITION_FORBIDDEN: '不允许的凭证状态变更',
  ISSUER_MISMATCH: '只有签发机构可以执行此操作',
  MVCC_READ_CONFLICT: '并发写入冲突，请重试',
  LEDGER_UNAVAILABLE: '账本暂不可用',
  COMMIT_OUTCOME_UNKNOWN: '交易结果未知，请稍后查询或用同一编号重试',
  TX_INVALID: '交易未通过账本校验',
  RATE_LIMITED: '请求过于频繁',
  SUBJECT_KEY_DESTROYED: '该人员的数据已按要求销毁',
  DUPLICATE_REQUEST: '该请求已提交过',
  IDEMPOTENCY_KEY_REUSED: '幂等键已用于另一个请求',
  INTERNAL: '内部错误',
};

const HAS_CHINESE = /[\u3400-\u9fff]/;

/**
 * A message fit for the error envelope in both languages: the code's Chinese summary, then the
 * detail. A detail already written in both languages is kept as it is.
 */
export function bilingual(code: ErrorCode, detail: string): string {
  if (HAS_CHINESE.test(detail)) return detail;
  return detail.length === 0 ? ERROR_SUMMARY_ZH[code] : `${ERROR_SUMMARY_ZH[code]} / ${detail}`;
}

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

/**
 * Every code as a whole token followed by ':'. The look-behind keeps a code from matching inside a
 * longer one (`NOT_FOUND` in `ORG_NOT_FOUND`), whatever the order of ERROR_CODES.
 */
const CODE_TOKEN = new RegExp(`(?<![A-Z0-9_])(${ERROR_CODES.join('|')}): ?`);

/**
 * A gRPC status as grpc-js prints it ahead of the details (`10 ABORTED: `, `13 INTERNAL: `): the
 * transport's code, not the chaincode's, even when its name is also one of ours.
 */
const GRPC_STATUS_PREFIX = /^\d+ [A-Z_]+: /;

/**
 * Finds the stable code in a message that Fabric wrapped in its own text, e.g. `10 ABORTED: failed
 * to endorse transaction, see attached details for more info` followed by `chaincode response 500,
 * ORG_NOT_FOUND: organisation x is not registered`: the earliest whole code token followed by ':'.
 * The detail is what follows that code.
 */
export function findErrorCode(message: string): { code: ErrorCode; detail: string } | undefined {
  const direct = parseErrorCode(message);
  if (direct) return direct;
  const text = message.replace(GRPC_STATUS_PREFIX, '');
  // A regular expression without the global flag finds the leftmost match: the earliest code.
  const match = CODE_TOKEN.exec(text);
  const code = ERROR_CODES.find((c) => c === match?.[1]);
  return match && code ? { code, detail: text.slice(match.index + match[0].length) } : undefined;
}
