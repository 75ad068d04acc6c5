import { Bitstring } from '@digitalbazaar/bitstring';
import { VC_V2_CONTEXT } from './contexts.js';
import type { Credential } from './model.js';
import { isRecord } from './util.js';

/** W3C Bitstring Status List v1.0: lists shorter than 16 KiB (131,072 bits) leak who is being checked. */
export const STATUS_LIST_MIN_BITS = 131072;

/**
 * The validate algorithm refuses a list holding fewer entries than this (bits / statusSize), so a
 * list of 2-bit entries needs at least 262,144 bits (32 KiB).
 */
export const STATUS_LIST_MIN_ENTRIES = 131072;

/**
 * One status entry per credential that still tells revocation from suspension: a Bitstring Status
 * List entry with `statusPurpose: "message"` and two bits per credential. Open Badges 3.0 allows a
 * credential a single `credentialStatus`, so the separate revocation and suspension lists no
 * credential can name both of any more.
 */
export const LEDGER_STATUS_SIZE = 2;

/** The credential statuses the ledger records, and the 2-bit value each is published as. */
export const LEDGER_STATUS_VALUES = { active: 0x0, suspended: 0x1, revoked: 0x3 } as const;
export type LedgerStatus = keyof typeof LEDGER_STATUS_VALUES;

/**
 * The `statusMessage` every entry commits to at issuance (one message per possible value, as the
 * spec requires). The specification does not say in which order an entry's two bits make a value,
 * and implementations differ (most significant bit first, as here, or least significant first).
 * The values are chosen so that both readings agree: active is 00 and revoked is 11 either way, and
 * suspended, written as 01, reads 10 the other way round, so 0x2 means "suspended" too.
 */
export const LEDGER_STATUS_MESSAGES: readonly { status: string; message: LedgerStatus }[] = [
  { status: '0x0', message: 'active' },
  { status: '0x1', message: 'suspended' },
  { status: '0x2', message: 'suspended' },
  { status: '0x3', message: 'revoked' },
];

const MULTIBASE_BASE64URL = 'u';

function assertIndex(index: number, size: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`status list index ${String(index)} is outside 0..${size - 1}`);
  }
}

function assertListBits(bits: number): void {
  if (!Number.isSafeInteger(bits) || bits < STATUS_LIST_MIN_BITS || bits % 8 !== 0) {
    throw new RangeError(`status list size must be a multiple of 8 and at least ${STATUS_LIST_MIN_BITS}`);
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
  assertListBits(size);
  const bits = new Bitstring({ length: size, leftToRightIndexing: true });
  for (const index of setIndexes) {
    assertIndex(index, size);
    bits.set(index, true);
  }
  return `${MULTIBASE_BASE64URL}${await bits.encodeBits()}`;
}

/**
 * Encodes a list of `statusSize`-bit entries: entry `i` occupies bits `i * statusSize` onwards,
 * its value written most significant bit first. `entries` is how many entries the list holds (at
 * least {@link STATUS_LIST_MIN_ENTRIES}).
 */
export async function encodeStatusEntries(
  values: Iterable<readonly [index: number, value: number]>,
  { statusSize, entries = STATUS_LIST_MIN_ENTRIES }: { statusSize: number; entries?: number },
): Promise<string> {
  if (!Number.isSafeInteger(statusSize) || statusSize < 1 || statusSize > 8) {
    throw new RangeError('statusSize must be an integer from 1 to 8');
  }
  if (!Number.isSafeInteger(entries) || entries < STATUS_LIST_MIN_ENTRIES) {
    throw new RangeError(`a status list holds at least ${STATUS_LIST_MIN_ENTRIES} entries`);
  }
  const size = entries * statusSize;
  assertListBits(size);
  const bits = new Bitstring({ length: size, leftToRightIndexing: true });
  for (const [index, value] of values) {
    assertIndex(index, entries);
    if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** statusSize) {
      throw new RangeError(`status value ${String(value)} does not fit in ${statusSize} bits`);
    }
    for (let bit = 0; bit < statusSize; bit++) {
      if ((value >> (statusSize - 1 - bit)) & 1) bits.set(index * statusSize + bit, true);
    }
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

/** The value of entry `index` in a list of `statusSize`-bit entries (most significant bit first). */
export function statusEntryValue(bits: Uint8Array, index: number, statusSize: number): number {
  assertIndex(index, Math.floor((bits.length * 8) / statusSize));
  let value = 0;
  for (let bit = 0; bit < statusSize; bit++) {
    value = (value << 1) | (isBitSet(bits, index * statusSize + bit) ? 1 : 0);
  }
  return value;
}

/**
 * The single `credentialStatus` entry of a credential whose status the ledger keeps at
 * `statusListIndex` of the list published at `statusListCredential`.
 */
export function ledgerStatusEntry({
  statusListCredential,
  statusListIndex,
}: {
  statusListCredential: string;
  statusListIndex: number;
}): Record<string, unknown> {
  return {
    // The spec wants an id that is not the list's URL; the list URL with the index is unique.
    id: `${statusListCredential}#${statusListIndex}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'message',
    statusListIndex: String(statusListIndex),
    statusSize: LEDGER_STATUS_SIZE,
    statusMessage: LEDGER_STATUS_MESSAGES.map((m) => ({ ...m })),
    statusListCredential,
  };
}

/** Common to both kinds of list credential. */
interface ListCredentialBase {
  id: string;
  issuer: string;
  validFrom: Date | string;
  /** When verifiers must stop relying on this copy of the list. */
  validUntil?: Date | string;
  /** Bitstring Status List `ttl`: milliseconds before a verifier should fetch the list again. */
  ttl?: number;
}

/** A list of one bit per credential for a single purpose (the lists issued before `message`). */
export interface BitListOptions extends ListCredentialBase {
  statusPurpose: 'revocation' | 'suspension';
  setIndexes: Iterable<number>;
  size?: number;
}

/** A `message` list of `statusSize`-bit entries. */
export interface MessageListOptions extends ListCredentialBase {
  statusPurpose: 'message';
  statusSize: number;
  values: Iterable<readonly [index: number, value: number]>;
  entries?: number;
}

const iso = (value: Date | string): string => (typeof value === 'string' ? value : value.toISOString());

/**
 * Builds the unsigned BitstringStatusListCredential for one list (VC 2.0 context, which defines
 * the status list terms, `ttl` included). The gateway signs it with issueCredential. The entry
 * size and messages are not repeated on the list: they belong to each credential's entry, which
 * commits to them at issuance (w3c/vc-bitstring-status-list#175), and the VC 2.0 context defines
 * no such terms for the list.
 */
export async function buildStatusListCredential(
  options: BitListOptions | MessageListOptions,
): Promise<Credential> {
  const encodedList =
    options.statusPurpose === 'message'
      ? await encodeStatusEntries(options.values, {
          statusSize: options.statusSize,
          ...(options.entries === undefined ? {} : { entries: options.entries }),
        })
      : await encodeStatusList(options.setIndexes, options.size);
  if (options.ttl !== undefined && (!Number.isSafeInteger(options.ttl) || options.ttl <= 0)) {
    throw new RangeError('ttl must be a positive whole number of milliseconds');
  }
  return {
    '@context': [VC_V2_CONTEXT],
    id: options.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: options.issuer,
    validFrom: iso(options.validFrom),
    ...(options.validUntil === undefined ? {} : { validUntil: iso(options.validUntil) }),
    credentialSubject: {
      id: `${options.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: options.statusPurpose,
      encodedList,
      ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    },
  };
}

/** What a status list says about one credential, as the spec's validate algorithm returns it. */
export interface ListedStatus {
  /** The entry's value (0 means valid). */
  status: number;
  purpose: string;
  valid: boolean;
  /** For `message` entries: the entry's message for that value. */
  message?: string;
}

/**
 * Reads one credential's status from a status list credential the caller has already fetched and
 * verified, following the Bitstring Status List validate algorithm: the purposes must match, the
 * list must hold at least 131,072 entries, and the index must be inside it. Works for our `message`
 * entries and for one-bit revocation or suspension entries alike.
 *
 * @throws Error naming the problem when the entry or the list is malformed or they do not match.
 */
export async function readListedStatus(entry: unknown, listCredential: unknown): Promise<ListedStatus> {
  if (!isRecord(entry) || entry.type !== 'BitstringStatusListEntry') {
    throw new Error('credentialStatus is not a BitstringStatusListEntry');
  }
  const purpose = entry.statusPurpose;
  const index = typeof entry.statusListIndex === 'string' ? Number(entry.statusListIndex) : NaN;
  const statusSize = entry.statusSize ?? 1;
  if (typeof purpose !== 'string') throw new Error('statusPurpose must be a string');
  if (!/^\d+$/.test(String(entry.statusListIndex)) || !Number.isSafeInteger(index)) {
    throw new Error('statusListIndex must be a base-10 integer string');
  }
  if (
    typeof statusSize !== 'number' ||
    !Number.isSafeInteger(statusSize) ||
    statusSize < 1 ||
    statusSize > 8
  ) {
    throw new Error('statusSize must be an integer from 1 to 8');
  }
  const messages = entry.statusMessage;
  if (statusSize > 1 && (!Array.isArray(messages) || messages.length !== 2 ** statusSize)) {
    throw new Error(`an entry of ${statusSize} bits needs ${2 ** statusSize} statusMessage values`);
  }
  const subject = isRecord(listCredential) ? listCredential.credentialSubject : undefined;
  if (
    !isRecord(subject) ||
    subject.type !== 'BitstringStatusList' ||
    typeof subject.encodedList !== 'string'
  ) {
    throw new Error('not a BitstringStatusListCredential');
  }
  const listPurposes = Array.isArray(subject.statusPurpose) ? subject.statusPurpose : [subject.statusPurpose];
  if (!listPurposes.includes(purpose)) {
    throw new Error(`the list's statusPurpose does not include the entry's "${purpose}"`);
  }
  const bits = await decodeStatusList(subject.encodedList);
  if ((bits.length * 8) / statusSize < STATUS_LIST_MIN_ENTRIES) {
    throw new Error(`the list holds fewer than ${STATUS_LIST_MIN_ENTRIES} entries`);
  }
  const status = statusEntryValue(bits, index, statusSize);
  const result: ListedStatus = { status, purpose, valid: status === 0 };
  if (Array.isArray(messages)) {
    const found: unknown = messages.find((m) => isRecord(m) && Number(m.status) === status);
    if (isRecord(found) && typeof found.message === 'string') result.message = found.message;
  }
  return result;
}
