import { z } from 'zod';
import { DomainError } from './errors.js';
import { OrgId } from './primitives.js';

/**
 * Parses untrusted input against a schema. The error names the offending paths but never echoes
 * the values, because a value may be personal data.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw new DomainError('INVALID_ARGUMENT', `${what}: ${problems}`);
}

/** Parses a JSON string argument (the form every chaincode transaction takes). */
export function parseJsonArg<S extends z.ZodType>(schema: S, arg: unknown, what: string): z.output<S> {
  if (typeof arg !== 'string') throw new DomainError('INVALID_ARGUMENT', `${what}: expected a JSON string`);
  let value: unknown;
  try {
    value = JSON.parse(arg);
  } catch {
    throw new DomainError('INVALID_ARGUMENT', `${what}: not valid JSON`);
  }
  return parseOrThrow(schema, value, what);
}

/** Page arguments for list queries; the bookmark is opaque (the ledger's own, base64url-encoded over HTTP). */
export const PageRequest = z.object({
  pageSize: z.number().int().min(1).max(100).default(50),
  bookmark: z.string().max(2000).default(''),
});

/** A page of one organisation's records (courses, inspections). */
export const OrgPageRequest = PageRequest.extend({ orgId: OrgId });

/** The kinds of record an audit lists for one school. */
export const AUDIT_KINDS = [
  'organization',
  'accreditation',
  'key',
  'credential',
  'inspection',
  'evaluation',
] as const;

/** One page of one kind of a school's records, each with its key history. */
export const AuditQuery = z.object({
  orgId: OrgId,
  kind: z.enum(AUDIT_KINDS),
  pageSize: z.number().int().min(1).max(100).default(20),
  bookmark: z.string().max(1000).default(''),
});
