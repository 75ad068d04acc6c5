import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { FabricLedger, loadConnectionProfile } from '@edu-ledger/ledger-fabric';
import type { LedgerPort } from '@edu-ledger/ledger-port';

/** Which ledger the suites run on: `LEDGER=fabric` selects the running test network. */
export const TEST_LEDGER: 'embedded' | 'fabric' = process.env['LEDGER'] === 'fabric' ? 'fabric' : 'embedded';

/**
 * A fresh, empty ledger for one suite. On Fabric that is a new chaincode definition on the test
 * network's channel (its own namespace, served by the one chaincode server), so every suite starts
 * from genesis as it does on a new embedded ledger.
 */
export async function openTestLedger(embeddedPath: string): Promise<LedgerPort> {
  if (TEST_LEDGER === 'embedded') return EmbeddedLedger.open({ path: embeddedPath });
  const network = await import('../test-network/src/network.js');
  const { statePaths } = await import('../test-network/src/topology.js');
  const chaincode = `edu-t${randomBytes(4).toString('hex')}`;
  await network.deployChaincode(chaincode);
  const profile = loadConnectionProfile(statePaths().connection);
  return FabricLedger.open({
    profile,
    mspIds: Object.values(profile.orgs).map((o) => o.mspId),
    chaincode,
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Every file in which the ledger keeps what it was sent: the embedded ledger's LevelDB, or on
 * Fabric every peer's and orderer's data folder (block files, state and history databases).
 * Personal-data tests grep these for what must never reach a ledger.
 */
export async function ledgerStoreFiles(embeddedPath: string): Promise<string[]> {
  if (TEST_LEDGER === 'embedded') return filesUnder(embeddedPath);
  const { statePaths } = await import('../test-network/src/topology.js');
  return filesUnder(statePaths().data);
}
