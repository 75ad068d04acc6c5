import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The vault's master key: the configured one (EDU_MASTER_KEY) when given; otherwise, in demo mode,
 * one generated on first use and kept beside the data (mode 0600). Production refuses to start
 * without EDU_MASTER_KEY (config.ts), so it never reaches the fallback.
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
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
