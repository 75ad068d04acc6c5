import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  buildStatusListCredential,
  createDocumentLoader,
  decodeStatusList,
  didKeyFromSeed,
  encodeStatusList,
  isBitSet,
  issueCredential,
  STATUS_LIST_MIN_BITS,
  VC_V2_CONTEXT,
  verifyCredentialProof,
} from '../src/index.js';
import { seed } from './fixtures.js';

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
