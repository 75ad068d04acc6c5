import { DomainError } from '@edu-ledger/domain';

/** Composite keys exactly as Fabric forms them: U+0000, type, U+0000, then each attribute + U+0000. */
export const NS = String.fromCharCode(0);
/** Fabric ends partial-key ranges at U+10FFFF, the largest code point. */
export const MAX_UNICODE = String.fromCodePoint(0x10ffff);

function checkPart(part: string): void {
  if (part.includes(NS) || part.includes(MAX_UNICODE)) {
    throw new DomainError('INVALID_ARGUMENT', 'composite key parts may not contain U+0000 or U+10FFFF');
  }
}

export function createCompositeKey(objectType: string, attributes: readonly string[]): string {
  checkPart(objectType);
  attributes.forEach(checkPart);
  return `${NS}${objectType}${NS}${attributes.map((a) => `${a}${NS}`).join('')}`;
}

export function splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] } {
  if (!compositeKey.startsWith(NS)) return { objectType: '', attributes: [] };
  const parts = compositeKey.slice(1, -1).split(NS);
  const [objectType = '', ...attributes] = parts;
  return { objectType, attributes };
}
