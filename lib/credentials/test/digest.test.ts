import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  canonicalJson,
  createDocumentLoader,
  credentialDigest,
  didKeyFromSeed,
  issueCredential,
} from '../src/index.js';
import type { VerifiableCredential } from '../src/index.js';
import { achievementCredential, seed } from './fixtures.js';

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x', { z: 1, y: { d: 2, c: 3 } }], c: '中' })).to.equal(
      '{"a":[true,null,"x",{"y":{"c":3,"d":2},"z":1}],"b":1,"c":"中"}',
    );
  });

  it('orders keys by UTF-16 code units and writes numbers the ECMAScript way (as JCS does)', () => {
    // U+10000 is a surrogate pair (0xD800...), so it sorts before U+FFFD in UTF-16 order.
    expect(canonicalJson({ '\ufffd': 1, '\u{10000}': 2, a: 3, B: 4 })).to.equal('{"B":4,"a":3,"𐀀":2,"�":1}');
    expect(canonicalJson([1e21, 0.1, -0, 5e-7, 100])).to.equal('[1e+21,0.1,0,5e-7,100]');
  });

  it('agrees with a JSON round trip for undefined members and array holes', () => {
    const value = { a: undefined, b: [undefined, 1] };
    expect(canonicalJson(value)).to.equal(canonicalJson(JSON.parse(JSON.stringify(value))));
    expect(canonicalJson(value)).to.equal('{"b":[null,1]}');
  });

  it('rejects what JSON cannot carry faithfully', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [NaN, Infinity, { n: -Infinity }, 1n, () => 1, new Date(0), cyclic]) {
      expect(() => canonicalJson(bad)).to.throw(TypeError);
    }
  });
});

describe('credentialDigest', () => {
  let signed: VerifiableCredential;

  before(async () => {
    const { did, key } = await didKeyFromSeed(seed(31));
    signed = await issueCredential({
      credential: achievementCredential({ issuer: did, subjectId: 'did:example:student-1' }),
      key,
      documentLoader: createDocumentLoader({}),
    });
  });

  it('is the hex SHA-256 of the canonical JSON, proof included', () => {
    const expected = createHash('sha256').update(canonicalJson(signed), 'utf8').digest('hex');
    expect(credentialDigest(signed))
      .to.equal(expected)
      .and.to.match(/^[0-9a-f]{64}$/);
    const withoutProof: Record<string, unknown> = structuredClone(signed);
    delete withoutProof.proof;
    expect(credentialDigest(withoutProof)).to.not.equal(expected);
  });

  it('is the same for one proof written alone or as a one-item array, and differs for two proofs', () => {
    const asArray = { ...signed, proof: [signed.proof] };
    expect(credentialDigest(asArray)).to.equal(credentialDigest(signed));
    const twoProofs = { ...signed, proof: [signed.proof, { ...signed.proof, proofValue: 'z2' }] };
    expect(credentialDigest(twoProofs)).to.not.equal(credentialDigest(signed));
  });

  it('does not depend on key order', () => {
    const reordered = reversedKeys(signed);
    expect(JSON.stringify(reordered)).to.not.equal(JSON.stringify(signed));
    expect(credentialDigest(reordered as object)).to.equal(credentialDigest(signed));
  });

  it('changes when one character of the subject or the proof changes', () => {
    const digest = credentialDigest(signed);
    const subjectChanged = structuredClone(signed);
    if (Array.isArray(subjectChanged.credentialSubject)) throw new Error('fixture has a single subject');
    subjectChanged.credentialSubject.creditUnit = '学时';
    const proofChanged = structuredClone(signed);
    proofChanged.proof.created = proofChanged.proof.created.replace(/.$/, 'z');
    expect(credentialDigest(subjectChanged)).to.not.equal(digest);
    expect(credentialDigest(proofChanged)).to.not.equal(digest);
  });
});
