/**
 * DER (ITU-T X.690) encoding of the few ASN.1 types an X.509 certificate is made of. node:crypto
 * signs and parses certificates but cannot write one; this writer covers exactly the shape that
 * certificate.ts builds, and the tests read its output back with node:crypto and with the parser
 * fabric-shim uses.
 */

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value element. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(items));

/** A SET with one member (DER would otherwise require its members sorted). */
export const singletonSet = (item: Uint8Array): Buffer => tlv(0x31, item);

/** A context-specific, constructed, explicitly tagged element: `[n] EXPLICIT`. */
export const explicit = (tagNumber: number, inner: Uint8Array): Buffer => tlv(0xa0 | tagNumber, inner);

/** A non-negative INTEGER from its big-endian magnitude. */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = Buffer.from(magnitude.subarray(start));
  // A set high bit would make the value negative in two's complement.
  const first = bytes[0] ?? 0;
  return tlv(0x02, first >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [arc % 128];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      groups.unshift(0x80 | (value % 128));
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printableString = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'ascii'));
export const booleanTrue = (): Buffer => tlv(0x01, Buffer.from([0xff]));
export const octetString = (content: Uint8Array): Buffer => tlv(0x04, content);

export function bitString(content: Uint8Array, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

/** RFC 5280 4.1.2.5: UTCTime for years before 2050, GeneralizedTime from 2050 on. */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(digits, 'ascii'));
}
