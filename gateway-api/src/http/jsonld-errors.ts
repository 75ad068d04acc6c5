/**
 * Recognises the errors jsonld.js (and the document loader behind it) throws while expanding or
 * canonicalising a submitted credential: by their `name` and `details.code`, the library's stable
 * identifiers, never by their English message. Errors from the signing workers keep those
 * fields (see services/signer.ts), so both paths are recognised alike.
 */
import { echoable, jsonLdErrorSubject } from '@edu-ledger/credentials';

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

const KIND_ZH = { property: '属性', type: '类型', term: '术语' } as const;

/**
 * The bilingual detail for a JSON-LD refusal, or undefined when `error` is not a jsonld.js or
 * context-loading error. Safe-mode errors name the undefined property (or type) that caused them.
 */
export function jsonLdRefusal(error: unknown): string | undefined {
  const name = field(error, 'name');
  if (name === 'DocumentLoaderError' && field(error, 'code') === 'CONTEXT_NOT_ALLOWED') {
    const url = echoable(field(error, 'url'));
    const which = url === undefined ? '' : ` ${url}`;
    return `不支持的 @context${which}（只接受内置的上下文） / unknown @context${which}: only the bundled contexts are accepted`;
  }
  const about = jsonLdErrorSubject(error);
  if (about === undefined) return undefined;
  // A loader that failed on our side (the ledger behind did:web unreachable) is not the caller's fault.
  const cause = field(field(error, 'details'), 'cause');
  if (field(cause, 'name') === 'DocumentLoaderError') return jsonLdRefusal(cause);
  const { code, subject } = about;
  if (subject !== undefined) {
    return `凭证不是有效的 JSON-LD：${KIND_ZH[subject.kind]} "${subject.name}" 未在 @context 中定义（${code}） / the credential is not valid JSON-LD: ${subject.kind} "${subject.name}" is not defined by its @context (${code})`;
  }
  return `凭证不是有效的 JSON-LD（${code}） / the credential is not valid JSON-LD (${code})`;
}
