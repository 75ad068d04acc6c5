import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { call, freshLedger, ids, query, seedConsortium } from './support.js';

/**
 * A peer returns at most `totalQueryLimit` results from one range query, silently. The embedded
 * ledger enforces the same limit, set low here so that a list longer than it stays quick to build.
 */
const TOTAL_QUERY_LIMIT = 40;

describe('status lists longer than a peer’s totalQueryLimit', () => {
  let ledger: EmbeddedLedger;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger({ totalQueryLimit: TOTAL_QUERY_LIMIT }));
    await seedConsortium(ledger);
  });
  afterEach(() => cleanup());

  it('still shows a status set at an index beyond the limit', async () => {
    const items = Array.from({ length: TOTAL_QUERY_LIMIT + 10 }, (_, n) => ({
      credentialId: `urn:uuid:${randomUUID()}`,
      digest: (n + 1).toString(16).padStart(64, '0'),
      credentialTypes: ['VerifiableCredential', 'AchievementCredential'],
      statusListId: 'school-gen.1',
      statusIndex: n,
    }));
    await call(ledger, ids.schoolAdmin, 'credentials:AnchorCredentials', { items });
    const late = items[TOTAL_QUERY_LIMIT + 5]!;
    const early = items[3]!;
    await call(ledger, ids.schoolAdmin, 'credentials:SetCredentialStatus', {
      credentialId: late.credentialId,
      status: 'revoked',
      reasonCode: 'fraud',
    });
    await call(ledger, ids.schoolAdmin, 'credentials:SetCredentialStatus', {
      credentialId: early.credentialId,
      status: 'suspended',
      reasonCode: 'under-review',
    });
    const list = await query(ledger, ids.inspector, 'credentials:GetStatusList', {
      statusListId: 'school-gen.1',
    });
    expect(list).to.deep.include({
      revoked: [late.statusIndex],
      suspended: [early.statusIndex],
      size: items.length,
    });
  });
});
