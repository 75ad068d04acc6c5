import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A master key that cannot be used: missing, unreadable, malformed, or not the one this data was
 * sealed with. Its message is bilingual and names no key material; main() prints it and exits 1.
 */
export class MasterKeyError extends Error {
  constructor(zh: string, en: string) {
    super(`${zh} / ${en}`);
    this.name = 'MasterKeyError';
  }
}

/** Where the key came from, for messages (never the key itself). */
export interface MasterKeySource {
  /** The key, or undefined when demo mode may generate one at `generateAt`. */
  key: Buffer | undefined;
  generateAt?: string;
  /**
   * Set when the data folder already held stores: no key may be made. Thrown by
   * {@link settleMasterKey}, after the stores were opened, so a store-format refusal comes first.
   */
  refusal?: MasterKeyError;
}

/** Reads a key file: 32 bytes, base64-encoded (what `openssl rand -base64 32` writes). */
export function readMasterKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new MasterKeyError(`无法读取主密钥文件 ${file}`, `cannot read the master key file ${file}`);
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new MasterKeyError(
      `主密钥文件 ${file} 格式不正确（应为 base64 编码的 32 字节）`,
      `the master key file ${file} is not 32 bytes, base64-encoded`,
    );
  }
  return key;
}

/**
 * The configured master key: EDU_MASTER_KEY_FILE, else EDU_MASTER_KEY, else (demo only)
 * DATA_DIR/master.key. Called before any store is opened, so that "is the data folder empty" is
 * answered before opening it creates anything.
 */
export function locateMasterKey(
  config: { EDU_MODE: string; EDU_MASTER_KEY?: Buffer | undefined; EDU_MASTER_KEY_FILE?: string | undefined },
  dataDir: string,
): MasterKeySource {
  if (config.EDU_MASTER_KEY_FILE !== undefined) return { key: readMasterKeyFile(config.EDU_MASTER_KEY_FILE) };
  if (config.EDU_MASTER_KEY !== undefined) return { key: config.EDU_MASTER_KEY };
  // config.ts already refuses production without a key; this is the demo fallback.
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) return { key: readMasterKeyFile(file) };
  if (holdsStores(dataDir)) {
    // The "healthy, 0 of 20 persons readable": a new key over existing data opens nothing.
    const refusal = new MasterKeyError(
      `数据目录 ${dataDir} 已有数据，但找不到主密钥（EDU_MASTER_KEY_FILE、EDU_MASTER_KEY 或 ${file}）；不会在已有数据上生成新密钥`,
      `DATA_DIR ${dataDir} holds data but no master key was found (EDU_MASTER_KEY_FILE, EDU_MASTER_KEY or ${file}); ` +
        'a new key is never generated over existing data',
    );
    return { key: undefined, refusal };
  }
  return { key: undefined, generateAt: file };
}

/** Whether a gateway store or ledger was ever created in this data folder. */
function holdsStores(dataDir: string): boolean {
  return ['gateway', 'ledger'].some((name) => {
    const dir = join(dataDir, name);
    return existsSync(dir) && readdirSync(dir).length > 0;
  });
}

/** The key of a source, generating the demo key file (mode 0600) when the source says so. */
export function settleMasterKey(source: MasterKeySource, onGenerated: (file: string) => void): Buffer {
  if (source.key) return source.key;
  if (source.refusal) throw source.refusal;
  const file = source.generateAt as string;
  writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  onGenerated(file);
  return readMasterKeyFile(file);
}

/**
 * The older entry point (`npm run demo` uses it): the configured key when given, otherwise the
 * demo key in DATA_DIR/master.key, generated when absent. The gateway itself goes through
 * {@link locateMasterKey}, which refuses to generate over existing data.
 */
export function loadMasterKey(
  configured: Buffer | undefined,
  dataDir: string,
  onGenerated: (file: string) => void = () => undefined,
): Buffer {
  if (configured) return configured;
  const file = join(dataDir, 'master.key');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    onGenerated(file);
  }
  return readMasterKeyFile(file);
}
