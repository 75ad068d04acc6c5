import { Bitstring } from '@digitalbazaar/bitstring';
import { VC_V2_CONTEXT } from './contexts.js';
import type { Credential } from './model.js';

/** W3C Bitstring Status List v1.0: lists shorter than 16 KiB (131,072 bits) leak who is being checked. */
export const STATUS_LIST_MIN_BITS = 131072;

const MULTIBASE_BASE64URL = 'u';

function assertIndex(index: number, size: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`status list index ${String(index)} is outside 0..${size - 1}`);
  }
}

/**
 * Encodes a status list with the given bits set: GZIP, then multibase base64url (no padding, `u`
 * prefix), as `encodedList` requires. Bit order follows the spec: index 0 is the most significant
 * (left-most) bit of the first byte.
 */
export async function encodeStatusList(
  setIndexes: Iterable<number>,
  size: number = STATUS_LIST_MIN_BITS,
): Promise<string> {
  if (!Number.isSafeInteger(size) || size < STATUS_LIST_MIN_BITS || size % 8 !== 0) {
    throw new RangeError(`status list size must be a multiple of 8 and at least ${STATUS_LIST_MIN_BITS}`);
  }
  const bits = new Bitstring({ length: size, leftToRightIndexing: true });
  for (const index of setIndexes) {
    assertIndex(index, size);
    bits.set(index, true);
  }
  return `${MULTIBASE_BASE64URL}${await bits.encodeBits()}`;
}

/** Decodes an `encodedList` back to the raw bitstring bytes. */
export async function decodeStatusList(encoded: string): Promise<Uint8Array> {
  if (typeof encoded !== 'string' || !encoded.startsWith(MULTIBASE_BASE64URL)) {
    throw new Error('encodedList must be multibase base64url (starting with "u")');
  }
  try {
    return await Bitstring.decodeBits({ encoded: encoded.slice(MULTIBASE_BASE64URL.length) });
  } catch (error) {
    throw new Error('encodedList is not GZIP-compressed base64url data', { cause: error });
  }
}

/** Whether bit `index` is set, counting from the left-most bit of the first byte. */
export function isBitSet(bits: Uint8Array, index: number): boolean {
  assertIndex(index, bits.length * 8);
  const byte = bits[Math.floor(index / 8)] ?? 0;
  return (byte & (0x80 >> (index % 8))) !== 0;
}

/**
 * Builds the unsigned BitstringStatusListCredential for one list (VC 2.0 context, which defines
 * the status list terms). The gateway signs it with issueCredential.
 */
export async function buildStatusListCredential({
  id,
  issuer,
  statusPurpose,
  setIndexes,
  validFrom,
  size = STATUS_LIST_MIN_BITS,
}: {
  id: string;
  issuer: string;
  statusPurpose: 'revocation' | 'suspension';
  setIndexes: Iterable<number>;
  validFrom: Date | string;
  size?: number;
}): Promise<Credential> {
  return {
    '@context': [VC_V2_CONTEXT],
    id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer,
    validFrom: typeof validFrom === 'string' ? validFrom : validFrom.toISOString(),
    credentialSubject: {
      id: `${id}#list`,
      type: 'BitstringStatusList',
      statusPurpose,
      encodedList: await encodeStatusList(setIndexes, size),
    },
  };
}
