import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { EXIT, WalletError } from './errors.js';

/** What a sealed file holds: the wallet itself, or a backup made by `export`. */
export type SealedFormat = 'edu-wallet' | 'edu-wallet-backup';

/** scrypt cost for new files: N = 2^17, r = 8, p = 1 (about 128 MiB and a few tenths of a second). */
const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Bounds on the cost read from a file, so a crafted file can neither skip the KDF nor exhaust memory. */
const MIN_LOG2_N = 10;
const MAX_LOG2_N = 20;

/**
 * Environment variable that lowers the scrypt cost of NEW wallet and backup files (a power of two
 * from 2^10). For tests only: a real wallet must keep the default. Files record their own cost, so
 * they open the same way whatever this variable says later.
 */
export const SCRYPT_N_ENV = 'EDU_WALLET_SCRYPT_N';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

/** scrypt needs 128·N·r bytes; a file asking for more than this is refused rather than obeyed. */
const MAX_SCRYPT_MEMORY = 512 * 1024 * 1024;

const Kdf = z
  .object({
    name: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .refine((n) => Number.isInteger(Math.log2(n)) && n >= 2 ** MIN_LOG2_N && n <= 2 ** MAX_LOG2_N),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: Base64,
  })
  .refine((k) => 128 * k.N * k.r <= MAX_SCRYPT_MEMORY);

/**
 * The file on disk. Everything but `ciphertext` is public; the header (format, version, kdf and
 * cipher name) is the AES-GCM associated data, so changing any of it makes the file fail to open.
 */
const Envelope = z.object({
  format: z.enum(['edu-wallet', 'edu-wallet-backup']),
  version: z.literal(1),
  kdf: Kdf,
  cipher: z.object({ name: z.literal('aes-256-gcm'), iv: Base64, tag: Base64 }),
  /**
   * A 16-byte HMAC of a constant under a key derived with the passphrase. It tells "wrong
   * passphrase" apart from "damaged file", which AES-GCM alone cannot. It gives an attacker nothing
   * the ciphertext does not: both need the full scrypt work per guess.
   */
  check: Base64,
  ciphertext: Base64,
});
type Envelope = z.infer<typeof Envelope>;

function scryptCost(env: NodeJS.ProcessEnv): { N: number; r: number; p: number } {
  const raw = env[SCRYPT_N_ENV];
  if (raw === undefined || raw === '') return { ...DEFAULT_SCRYPT };
  const n = Number(raw);
  if (!Number.isInteger(n) || !Number.isInteger(Math.log2(n)) || n < 2 ** MIN_LOG2_N || n > 2 ** MAX_LOG2_N) {
    throw new WalletError(EXIT.USAGE, 'badScryptCost', { value: raw });
  }
  return { ...DEFAULT_SCRYPT, N: n };
}

function deriveKeys(
  passphrase: string,
  kdf: { N: number; r: number; p: number },
  salt: Buffer,
): Promise<{ encKey: Buffer; check: Buffer }> {
  return new Promise((resolve, reject) => {
    // NFC: the same passphrase typed on another system (composed vs decomposed) opens the file.
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      64,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r },
      (error, derived) => {
        if (error) {
          reject(error);
          return;
        }
        const check = createHmac('sha256', derived.subarray(32))
          .update('edu-wallet passphrase check')
          .digest()
          .subarray(0, 16);
        resolve({ encKey: derived.subarray(0, 32), check });
      },
    );
  });
}

function headerAad(envelope: Pick<Envelope, 'format' | 'version' | 'kdf'>): Buffer {
  return Buffer.from(
    JSON.stringify([envelope.format, envelope.version, envelope.kdf, 'aes-256-gcm']),
    'utf8',
  );
}

/** Encrypts `plaintext` with the passphrase (scrypt, then AES-256-GCM) into a file's JSON text. */
export async function sealText(
  format: SealedFormat,
  passphrase: string,
  plaintext: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const cost = scryptCost(env);
  const salt = randomBytes(16);
  const kdf = { name: 'scrypt' as const, ...cost, salt: salt.toString('base64') };
  const { encKey, check } = await deriveKeys(passphrase, cost, salt);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encKey, iv);
  cipher.setAAD(headerAad({ format, version: 1, kdf }));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const envelope: Envelope = {
    format,
    version: 1,
    kdf,
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    check: check.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/**
 * Opens a sealed file's text: WRONG_PASSPHRASE (exit 2) when the passphrase check fails,
 * CORRUPTED (exit 6) when the file is not one of ours or fails authentication.
 */
export async function openText(
  format: SealedFormat,
  passphrase: string,
  fileText: string,
  file: string,
): Promise<string> {
  let json: unknown;
  try {
    json = JSON.parse(fileText);
  } catch {
    throw new WalletError(EXIT.CORRUPTED, 'corruptedFile', { file });
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) throw new WalletError(EXIT.CORRUPTED, 'corruptedFile', { file });
  const envelope = parsed.data;
  if (envelope.format !== format) {
    throw new WalletError(EXIT.CORRUPTED, format === 'edu-wallet' ? 'notAWallet' : 'notABackup', { file });
  }
  const { encKey, check } = await deriveKeys(
    passphrase,
    envelope.kdf,
    Buffer.from(envelope.kdf.salt, 'base64'),
  );
  const storedCheck = Buffer.from(envelope.check, 'base64');
  if (storedCheck.length !== check.length || !timingSafeEqual(storedCheck, check)) {
    throw new WalletError(EXIT.WRONG_PASSPHRASE, 'wrongPassphrase', { file });
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(envelope.cipher.iv, 'base64'));
    decipher.setAAD(headerAad(envelope));
    decipher.setAuthTag(Buffer.from(envelope.cipher.tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(envelope.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new WalletError(EXIT.CORRUPTED, 'corruptedFile', { file });
  }
}

/**
 * Replaces `path` with `data` so that a reader (or a crash, or a full disk) only ever sees the old
 * file or the new one: write a temporary file in the same folder, fsync it, rename it over the
 * target (atomic within one file system), then fsync the folder so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a folder; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
