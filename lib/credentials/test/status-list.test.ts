import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  buildStatusListCredential,
  createDocumentLoader,
  decodeStatusList,
  didKeyFromSeed,
  encodeStatusEntries,
  encodeStatusList,
  isBitSet,
  issueCredential,
  LEDGER_STATUS_MESSAGES,
  LEDGER_STATUS_SIZE,
  LEDGER_STATUS_VALUES,
  ledgerStatusEntry,
  readListedStatus,
  STATUS_LIST_MIN_BITS,
  STATUS_LIST_MIN_ENTRIES,
  statusEntryValue,
  VC_V2_CONTEXT,
  verifyCredentialProof,
} from '../src/index.js';
import { achievementCredential, seed, statusEntry } from './fixtures.js';

describe('Bitstring Status List', () => {
  it('round-trips set indexes through encode and decode', async () => {
    const set = [0, 7, 8, 94567, STATUS_LIST_MIN_BITS - 1];
    const bits = await decodeStatusList(await encodeStatusList(set));
    expect(bits.length).to.equal(STATUS_LIST_MIN_BITS / 8);
    for (const index of [
      0,
      1,
      6,
      7,
      8,
      9,
      94566,
      94567,
      94568,
      STATUS_LIST_MIN_BITS - 2,
      STATUS_LIST_MIN_BITS - 1,
    ]) {
      expect(isBitSet(bits, index), `bit ${index}`).to.equal(set.includes(index));
    }
  });

  it('uses the spec bit order: index 0 is the left-most bit of the first byte', async () => {
    const bits = await decodeStatusList(await encodeStatusList([0]));
    expect(bits[0]).to.equal(0x80);
    expect(bits.slice(1).every((byte) => byte === 0)).to.equal(true);
    const seventh = await decodeStatusList(await encodeStatusList([7, 9]));
    expect([seventh[0], seventh[1]]).to.deep.equal([0x01, 0x40]);
  });

  it('encodes as multibase base64url (u prefix, no padding) over GZIP', async () => {
    const encoded = await encodeStatusList([3]);
    expect(encoded).to.match(/^u[A-Za-z0-9_-]+$/);
    const raw = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
    expect(raw.length).to.equal(STATUS_LIST_MIN_BITS / 8);
    expect(raw[0]).to.equal(0x10);
  });

  it('refuses out-of-range indexes, lists below the 16 KiB minimum, and non-multibase input', async () => {
    for (const bad of [[-1], [STATUS_LIST_MIN_BITS], [1.5]]) {
      let error: unknown;
      try {
        await encodeStatusList(bad);
      } catch (e) {
        error = e;
      }
      expect(error, String(bad)).to.be.instanceOf(RangeError);
    }
    let sizeError: unknown;
    try {
      await encodeStatusList([], 1024);
    } catch (e) {
      sizeError = e;
    }
    expect(sizeError).to.be.instanceOf(RangeError);
    let decodeError: unknown;
    try {
      await decodeStatusList('H4sIAAAAAAAAA');
    } catch (e) {
      decodeError = e;
    }
    expect(decodeError)
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.matches(/multibase/);
    expect(() => isBitSet(new Uint8Array(2), 16)).to.throw(RangeError);
  });

  it('builds a BitstringStatusListCredential that the issuer can sign and anyone can verify', async () => {
    const { did, key } = await didKeyFromSeed(seed(41));
    const unsigned = await buildStatusListCredential({
      id: 'https://ledger.example/status/school-gen.1',
      issuer: did,
      statusPurpose: 'suspension',
      setIndexes: [42],
      validFrom: new Date('2025-02-01T00:00:00Z'),
    });
    expect(unsigned).to.deep.include({
      '@context': [VC_V2_CONTEXT],
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: did,
      validFrom: '2025-02-01T00:00:00.000Z',
    });
    expect(unsigned.credentialSubject).to.include({
      id: 'https://ledger.example/status/school-gen.1#list',
      type: 'BitstringStatusList',
      statusPurpose: 'suspension',
    });
    const subject = unsigned.credentialSubject;
    if (Array.isArray(subject) || typeof subject.encodedList !== 'string') throw new Error('no encodedList');
    expect(isBitSet(await decodeStatusList(subject.encodedList), 42)).to.equal(true);

    const documentLoader = createDocumentLoader({});
    const signed = await issueCredential({ credential: unsigned, key, documentLoader });
    expect((await verifyCredentialProof({ credential: signed, documentLoader })).verified).to.equal(true);
  });
});

describe('one status entry for revocation and suspension (statusPurpose "message", 2 bits)', () => {
  const LIST = 'https://ledger.example/status-lists/school-gen.1';

  it('writes each credential two bits wide, most significant bit first, in a list of 131,072 entries', async () => {
    const encoded = await encodeStatusEntries(
      [
        [0, LEDGER_STATUS_VALUES.suspended],
        [1, LEDGER_STATUS_VALUES.revoked],
        [STATUS_LIST_MIN_ENTRIES - 1, LEDGER_STATUS_VALUES.revoked],
      ],
      { statusSize: LEDGER_STATUS_SIZE },
    );
    const bits = await decodeStatusList(encoded);
    // 2 bits × 131,072 entries: the spec's minimum number of entries, so 32 KiB.
    expect(bits.length).to.equal((STATUS_LIST_MIN_ENTRIES * 2) / 8);
    // Entry 0 = 01 (suspended), entry 1 = 11 (revoked): 0b0111_0000.
    expect(bits[0]).to.equal(0x70);
    expect(statusEntryValue(bits, 0, 2)).to.equal(1);
    expect(statusEntryValue(bits, 1, 2)).to.equal(3);
    expect(statusEntryValue(bits, 2, 2)).to.equal(0);
    expect(statusEntryValue(bits, STATUS_LIST_MIN_ENTRIES - 1, 2)).to.equal(3);
    expect(() => statusEntryValue(bits, STATUS_LIST_MIN_ENTRIES, 2)).to.throw(RangeError);
  });

  it('refuses values that do not fit, indexes outside the list, and lists of too few entries', async () => {
    for (const [values, options] of [
      [[[0, 4]], { statusSize: 2 }],
      [[[STATUS_LIST_MIN_ENTRIES, 1]], { statusSize: 2 }],
      [[], { statusSize: 2, entries: STATUS_LIST_MIN_ENTRIES / 2 }],
    ] as const) {
      let error: unknown;
      try {
        await encodeStatusEntries(values, options);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(values)).to.be.instanceOf(RangeError);
    }
  });

  it('gives every credential one entry that commits to four status messages', () => {
    const entry = ledgerStatusEntry({ statusListCredential: LIST, statusListIndex: 94567 });
    expect(entry).to.deep.equal({
      id: `${LIST}#94567`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'message',
      statusListIndex: '94567',
      statusSize: 2,
      statusMessage: [
        { status: '0x0', message: 'active' },
        { status: '0x1', message: 'suspended' },
        { status: '0x2', message: 'suspended' },
        { status: '0x3', message: 'revoked' },
      ],
      statusListCredential: LIST,
    });
    // The spec: as many messages as values the entry's bits can hold.
    expect(LEDGER_STATUS_MESSAGES).to.have.length(2 ** LEDGER_STATUS_SIZE);
  });

  it('signs a credential carrying the entry and a message list with validUntil and ttl (terms of the VC 2.0 context)', async () => {
    const { did, key } = await didKeyFromSeed(seed(42));
    const documentLoader = createDocumentLoader({});
    const credential = achievementCredential({
      issuer: did,
      subjectId: did,
      credentialStatus: ledgerStatusEntry({ statusListCredential: LIST, statusListIndex: 7 }),
    });
    const signed = await issueCredential({ credential, key, documentLoader });
    expect((await verifyCredentialProof({ credential: signed, documentLoader })).verified).to.equal(true);

    const unsigned = await buildStatusListCredential({
      id: LIST,
      issuer: did,
      statusPurpose: 'message',
      statusSize: LEDGER_STATUS_SIZE,
      values: [[7, LEDGER_STATUS_VALUES.revoked]],
      validFrom: new Date('2025-02-01T00:00:00Z'),
      validUntil: new Date('2025-02-02T00:00:00Z'),
      ttl: 300_000,
    });
    expect(unsigned).to.deep.include({
      validFrom: '2025-02-01T00:00:00.000Z',
      validUntil: '2025-02-02T00:00:00.000Z',
    });
    expect(unsigned.credentialSubject).to.include({ statusPurpose: 'message', ttl: 300_000 });
    const list = await issueCredential({ credential: unsigned, key, documentLoader });
    expect((await verifyCredentialProof({ credential: list, documentLoader })).verified).to.equal(true);
    expect(await readListedStatus(signed.credentialStatus, list)).to.deep.equal({
      status: 3,
      purpose: 'message',
      valid: false,
      message: 'revoked',
    });
  });

  it('reads active, suspended and revoked back, and refuses a list of another purpose', async () => {
    const list = await buildStatusListCredential({
      id: LIST,
      issuer: 'did:example:issuer',
      statusPurpose: 'message',
      statusSize: 2,
      values: [
        [1, LEDGER_STATUS_VALUES.suspended],
        [2, LEDGER_STATUS_VALUES.revoked],
      ],
      validFrom: '2025-02-01T00:00:00Z',
    });
    const at = (i: number): Record<string, unknown> =>
      ledgerStatusEntry({ statusListCredential: LIST, statusListIndex: i });
    expect((await readListedStatus(at(0), list)).message).to.equal('active');
    expect(await readListedStatus(at(0), list)).to.include({ valid: true, status: 0 });
    expect(await readListedStatus(at(1), list)).to.include({ valid: false, message: 'suspended' });
    expect(await readListedStatus(at(2), list)).to.include({ valid: false, message: 'revoked' });

    const revocationList = await buildStatusListCredential({
      id: `${LIST}-revocation`,
      issuer: 'did:example:issuer',
      statusPurpose: 'revocation',
      setIndexes: [2],
      validFrom: '2025-02-01T00:00:00Z',
    });
    let error: unknown;
    try {
      await readListedStatus(at(2), revocationList);
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/statusPurpose/);
    // The one-bit entries of credentials issued before still read as they did.
    expect(await readListedStatus(statusEntry(`${LIST}-revocation`, 2), revocationList)).to.deep.equal({
      status: 1,
      purpose: 'revocation',
      valid: false,
    });
  });

  it('means the same when an entry’s two bits are read in the other order', async () => {
    // Implementations disagree on whether an entry's first bit is its most or least significant.
    // Read the other way round, every value written still maps to the same message.
    const swap = (v: number): number => ((v & 1) << 1) | (v >> 1);
    const message = (v: number): string | undefined =>
      LEDGER_STATUS_MESSAGES.find((m) => Number(m.status) === v)?.message;
    for (const [status, value] of Object.entries(LEDGER_STATUS_VALUES)) {
      expect(message(value), status).to.equal(status);
      expect(message(swap(value)), `${status} read the other way`).to.equal(status);
    }
  });
});
