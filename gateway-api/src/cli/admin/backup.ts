import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  BackupError,
  MIN_PASSPHRASE_LENGTH,
  RestoreRefused,
  TargetNotEmpty,
  restoreBackup,
  writeBackupFile,
  type Manifest,
} from '../../services/backup.service.js';
import { AdminError, EXIT } from './exit-codes.js';
import type { RegisterCommands } from './index.js';

/**
 * `edu-admin backup --out FILE`: asks the running gateway for a snapshot of the ledger and the
 * gateway store taken at one instant, checks it against its manifest and writes it encrypted under
 * a passphrase (EDU_BACKUP_PASSPHRASE or --passphrase-file; never the master key).
 * `edu-admin restore FILE --data-dir DIR`: restores into an empty or absent DIR, with the gateway
 * stopped, and runs the chain check and the cross-store check before DIR appears.
 */
export const registerBackupCommands: RegisterCommands = (program) => {
  program
    .command('backup')
    .description(
      '备份账本与网关存储（网关运行中）/ Back up the ledger and the gateway store while the gateway runs',
    )
    .requiredOption('--out <file>', '备份文件 / backup file to write')
    .option(
      '--gateway <url>',
      '网关地址 / gateway URL (EDU_GATEWAY_URL)',
      process.env['EDU_GATEWAY_URL'] ?? 'http://127.0.0.1:8080',
    )
    .option(
      '--token-file <file>',
      '教育局管理员令牌文件 / file holding a bureau-admin token (or EDU_ADMIN_TOKEN)',
    )
    .option(
      '--passphrase-file <file>',
      '备份口令文件 / file holding the backup passphrase (or EDU_BACKUP_PASSPHRASE)',
    )
    .action(async (opts: { out: string; gateway: string; tokenFile?: string; passphraseFile?: string }) => {
      const manifest = await backup(
        opts.gateway,
        adminToken(opts.tokenFile),
        passphrase(opts.passphraseFile),
        resolve(opts.out),
      );
      print(
        program,
        { file: resolve(opts.out), manifest },
        `备份完成 / Backup written: ${resolve(opts.out)}\n${summary(manifest)}`,
      );
    });
  program
    .command('restore <file>')
    .description(
      '从备份恢复到空目录（网关停止时）/ Restore a backup into an empty data folder (gateway stopped)',
    )
    .requiredOption(
      '--data-dir <dir>',
      '目标数据目录（不存在或为空）/ data folder to create (absent or empty)',
    )
    .option(
      '--passphrase-file <file>',
      '备份口令文件 / file holding the backup passphrase (or EDU_BACKUP_PASSPHRASE)',
    )
    .action(async (file: string, opts: { dataDir: string; passphraseFile?: string }) => {
      const dataDir = resolve(opts.dataDir);
      const report = await restore(resolve(file), passphrase(opts.passphraseFile), dataDir);
      print(
        program,
        { dataDir, ...report },
        `恢复完成并通过检查 / Restored into ${dataDir}; chain check and cross-store check passed.\n` +
          `${summary(report.manifest)}\n  ${report.stores.anchors} anchors, ${report.stores.growthEntries} growth entries checked`,
      );
    });
};

async function backup(gateway: string, token: string, secret: string, out: string): Promise<Manifest> {
  try {
    return await writeBackupFile(fetchLines(gateway, token), out, secret);
  } catch (error) {
    if (error instanceof BackupError)
      throw new AdminError(
        EXIT.BACKUP,
        `备份数据不完整或已损坏 / The gateway's backup stream is unusable: ${error.message}`,
      );
    throw error;
  }
}

/** The gateway's NDJSON lines, one by one. */
async function* fetchLines(gateway: string, token: string): AsyncGenerator<string> {
  let response: Response;
  try {
    response = await fetch(new URL('/admin/backup', gateway), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  } catch {
    throw new AdminError(EXIT.USAGE, `无法连接网关 / Cannot reach the gateway at ${gateway}`);
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => undefined)) as
      { error?: { message?: string } } | undefined;
    throw new AdminError(
      EXIT.USAGE,
      body?.error?.message ?? `网关拒绝备份 / The gateway refused the backup (HTTP ${response.status})`,
    );
  }
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of response.body) {
    rest += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const text of lines) if (text !== '') yield text;
  }
  if (rest !== '') yield rest;
}

async function restore(file: string, secret: string, dataDir: string): ReturnType<typeof restoreBackup> {
  try {
    return await restoreBackup(file, secret, dataDir);
  } catch (error) {
    if (error instanceof TargetNotEmpty)
      throw new AdminError(
        EXIT.DATA_DIR,
        `目标目录不为空，恢复不会覆盖数据 / ${dataDir} is not empty; a restore never writes over data`,
      );
    if (error instanceof BackupError && error.wrongPassphrase)
      throw new AdminError(EXIT.BACKUP, '备份口令错误 / Wrong backup passphrase');
    if (error instanceof BackupError)
      throw new AdminError(
        EXIT.BACKUP,
        `备份文件已损坏或被改动，未恢复 / The backup file is damaged or altered; nothing was restored: ${error.message}`,
      );
    if (error instanceof RestoreRefused)
      throw new AdminError(
        EXIT.BACKUP,
        `恢复后的检查未通过，目标目录未改动 / The restored data failed its checks; ${dataDir} was left as it was:\n` +
          error.problems.map((p) => `  - ${p}`).join('\n'),
      );
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT')
      throw new AdminError(EXIT.USAGE, `找不到备份文件 / No such backup file: ${file}`);
    throw error;
  }
}

function adminToken(tokenFile: string | undefined): string {
  const token =
    tokenFile === undefined ? process.env['EDU_ADMIN_TOKEN'] : readSecret(tokenFile, '令牌 / token');
  if (!token)
    throw new AdminError(
      EXIT.USAGE,
      '需要教育局管理员令牌 / A bureau-admin token is required: --token-file or EDU_ADMIN_TOKEN',
    );
  return token.trim();
}

function passphrase(file: string | undefined): string {
  const secret =
    file === undefined ? process.env['EDU_BACKUP_PASSPHRASE'] : readSecret(file, '口令 / passphrase');
  if (secret === undefined || secret.trim().length < MIN_PASSPHRASE_LENGTH)
    throw new AdminError(
      EXIT.USAGE,
      `需要至少 ${MIN_PASSPHRASE_LENGTH} 个字符的备份口令 / A backup passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters is required: --passphrase-file or EDU_BACKUP_PASSPHRASE`,
    );
  return secret.trim();
}

function readSecret(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new AdminError(
      EXIT.USAGE,
      `无法读取${what.split(' / ')[0]}文件 / Cannot read the ${what.split(' / ')[1]} file ${file}`,
    );
  }
}

function summary(manifest: Manifest): string {
  return (
    `  账本 / ledger: ${manifest.ledger.count} entries, height ${manifest.ledger.height}, tip ${manifest.ledger.tipHash.slice(0, 16)}…\n` +
    `  网关存储 / gateway store: ${manifest.gateway.count} entries`
  );
}

function print(program: Command, json: unknown, text: string): void {
  console.log(program.opts<{ json?: boolean }>().json ? JSON.stringify(json) : text);
}
