import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config.js';
import { isLocked } from '../../ledger.js';
import { MasterKeyError, locateMasterKey, readMasterKeyFile } from '../../master-key.js';
import { GatewayDb } from '../../stores/gateway-db.js';
import { rotateMasterKey, type RotationHooks } from '../../stores/key-custody.js';
import { AdminError, EXIT } from './exit-codes.js';

/**
 * `edu-admin rotate-master-key --new-key-file FILE`: re-wraps every person's data key (and the
 * store key) from the configured master key to the one in FILE. The gateway must be stopped; the
 * data folder and the old key come from the same variables the gateway reads.
 */
export const registerMasterKeyCommands = (program: Command): void => {
  program
    .command('rotate-master-key')
    .description('轮换主密钥（网关须先停止）/ Rotate the master key (stop the gateway first)')
    .requiredOption(
      '--new-key-file <file>',
      '新主密钥文件（base64，32 字节）/ file with the new key (base64, 32 bytes)',
    )
    .action(async (options: { newKeyFile: string }) => {
      const json = program.opts<{ json?: boolean }>().json === true;
      const result = await rotate(options.newKeyFile).catch((error: unknown) => {
        throw error instanceof MasterKeyError ? new AdminError(EXIT.MASTER_KEY, error.message) : error;
      });
      if (json) console.log(JSON.stringify(result));
      else {
        console.log(
          result.alreadyDone
            ? `主密钥已是新密钥（${result.keyId}），已完成剩余步骤 / The vault was already sealed with the new key (${result.keyId}); finished the remaining steps`
            : `已重新封装 ${result.subjects} 个数据密钥，主密钥现为 ${result.keyId} / Re-wrapped ${result.subjects} data keys; the master key is now ${result.keyId}`,
        );
        console.log(
          `请将 EDU_MASTER_KEY_FILE 指向 ${resolve(options.newKeyFile)} 后再启动网关 / Point EDU_MASTER_KEY_FILE at ${resolve(options.newKeyFile)} before starting the gateway`,
        );
      }
    });
};

async function rotate(
  newKeyFile: string,
): Promise<{ subjects: number; keyId: string; alreadyDone: boolean }> {
  process.umask(0o077);
  const { dataDir, oldKey } = configured();
  const newKey = readMasterKeyFile(newKeyFile);
  if (newKey.equals(oldKey)) {
    throw new AdminError(EXIT.USAGE, '新密钥与当前密钥相同 / the new key is the same as the current one');
  }
  const storePath = join(dataDir, 'gateway');
  if (!existsSync(storePath)) {
    throw new AdminError(EXIT.DATA_DIR, `${storePath} 不存在 / ${storePath} does not exist`);
  }
  const db = await GatewayDb.open(storePath).catch((error: unknown) => {
    throw isLocked(error)
      ? new AdminError(
          EXIT.DATA_DIR,
          '数据目录正被运行中的网关使用，请先停止网关 / the data folder is in use by a running gateway: stop it first',
        )
      : error;
  });
  try {
    return await rotateMasterKey(db, oldKey, newKey, testHooks());
  } finally {
    await db.close();
  }
}

/** DATA_DIR and the current key, as the gateway would find them. */
function configured(): { dataDir: string; oldKey: Buffer } {
  try {
    const config = loadConfig();
    const dataDir = resolve(config.DATA_DIR);
    const { key } = locateMasterKey(config, dataDir);
    if (key === undefined) {
      throw new AdminError(
        EXIT.MASTER_KEY,
        '未配置当前主密钥 / no current master key is configured (EDU_MASTER_KEY_FILE)',
      );
    }
    return { dataDir, oldKey: key };
  } catch (error) {
    if (error instanceof ConfigError) throw new AdminError(EXIT.USAGE, `配置无效 / ${error.message}`);
    throw error;
  }
}

/**
 * Crash tests only: EDU_TEST_ROTATE_PAUSE=rewrap:N or apply:N stops the rotation for good after N
 * data keys of that step, in batches of N, and says so on stderr, so the test can kill it there.
 */
function testHooks(): RotationHooks {
  const match = /^(rewrap|apply):(\d+)$/.exec(process.env['EDU_TEST_ROTATE_PAUSE'] ?? '');
  if (!match) return {};
  const [, step, count] = match;
  const pause = async (done: number): Promise<void> => {
    if (done < Number(count)) return;
    console.error(`rotation paused after ${done} (${step})`);
    await new Promise<never>(() => setInterval(() => undefined, 60_000));
  };
  return {
    batchSize: Number(count),
    ...(step === 'rewrap' ? { afterRewrapBatch: pause } : { afterApplyBatch: pause }),
  };
}
