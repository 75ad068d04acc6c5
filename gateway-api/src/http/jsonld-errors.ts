/**
 * Recognises the errors jsonld.js (and the document loader behind it) throws while expanding or
 * canonicalising a submitted credential: by their `name` and `details.code`, the library's stable
 * identifiers, never by their English message. Errors from the signing workers keep those
 * fields (see services/signer.ts), so both paths are recognised alike.
 */

/** A name, term, type or URL taken from the input is echoed only when it looks like one. */
const ECHOABLE = /^[\p{L}\p{N}@:_.#/?=&%+~-]{1,120}$/u;

/** jsonld.js's event and error codes are fixed ASCII phrases ("invalid local context"). */
const LIBRARY_CODE = /^[a-z@ ]{3,60}$/;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

/** The offending property, type or term a safe-mode event names, if any. */
function eventSubject(details: unknown): { kind: 'property' | 'type' | 'term'; name: string } | undefined {
  const eventDetails = field(field(details, 'event'), 'details');
  for (const kind of ['property', 'type', 'term'] as const) {
    const name = text(field(eventDetails, kind) ?? field(details, kind), ECHOABLE);
    if (name !== undefined) return { kind, name };
  }
  return undefined;
}

const KIND_ZH = { property: '属性', type: '类型', term: '术语' } as const;

/**
 * The bilingual detail for a JSON-LD refusal, or undefined when `error` is not a jsonld.js or
 * context-loading error. Safe-mode errors name the undefined property (or type) that caused them.
 */
export function jsonLdRefusal(error: unknown): string | undefined {
  const name = field(error, 'name');
  if (name === 'DocumentLoaderError' && field(error, 'code') === 'CONTEXT_NOT_ALLOWED') {
    const url = text(field(error, 'url'), ECHOABLE);
    const which = url === undefined ? '' : ` ${url}`;
    return `不支持的 @context${which}（只接受内置的上下文） / unknown @context${which}: only the bundled contexts are accepted`;
  }
  if (typeof name !== 'string' || !name.startsWith('jsonld.')) return undefined;
  const details = field(error, 'details');
  // A loader that failed on our side (the ledger behind did:web unreachable) is not the caller's fault.
  const cause = field(details, 'cause');
  if (field(cause, 'name') === 'DocumentLoaderError') return jsonLdRefusal(cause);
  const eventCode = text(field(field(details, 'event'), 'code'), LIBRARY_CODE);
  const code = eventCode ?? text(field(details, 'code'), LIBRARY_CODE) ?? 'invalid JSON-LD';
  const subject = eventSubject(details);
  if (subject !== undefined) {
    return `凭证不是有效的 JSON-LD：${KIND_ZH[subject.kind]} "${subject.name}" 未在 @context 中定义（${code}） / the credential is not valid JSON-LD: ${subject.kind} "${subject.name}" is not defined by its @context (${code})`;
  }
  return `凭证不是有效的 JSON-LD（${code}） / the credential is not valid JSON-LD (${code})`;
}
