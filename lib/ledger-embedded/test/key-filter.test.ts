import { expect } from 'chai';
import { KeyFilter } from '../src/embedded/key-filter.js';

describe('state key filter (Bloom)', () => {
  it('never calls an added key absent, and calls few absent keys present', () => {
    const filter = new KeyFilter(20_000);
    const added = Array.from(
      { length: 20_000 },
      (_, i) => `\u0000anchor\u0000urn:uuid:${i}-${(i * 7919) % 10007}\u0000`,
    );
    for (const key of added) filter.add(key);
    expect(added.every((key) => filter.mightContain(key))).to.equal(true);
    const absent = Array.from({ length: 20_000 }, (_, i) => `\u0000status\u0000list-${i}\u0000${i}\u0000`);
    const falsePositives = absent.filter((key) => filter.mightContain(key)).length;
    expect(falsePositives / absent.length).to.be.below(0.03);
  });

  it('is used only after a fill from disk has finished, and not after it was stopped', async () => {
    async function* keys(): AsyncGenerator<string> {
      yield 'a';
      yield 'b';
    }
    const filter = new KeyFilter(100);
    expect(filter.isReady).to.equal(false);
    await filter.fill(keys());
    expect(filter.isReady).to.equal(true);
    expect([filter.mightContain('a'), filter.mightContain('b')]).to.deep.equal([true, true]);
    filter.stop();
    expect(filter.isReady).to.equal(false);
  });
});
