/**
 * Reads the errors jsonld.js throws (safe-mode refusals of undefined terms, bad contexts) by their
 * `name` and `details`, the library's stable identifiers, never by their English message. Only
 * what looks like a name, term or URL is echoed, so nothing else from the input travels on.
 */
import { isRecord } from './util.js';

/** A name, term, type or URL taken from the input is echoed only when it looks like one. */
const ECHOABLE = /^[\p{L}\p{N}@:_.#/?=&%+~-]{1,120}$/u;

/** jsonld.js's event and error codes are fixed ASCII phrases ("invalid local context"). */
const LIBRARY_CODE = /^[a-z@ ]{3,60}$/;

function field(value: unknown, key: string): unknown {
  return isRecord(value) || value instanceof Error
    ? (value as unknown as Record<string, unknown>)[key]
    : undefined;
}

function text(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

export interface JsonLdErrorSubject {
  /** The library's code, e.g. "invalid property" (or "invalid JSON-LD" when it gave none). */
  code: string;
  /** The undefined property, type or term the refusal names, when it names one. */
  subject?: { kind: 'property' | 'type' | 'term'; name: string };
}

/** What a jsonld.js error is about, or undefined when `error` is not one. */
export function jsonLdErrorSubject(error: unknown): JsonLdErrorSubject | undefined {
  const name = field(error, 'name');
  if (typeof name !== 'string' || !name.startsWith('jsonld.')) return undefined;
  const details = field(error, 'details');
  const eventCode = text(field(field(details, 'event'), 'code'), LIBRARY_CODE);
  const code = eventCode ?? text(field(details, 'code'), LIBRARY_CODE) ?? 'invalid JSON-LD';
  const eventDetails = field(field(details, 'event'), 'details');
  for (const kind of ['property', 'type', 'term'] as const) {
    const subject = text(field(eventDetails, kind) ?? field(details, kind), ECHOABLE);
    if (subject !== undefined) return { code, subject: { kind, name: subject } };
  }
  return { code };
}

/** One English line for a jsonld.js error, naming the term when the error names one. */
export function describeJsonLdError(error: unknown): string | undefined {
  const about = jsonLdErrorSubject(error);
  if (about === undefined) return undefined;
  return about.subject
    ? `${about.subject.kind} "${about.subject.name}" is not defined by its @context (${about.code})`
    : `not valid JSON-LD (${about.code})`;
}

/** Only for echoing a URL the loader refused: the same rule as for names. */
export function echoable(value: unknown): string | undefined {
  return text(value, ECHOABLE);
}
