import { join } from 'node:path';
import type { ClientIdentity } from '@edu-ledger/domain';
import { EmbeddedLedger, LedgerIntegrityError } from '@edu-ledger/ledger-embedded';
import { FabricLedger, loadConnectionProfile } from '@edu-ledger/ledger-fabric';
import type { LedgerPort } from '@edu-ledger/ledger-port';
import { ConfigError, type Config } from './config.js';

export interface OpenedLedger {
  ledger: LedgerPort;
  /** The identity that runs the gateway's read-only queries. */
  readerIdentity: ClientIdentity;
}

/**
 * Opens the ledger the configuration names: the embedded ledger in DATA_DIR/ledger, or a Fabric
 * network through the connection profile, acting only for the configured organisations.
 */
export async function openLedger(config: Config, dataDir: string): Promise<OpenedLedger> {
  if (config.LEDGER === 'embedded') {
    const ledger = await openEmbedded(join(dataDir, 'ledger'));
    return { ledger, readerIdentity: await ledger.identity('BureauMSP', 'gateway-reader', 'client') };
  }
  if (config.FABRIC_CONNECTION === undefined) throw new ConfigError('FABRIC_CONNECTION is required');
  let profile;
  try {
    profile = loadConnectionProfile(config.FABRIC_CONNECTION);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const mspIds = config.FABRIC_MSP_IDS ?? Object.values(profile.orgs).map((o) => o.mspId);
  const unknown = mspIds.filter((m) => !Object.values(profile.orgs).some((o) => o.mspId === m));
  if (unknown.length > 0) {
    throw new ConfigError(`FABRIC_MSP_IDS: not in the connection profile: ${unknown.join(', ')}`);
  }
  const ledger = await FabricLedger.open({
    profile,
    mspIds,
    ...(config.FABRIC_CHAINCODE ? { chaincode: config.FABRIC_CHAINCODE } : {}),
    eventCheckpointFile: join(dataDir, 'fabric-events.checkpoint'),
  });
  const readerMsp = mspIds[0] ?? 'BureauMSP';
  return { ledger, readerIdentity: await ledger.identity(readerMsp, 'gateway-reader', 'client') };
}

/**
 * Opens the embedded ledger; a ledger that fails its open-time integrity check is refused as a
 * configuration error, so the process prints why and exits instead of serving altered records.
 */
async function openEmbedded(path: string): Promise<EmbeddedLedger> {
  try {
    return await EmbeddedLedger.open({ path });
  } catch (error) {
    if (isLocked(error)) throw inUse(path);
    if (!(error instanceof LedgerIntegrityError)) throw error;
    throw new ConfigError(
      `账本完整性检查失败，网关拒绝启动 / The ledger failed its integrity check; the gateway will not serve it.\n` +
        error.problems.map((p) => `  - ${p}`).join('\n') +
        `\n请从备份恢复账本，或运行 npm run ledger:verify 查看完整报告 / Restore ${path} from a backup, ` +
        'or run `npm run ledger:verify` for the full report.',
    );
  }
}

/** LevelDB refuses a second opener of the same folder: another process holds it. */
export function isLocked(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    error.code === 'LEVEL_DATABASE_NOT_OPEN' &&
    error.cause instanceof Error &&
    'code' in error.cause &&
    error.cause.code === 'LEVEL_LOCKED'
  );
}

export function inUse(path: string): ConfigError {
  return new ConfigError(
    `数据目录正被另一个网关使用，请先停止它 / ${path} is in use by another running gateway: stop it first, ` +
      'or give this one its own DATA_DIR.',
  );
}
