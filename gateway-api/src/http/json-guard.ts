import express, { type RequestHandler } from 'express';
import { DomainError } from '@edu-ledger/domain';

/**
 * Names that reach `Object.prototype` or a constructor when a library indexes a plain object by
 * them: jsonld.js builds its node map keyed by `@id`, so a status list URL of `__proto__` once
 * wrote `Object.prototype['@id']` and broke every later verification in the process.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Members whose string values libraries use as identifiers or map keys (node ids, types,
 * contexts, status list URLs, DIDs). Every string inside an `@context` is checked as well.
 */
const IDENTIFIER_MEMBERS: ReadonlySet<string> = new Set([
  'id',
  '@id',
  'type',
  '@type',
  '@context',
  '@vocab',
  '@base',
  'statusListCredential',
  'issuer',
  'holder',
  'controller',
  'verificationMethod',
]);

/** Nesting allowed in a request body: real credentials and presentations stay below 20. */
export const MAX_JSON_DEPTH = 64;

/** Why a parsed body was refused. */
export type JsonProblem = 'forbidden-key' | 'forbidden-identifier' | 'non-finite-number' | 'too-deep';

const MESSAGES: Readonly<Record<JsonProblem, string>> = {
  'forbidden-key':
    '请求体含有禁止的键名（__proto__、constructor、prototype） / request body contains a forbidden key (__proto__, constructor or prototype)',
  'forbidden-identifier':
    '标识符、类型或上下文不能是 __proto__、constructor 或 prototype / an id, type or @context must not be __proto__, constructor or prototype',
  'non-finite-number': '请求体含有超出范围的数字 / request body contains a number out of range',
  'too-deep': `请求体嵌套超过 ${MAX_JSON_DEPTH} 层 / request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
};

/** A compact JWS, bare or as a `data:` URL (VC-JOSE enveloped credentials and presentations). */
const JWS = /^(?:data:application\/vp?c\+jwt,)?([A-Za-z0-9_-]{2,})\.([A-Za-z0-9_-]{2,})\.([A-Za-z0-9_-]*)$/;

interface Pending {
  value: unknown;
  depth: number;
  /** The member this value sits under (array entries inherit their array's). */
  member: string | undefined;
  inContext: boolean;
}

/**
 * Finds the first reason to refuse a parsed JSON value: a forbidden key anywhere, a forbidden
 * name as an identifier, a non-finite number (`1e309` parses to Infinity) or nesting deeper than
 * `maxDepth`. The payloads of embedded JWS are inspected too, because the verifier decodes them.
 * Iterative, so a deep document cannot overflow the stack here.
 */
export function inspectJson(root: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  const stack: Pending[] = [{ value: root, depth: 0, member: undefined, inContext: false }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth, member, inContext } = next;
    if (typeof value === 'number' && !Number.isFinite(value)) return 'non-finite-number';
    if (typeof value === 'string') {
      if (
        (inContext || (member !== undefined && IDENTIFIER_MEMBERS.has(member))) &&
        FORBIDDEN_NAMES.has(value)
      )
        return 'forbidden-identifier';
      const payload = jwsPayload(value);
      if (payload !== undefined) stack.push({ value: payload, depth, member: undefined, inContext: false });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > maxDepth) return 'too-deep';
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) stack.push({ value: item, depth: depth + 1, member, inContext });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (FORBIDDEN_NAMES.has(key)) return 'forbidden-key';
      stack.push({ value: child, depth: depth + 1, member: key, inContext: inContext || key === '@context' });
    }
  }
  return undefined;
}

/** The decoded JSON payload of a compact JWS, or undefined when `text` is not one. */
function jwsPayload(text: string): unknown {
  const payload = JWS.exec(text)?.[2];
  if (payload === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined; // Not JSON: nothing a library would walk.
  }
}

/** Throws INVALID_ARGUMENT (a fixed bilingual message, never the input) when `value` is refused. */
export function assertSafeJson(value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  const problem = inspectJson(value, maxDepth);
  if (problem !== undefined) throw new DomainError('INVALID_ARGUMENT', MESSAGES[problem]);
}

/**
 * The JSON body parser every route shares: express.json (size limit, charset, content encoding),
 * then `assertSafeJson` on the result before any route or library sees it.
 */
export function safeJsonBody(options: { limit: string; maxDepth?: number }): RequestHandler[] {
  const guard: RequestHandler = (req, _res, next) => {
    try {
      const body: unknown = req.body;
      if (body !== undefined) assertSafeJson(body, options.maxDepth);
      next();
    } catch (error) {
      next(error);
    }
  };
  return [express.json({ limit: options.limit }), guard];
}
