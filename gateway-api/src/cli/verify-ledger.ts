import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedLedger, parseSignedHead, type SignedHead } from '@edu-ledger/ledger-embedded';

/**
 * `npm run ledger:verify [-- --head FILE] [-- --save-head FILE]`: recomputes the embedded ledger's
 * hash chain, node-key signatures, world state, history and transaction index from its blocks;
 * with `--head`, also checks that a signed head kept earlier (GET /ledger/head, or `--save-head`)
 * is still part of the chain, which catches a rewrite even when every hash was recomputed and
 * re-signed. Run it while the gateway is stopped (LevelDB allows one process); with the gateway
 * running, inspectors use GET /ledger/verify and GET /ledger/head instead.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { head: { type: 'string' }, 'save-head': { type: 'string' } } });
  const dataDir = resolve(process.env['DATA_DIR'] ?? './data');
  const kept = values.head === undefined ? undefined : readHead(values.head);
  const ledger = await openForCheck(dataDir);
  const check = await ledger.verifyChain();
  const headCheck = kept === undefined ? undefined : await ledger.verifyAgainstHead(kept);
  const head = ledger.signedHead();
  await ledger.close();
  console.log(JSON.stringify(headCheck === undefined ? check : { ...check, keptHead: headCheck }, null, 2));
  const ok = check.ok && (headCheck?.ok ?? true);
  console.log(
    ok
      ? `账本完整 / Ledger intact: ${check.height} blocks, ${check.checkedTransactions} transactions, ${check.checkedKeys} keys` +
          (headCheck ? `; the kept head at height ${headCheck.headHeight} is part of the chain.` : '.')
      : `账本被篡改 / Ledger altered: ${check.problems.length + (headCheck?.problems.length ?? 0)} problem(s) found.`,
  );
  if (values['save-head'] !== undefined && ok) {
    writeFileSync(values['save-head'], `${JSON.stringify(head, null, 2)}\n`);
    console.log(`已保存签名链头 / Signed head saved to ${values['save-head']} (height ${head.height}).`);
  }
  process.exit(ok ? 0 : 1);
}

function readHead(file: string): SignedHead {
  try {
    return parseSignedHead(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    console.error(
      `无法读取签名链头 / Cannot read the signed head in ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  }
}

/** Opens without the open-time check: this command runs the full check and reports every finding. */
async function openForCheck(dataDir: string): Promise<EmbeddedLedger> {
  try {
    return await EmbeddedLedger.open({ path: join(dataDir, 'ledger'), integrityCheckBlocks: 0 });
  } catch (error) {
    const locked = error instanceof Error && /lock/i.test(`${error.message} ${String(error.cause)}`);
    console.error(
      locked
        ? '账本正被网关使用 / The ledger is in use by a running gateway: stop it, or call GET /ledger/verify.'
        : `无法打开账本 / Cannot open the ledger in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  }
}

void main();
