import { expect } from 'chai';
import type { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { call, expectRefused, freshLedger, ids, T0 } from './support.js';

/** `heartbeat:Beat`, bench:fabric's minimal transaction: one key per caller's MSP and slot, nothing read. */
describe('heartbeat contract', () => {
  let ledger: EmbeddedLedger;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger());
  });
  afterEach(() => cleanup());

  async function beats(): Promise<{ key: string; value: unknown }[]> {
    const out: { key: string; value: unknown }[] = [];
    for await (const kv of ledger.stateOfType('heartbeat'))
      out.push({ key: kv.key, value: JSON.parse(kv.value) });
    return out;
  }

  it('writes one key named by the caller MSP and the slot, with the transaction time', async () => {
    const result = await call(ledger, ids.teacher, 'heartbeat:Beat', { slot: 'c1-7' });
    expect(result).to.deep.equal({ mspId: 'SchoolGenMSP', slot: 'c1-7', at: T0.toISOString() });
    const state = await beats();
    expect(state).to.have.length(1);
    expect(state[0]?.key).to.include('SchoolGenMSP').and.include('c1-7');
    expect(state[0]?.value).to.deep.equal(result);
  });

  it('needs no registered organisation or role: any consortium member may beat', async () => {
    // Nothing is seeded: the registry is empty, and both callers still commit.
    await call(ledger, ids.bureauAdmin, 'heartbeat:Beat', { slot: '1' });
    await call(ledger, ids.teacher, 'heartbeat:Beat', { slot: '1' });
    expect((await beats()).map((b) => b.value)).to.have.deep.members([
      { mspId: 'BureauMSP', slot: '1', at: T0.toISOString() },
      { mspId: 'SchoolGenMSP', slot: '1', at: T0.toISOString() },
    ]);
  });

  it('lets concurrent beats with different slots all commit (no read, so no MVCC conflict)', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => call(ledger, ids.teacher, 'heartbeat:Beat', { slot: `s${i}` })),
    );
    expect(results.filter((r) => r.status === 'rejected')).to.deep.equal([]);
    expect(await beats()).to.have.length(20);
  });

  for (const [why, request] of [
    ['a missing slot', {}],
    ['a slot with other characters', { slot: 'name with spaces' }],
    ['a slot longer than 64 characters', { slot: 'x'.repeat(65) }],
    ['an extra field', { slot: 'a', note: 'anything' }],
  ] as const) {
    it(`refuses ${why} and writes nothing`, async () => {
      await expectRefused(ledger, 'INVALID_ARGUMENT', call(ledger, ids.teacher, 'heartbeat:Beat', request));
      expect(await beats()).to.deep.equal([]);
    });
  }
});
