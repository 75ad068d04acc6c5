import { join, resolve } from 'node:path';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';

/**
 * `npm run ledger:verify`: recomputes the embedded ledger's hash chain, world state, history and
 * transaction index from its blocks. Run it while the gateway is stopped (LevelDB allows one
 * process); with the gateway running, inspectors use GET /ledger/verify instead.
 */
async function main(): Promise<void> {
  const dataDir = resolve(process.env['DATA_DIR'] ?? './data');
  let ledger: EmbeddedLedger;
  try {
    ledger = await EmbeddedLedger.open({ path: join(dataDir, 'ledger') });
  } catch (error) {
    const locked = error instanceof Error && /lock/i.test(`${error.message} ${String(error.cause)}`);
    console.error(
      locked
        ? '账本正被网关使用 / The ledger is in use by a running gateway: stop it, or call GET /ledger/verify.'
        : `无法打开账本 / Cannot open the ledger in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  }
  const check = await ledger.verifyChain();
  await ledger.close();
  console.log(JSON.stringify(check, null, 2));
  console.log(
    check.ok
      ? `账本完整 / Ledger intact: ${check.height} blocks, ${check.checkedTransactions} transactions, ${check.checkedKeys} keys.`
      : `账本被篡改 / Ledger altered: ${check.problems.length} problem(s) found.`,
  );
  process.exit(check.ok ? 0 : 1);
}

void main();
