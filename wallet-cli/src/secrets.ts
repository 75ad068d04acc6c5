import { EXIT, WalletError } from './errors.js';
import type { Translate } from './i18n.js';

/** Where the passphrase comes from when no one is at a terminal (scripts, CI, tests). */
export const PASSPHRASE_ENV = 'EDU_WALLET_PASSPHRASE';
/** Optional separate passphrase for backups made by `export` and read by `import`. */
export const BACKUP_PASSPHRASE_ENV = 'EDU_WALLET_BACKUP_PASSPHRASE';
/** Where `restore` reads the words from when `--mnemonic` is not given (keeps them out of `ps`). */
export const MNEMONIC_ENV = 'EDU_WALLET_MNEMONIC';

/** New wallets and backups need at least this many characters. */
export const MIN_PASSPHRASE_LENGTH = 8;

/** Characters typed ahead of a prompt (e.g. both passphrase lines pasted at once), kept for the next one. */
let typeahead = '';

/**
 * Reads one line from the terminal without echoing it (raw mode), for passphrases and mnemonics.
 * The prompt goes to stderr so stdout stays clean for `--json` and pipes.
 */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new WalletError(EXIT.USAGE, 'noTerminal'));
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    let done = false;
    const finish = (): void => {
      done = true;
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      const chars = Array.from(chunk);
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i] ?? '';
        if (ch === '\r' || ch === '\n') {
          typeahead = chars
            .slice(i + 1)
            .join('')
            .replace(/^\n/, '');
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
          finish();
          reject(new WalletError(EXIT.USAGE, 'cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    const pending = typeahead;
    typeahead = '';
    if (pending !== '') onData(pending);
    if (done) return;
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * The wallet passphrase: `EDU_WALLET_PASSPHRASE`, else a hidden prompt. For a new wallet (`fresh`)
 * it must be long enough and, when typed, typed twice.
 */
export async function walletPassphrase(t: Translate, fresh = false): Promise<string> {
  const fromEnv = process.env[PASSPHRASE_ENV];
  let passphrase: string;
  if (fromEnv !== undefined && fromEnv !== '') {
    passphrase = fromEnv;
  } else {
    if (!process.stdin.isTTY) throw new WalletError(EXIT.USAGE, 'noPassphrase', { env: PASSPHRASE_ENV });
    passphrase = await promptHidden(t(fresh ? 'promptNewPassphrase' : 'promptPassphrase'));
    if (fresh && (await promptHidden(t('promptConfirmPassphrase'))) !== passphrase) {
      throw new WalletError(EXIT.USAGE, 'passphraseMismatch');
    }
  }
  if (fresh && Array.from(passphrase).length < MIN_PASSPHRASE_LENGTH) {
    throw new WalletError(EXIT.USAGE, 'weakPassphrase', { min: MIN_PASSPHRASE_LENGTH });
  }
  return passphrase;
}

/**
 * The backup passphrase: `EDU_WALLET_BACKUP_PASSPHRASE`; else, at a terminal, a prompt where
 * Enter alone means "the wallet passphrase"; else the wallet passphrase.
 */
export async function backupPassphrase(t: Translate, walletPass: string, fresh: boolean): Promise<string> {
  const fromEnv = process.env[BACKUP_PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fresh && Array.from(fromEnv).length < MIN_PASSPHRASE_LENGTH) {
      throw new WalletError(EXIT.USAGE, 'weakPassphrase', { min: MIN_PASSPHRASE_LENGTH });
    }
    return fromEnv;
  }
  if (!process.stdin.isTTY) return walletPass;
  const typed = await promptHidden(t('promptBackupPassphrase'));
  if (typed === '') return walletPass;
  if (fresh) {
    if (Array.from(typed).length < MIN_PASSPHRASE_LENGTH) {
      throw new WalletError(EXIT.USAGE, 'weakPassphrase', { min: MIN_PASSPHRASE_LENGTH });
    }
    if ((await promptHidden(t('promptConfirmPassphrase'))) !== typed) {
      throw new WalletError(EXIT.USAGE, 'passphraseMismatch');
    }
  }
  return typed;
}

/** The recovery words for `restore`: the option, else `EDU_WALLET_MNEMONIC`, else a hidden prompt. */
export async function mnemonicInput(t: Translate, option: string | undefined): Promise<string> {
  if (option !== undefined && option !== '') return option;
  const fromEnv = process.env[MNEMONIC_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new WalletError(EXIT.USAGE, 'noMnemonic', { env: MNEMONIC_ENV });
  return promptHidden(t('promptMnemonic'));
}
