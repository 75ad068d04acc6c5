import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { rootFromProof, type AnchorItem } from '@edu-ledger/domain';
import { x509Identity, type LedgerPort, type SubmitResult } from '@edu-ledger/ledger-embedded';
import { ChaincodeClient } from '../src/services/chaincode.js';
import { Anchorer } from '../src/services/anchorer.js';

/**
 * The ledger is outside the unit under test here: this stand-in records each anchor transaction
 * and lets the test decide when (and whether) it commits.
 */
class HeldLedger {
  readonly submitted: { items: AnchorItem[]; commit: () => void; refuse: (e: Error) => void }[] = [];

  submit(_identity: unknown, _fn: string, args: readonly string[]): Promise<SubmitResult> {
    const { items } = JSON.parse(args[0] ?? '{}') as { items: AnchorItem[] };
    return new Promise((resolve, reject) => {
      const n = this.submitted.length;
      this.submitted.push({
        items,
        commit: () => resolve({ txId: `tx${n}`, blockNumber: n + 1, result: '{}' }),
        refuse: reject,
      });
    });
  }
}

/** Lets pending promise callbacks and a few turns of the event loop run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function item(n: number): AnchorItem {
  return {
    credentialId: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    digest: createHash('sha256').update(`credential ${n}`).digest('hex'),
    credentialTypes: ['VerifiableCredential', 'OpenBadgeCredential'],
    statusListId: 'school-gen.1',
    statusIndex: n,
  };
}

describe('anchorer (group commit of credential digests)', () => {
  const school = x509Identity('SchoolGenMSP', 'school-admin');

  it('sends a lone digest at once, and what arrives meanwhile as one batch when it commits', async () => {
    const ledger = new HeldLedger();
    const anchorer = new Anchorer(new ChaincodeClient(ledger as unknown as LedgerPort), {
      maxBatch: 100,
      maxInFlight: 1,
    });

    const first = anchorer.anchor(school, item(1));
    await settle();
    expect(ledger.submitted.map((s) => s.items.length)).to.deep.equal([1]);

    const later = [2, 3, 4].map((n) => anchorer.anchor(school, item(n)));
    await settle();
    expect(ledger.submitted, 'nothing more is sent while one is on its way').to.have.length(1);

    ledger.submitted[0]?.commit();
    expect((await first).txId).to.equal('tx0');
    await settle();
    expect(ledger.submitted.map((s) => s.items.map((i) => i.statusIndex))).to.deep.equal([[1], [2, 3, 4]]);

    ledger.submitted[1]?.commit();
    const receipts = await Promise.all(later);
    // Each caller gets its own inclusion proof under the batch's root.
    receipts.forEach((receipt, i) => {
      expect(receipt.txId).to.equal('tx1');
      expect(rootFromProof(item(i + 2).digest, receipt.proof)).to.equal(receipt.batchRoot);
    });
    expect(new Set(receipts.map((r) => r.batchRoot)).size).to.equal(1);
  });

  it('retries a refused batch one by one, so only the bad credential fails', async () => {
    const ledger = new HeldLedger();
    const anchorer = new Anchorer(new ChaincodeClient(ledger as unknown as LedgerPort), {
      maxBatch: 100,
      maxInFlight: 1,
    });
    const blocker = anchorer.anchor(school, item(10));
    await settle();
    const batch = [11, 12, 13].map((n) =>
      anchorer.anchor(school, item(n)).then(
        (r) => r.txId,
        (e: unknown) => `refused: ${(e as Error).message}`,
      ),
    );
    ledger.submitted[0]?.commit();
    await blocker;
    await settle();
    ledger.submitted[1]?.refuse(new Error('ALREADY_EXISTS: credential 12 already anchored'));
    await settle();
    const singles = ledger.submitted.slice(2);
    expect(singles.map((s) => s.items.map((i) => i.statusIndex))).to.deep.equal([[11], [12], [13]]);
    singles[0]?.commit();
    singles[1]?.refuse(new Error('ALREADY_EXISTS: credential 12 already anchored'));
    singles[2]?.commit();
    expect(await Promise.all(batch)).to.deep.equal([
      'tx2',
      'refused: ALREADY_EXISTS: credential 12 already anchored',
      'tx4',
    ]);
  });
});
