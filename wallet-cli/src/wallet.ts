import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { EXIT, WalletError } from './errors.js';
import { identityFromMnemonic, requireValidMnemonic, type HolderIdentity } from './identity.js';
import { openText, sealText, writeFileAtomic, type SealedFormat } from './sealed-file.js';

/** File name of the encrypted wallet inside the wallet folder. */
export const WALLET_FILE = 'wallet.json';
const LOCK_FILE = 'wallet.lock';

const Localised = z.object({ zh: z.string(), en: z.string() });

/** One credential as the wallet keeps it, with what it learnt about the issuer when it was received. */
export const StoredCredential = z.object({
  id: z.string(),
  receivedAt: z.string(),
  /** The offer URL it was claimed from, or `import`. */
  source: z.string(),
  issuer: z.object({ did: z.string(), orgId: z.string().optional(), name: Localised.optional() }),
  credential: z.record(z.string(), z.unknown()),
});
export type StoredCredential = z.infer<typeof StoredCredential>;

/**
 * The decrypted wallet. The mnemonic is the root secret (keys are re-derived from it on every
 * open and checked against `did`); issuer DID documents are cached at receive time so `verify
 * --offline` can check signatures of did:web issuers without any network.
 */
export const WalletData = z.object({
  version: z.literal(1),
  did: z.string(),
  mnemonic: z.string(),
  createdAt: z.string(),
  credentials: z.array(StoredCredential),
  didDocuments: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export type WalletData = z.infer<typeof WalletData>;

/**
 * An opened wallet: its data, and the identity derived from its mnemonic on first use (only the
 * commands that sign or check signatures pay for loading the VC library).
 */
export interface OpenWallet {
  data: WalletData;
  identity: () => Promise<HolderIdentity>;
}

/** The wallet folder: `EDU_WALLET_HOME`, else `~/.edu-wallet`. */
export function walletHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.EDU_WALLET_HOME;
  return resolve(configured !== undefined && configured !== '' ? configured : join(homedir(), '.edu-wallet'));
}

/** Parses decrypted text into wallet data and re-derives the identity; CORRUPTED if anything is off. */
export async function parseWalletText(text: string, file: string): Promise<OpenWallet> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WalletError(EXIT.CORRUPTED, 'corruptedFile', { file });
  }
  const parsed = WalletData.safeParse(json);
  if (!parsed.success) throw new WalletError(EXIT.CORRUPTED, 'corruptedFile', { file });
  const data = parsed.data;
  try {
    requireValidMnemonic(data.mnemonic);
  } catch {
    throw new WalletError(EXIT.CORRUPTED, 'corruptedFile', { file });
  }
  let derived: Promise<HolderIdentity> | undefined;
  const identity = (): Promise<HolderIdentity> => {
    derived ??= identityFromMnemonic(data.mnemonic).then((id) => {
      // The file authenticated, so a mismatch means it was written wrong: never sign as another DID.
      if (id.did !== data.did) throw new WalletError(EXIT.CORRUPTED, 'corruptedFile', { file });
      return id;
    });
    return derived;
  };
  return { data, identity };
}

/** Encrypts wallet data for a wallet file or a backup. */
export function sealWallet(format: SealedFormat, passphrase: string, data: WalletData): Promise<string> {
  return sealText(format, passphrase, JSON.stringify(WalletData.parse(data)));
}

/** The wallet folder on disk: reading, atomic saving, and a lock around read-modify-write. */
export class WalletStore {
  readonly file: string;

  constructor(readonly home: string) {
    this.file = join(home, WALLET_FILE);
  }

  /** True when the folder holds anything but our own lock or temporary files. */
  async hasContent(): Promise<boolean> {
    let names: string[];
    try {
      names = await readdir(this.home);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return false;
      throw error;
    }
    return names.some((name) => name !== LOCK_FILE && !name.endsWith('.tmp'));
  }

  /** Opens the wallet: NOT_FOUND without one, WRONG_PASSPHRASE or CORRUPTED as the file says. */
  async open(passphrase: string): Promise<OpenWallet> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) throw new WalletError(EXIT.NOT_FOUND, 'noWallet', { home: this.home });
      throw error;
    }
    return parseWalletText(await openText('edu-wallet', passphrase, text, this.file), this.file);
  }

  /** Writes the whole wallet atomically (see writeFileAtomic): a crash leaves the old or the new. */
  async save(passphrase: string, data: WalletData): Promise<void> {
    await mkdir(this.home, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, await sealWallet('edu-wallet', passphrase, data));
  }

  /**
   * Runs `work` holding the folder's lock, so two edu-wallet processes never both read the wallet,
   * change it and write it back (the second write would silently drop the first one's change).
   * A lock left by a process that no longer exists is taken over.
   */
  async withLock<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(this.home, { recursive: true, mode: 0o700 });
    const lock = join(this.home, LOCK_FILE);
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lock, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if (!isErrno(error, 'EEXIST') || attempt > 0) {
          if (isErrno(error, 'EEXIST')) throw new WalletError(EXIT.BUSY, 'walletBusy', { home: this.home });
          throw error;
        }
        const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
          throw new WalletError(EXIT.BUSY, 'walletBusy', { home: this.home });
        }
        await rm(lock, { force: true });
      }
    }
    try {
      return await work();
    } finally {
      await rm(lock, { force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrno(error, 'EPERM');
  }
}

/** Finds a credential by full id, by its uuid, or by an unambiguous uuid prefix (4+ characters). */
export function findCredential(data: WalletData, ref: string): StoredCredential {
  const wanted = ref.trim().toLowerCase();
  const exact = data.credentials.find((c) => c.id.toLowerCase() === wanted || shortUuid(c.id) === wanted);
  if (exact) return exact;
  const matches =
    wanted.length >= 4 ? data.credentials.filter((c) => shortUuid(c.id).startsWith(wanted)) : [];
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) throw new WalletError(EXIT.USAGE, 'ambiguousCredential', { ref });
  throw new WalletError(EXIT.NOT_FOUND, 'unknownCredential', { ref });
}

/** The uuid part of a `urn:uuid:` id (the whole id otherwise), lower-cased. */
export function shortUuid(id: string): string {
  return id.toLowerCase().replace(/^urn:uuid:/, '');
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
