import { expect } from 'chai';
import { didKeyFromSeed, generateEd25519Key, publicKeyOnly } from '../src/index.js';
import { seed } from './fixtures.js';

describe('keys', () => {
  it('derives the same did:key from the same seed and a different one from another seed', async () => {
    const first = await didKeyFromSeed(seed(1));
    const again = await didKeyFromSeed(seed(1));
    const other = await didKeyFromSeed(seed(2));
    expect(again).to.deep.equal(first);
    expect(other.did).to.not.equal(first.did);
    expect(first.did).to.match(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
    expect(first.key).to.include({
      id: `${first.did}#${first.key.publicKeyMultibase}`,
      controller: first.did,
      type: 'Multikey',
    });
    expect(first.did).to.equal(`did:key:${first.key.publicKeyMultibase}`);
  });

  it('rejects seeds that are not 32 bytes', async () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(33)]) {
      let error: unknown;
      try {
        await didKeyFromSeed(bad);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(RangeError);
    }
  });

  it('generates distinct keys whose id defaults to controller#publicKeyMultibase', async () => {
    const a = await generateEd25519Key({ controller: 'did:web:school.example' });
    const b = await generateEd25519Key({
      controller: 'did:web:school.example',
      id: 'did:web:school.example#k2',
    });
    expect(a.id).to.equal(`did:web:school.example#${a.publicKeyMultibase}`);
    expect(b.id).to.equal('did:web:school.example#k2');
    expect(a.publicKeyMultibase).to.not.equal(b.publicKeyMultibase);
    expect(a.secretKeyMultibase).to.match(/^z/);
  });

  it('publicKeyOnly drops the secret and nothing else', async () => {
    const { key } = await didKeyFromSeed(seed(3));
    const pub = publicKeyOnly(key);
    expect(pub).to.not.have.property('secretKeyMultibase');
    expect(pub).to.deep.equal({
      id: key.id,
      controller: key.controller,
      type: 'Multikey',
      publicKeyMultibase: key.publicKeyMultibase,
    });
  });
});
