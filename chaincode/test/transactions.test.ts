import { expect } from 'chai';
import { TRANSACTIONS } from '@edu-ledger/domain';
import { contracts, declaredTransactions } from '../src/index.js';

describe('the transaction catalogue (lib/domain TRANSACTIONS)', () => {
  const declared = contracts.flatMap((Contract) => {
    const contract = new Contract();
    return declaredTransactions(contract).map((tx) => ({
      name: `${contract.getName()}:${tx.name}`,
      submit: tx.submit,
    }));
  });

  it('lists exactly the transactions the contracts declare', () => {
    expect(Object.keys(TRANSACTIONS).sort()).to.deep.equal(declared.map((tx) => tx.name).sort());
  });

  it('marks each as submitted or evaluated as its @Transaction does', () => {
    for (const tx of declared) {
      const entry = TRANSACTIONS[tx.name as keyof typeof TRANSACTIONS];
      expect(entry.submit, tx.name).to.equal(tx.submit);
    }
  });
});
