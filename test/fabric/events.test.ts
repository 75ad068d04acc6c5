import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { LedgerEvent } from '@edu-ledger/ledger-port';
import { FabricLedger, loadConnectionProfile } from '@edu-ledger/ledger-fabric';
import { deployChaincode } from '../../test-network/src/network.js';
import { statePaths } from '../../test-network/src/topology.js';

/**
 * A gateway that stops and starts again must neither miss the chaincode events committed while it
 * was away nor deliver again the ones it had already handled: it follows events from a checkpoint.
 */
describe('Fabric: chaincode events resume from their checkpoint', function () {
  this.timeout(120_000);
  let dir: string;
  let chaincode: string;
  const profile = () => loadConnectionProfile(statePaths().connection);
  const open = (checkpoint?: string) =>
    FabricLedger.open({
      profile: profile(),
      mspIds: ['BureauMSP'],
      chaincode,
      ...(checkpoint ? { eventCheckpointFile: checkpoint } : {}),
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edu-events-'));
    chaincode = `edu-ev${randomBytes(3).toString('hex')}`;
    await deployChaincode(chaincode);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const org = (orgId: string) =>
    JSON.stringify({
      orgId,
      kind: 'bureau',
      mspId: 'BureauMSP',
      name: { zh: '教育局', en: 'Bureau' },
      did: `did:web:edu.example.cn:orgs:${orgId}`,
    });

  async function waitFor(events: LedgerEvent[], txId: string): Promise<void> {
    for (let i = 0; i < 100 && !events.some((e) => e.txId === txId); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('delivers after a restart exactly the events committed since the last one delivered', async () => {
    const checkpoint = join(dir, 'events.checkpoint');
    const first = await open(checkpoint);
    const seenFirst: LedgerEvent[] = [];
    first.onEvent((e) => seenFirst.push(e));
    const admin = await first.identity('BureauMSP', 'admin@bureau', 'admin');
    const genesis = await first.submit(admin, 'registry:RegisterOrganization', [org('bureau')]);
    expect(seenFirst.map((e) => e.txId)).to.include(genesis.txId);
    await first.close();

    // While that gateway is down, another client commits a transaction with an event.
    const other = await open();
    const otherAdmin = await other.identity('BureauMSP', 'admin@bureau', 'admin');
    const missed = await other.submit(otherAdmin, 'registry:Accredit', [
      JSON.stringify({
        accreditationId: 'while-away',
        orgId: 'bureau',
        credentialTypes: ['OpenBadgeCredential'],
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2030-01-01T00:00:00.000Z',
      }),
    ]);
    await other.close();

    const again = await open(checkpoint);
    const seenAgain: LedgerEvent[] = [];
    again.onEvent((e) => seenAgain.push(e));
    await waitFor(seenAgain, missed.txId);
    await again.close();
    expect(seenAgain.map((e) => e.txId)).to.deep.equal([missed.txId]);
    expect(seenAgain[0]).to.deep.include({ name: 'AccreditationGranted', blockNumber: missed.blockNumber });
  });
});
