import { createHmac } from 'node:crypto';
import { generateMnemonic, mnemonicToSeed, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import type { ExportedKey } from '@edu-ledger/credentials';
import { EXIT, WalletError } from './errors.js';

/**
 * The holder key's derivation path: SLIP-0010 for Ed25519, hardened account 0. Only hardened steps
 * exist for Ed25519; later accounts (m/1', ...) can be added without changing this DID.
 */
export const DERIVATION_PATH = "m/0'";
const HARDENED = 0x80000000;

/** The holder's identity: its did:key, the signing key and the 32-byte Ed25519 seed behind both. */
export interface HolderIdentity {
  did: string;
  key: ExportedKey;
  /** The Ed25519 private key seed (did-jwt's EdDSASigner takes it as is). */
  seed: Uint8Array;
}

/** A fresh 12-word English BIP-39 mnemonic: 128 bits of entropy, Ed25519's security level. */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 128);
}

/** Lower-cases and collapses whitespace, so words pasted from paper or a chat still restore. */
export function normaliseMnemonic(words: string): string {
  return words.trim().toLowerCase().split(/\s+/).join(' ');
}

/** Checks the words and their BIP-39 checksum (USAGE error otherwise). */
export function requireValidMnemonic(words: string): void {
  if (!validateMnemonic(normaliseMnemonic(words), wordlist)) throw new WalletError(EXIT.USAGE, 'badMnemonic');
}

/**
 * SLIP-0010 Ed25519 derivation: master = HMAC-SHA512("ed25519 seed", seed), then one
 * HMAC-SHA512(chain code, 0x00 ‖ key ‖ index) per hardened step; the left 32 bytes are the key.
 */
export function slip10Ed25519(seed: Uint8Array, path: readonly number[]): Uint8Array {
  let digest = createHmac('sha512', 'ed25519 seed').update(seed).digest();
  for (const index of path) {
    const data = Buffer.alloc(37);
    digest.copy(data, 1, 0, 32);
    data.writeUInt32BE((index | HARDENED) >>> 0, 33);
    digest = createHmac('sha512', digest.subarray(32)).update(data).digest();
  }
  return new Uint8Array(digest.subarray(0, 32));
}

/**
 * The holder identity for a mnemonic: BIP-39 seed (PBKDF2, empty BIP-39 passphrase: the wallet
 * passphrase protects the file, not the words), then SLIP-0010 at {@link DERIVATION_PATH}, then
 * `didKeyFromSeed`. The same words always give the same DID.
 */
export async function identityFromMnemonic(words: string): Promise<HolderIdentity> {
  const mnemonic = normaliseMnemonic(words);
  requireValidMnemonic(mnemonic);
  const bip39Seed = await mnemonicToSeed(mnemonic);
  const seed = slip10Ed25519(bip39Seed, [0]);
  // Loaded on demand: the VC library (JSON-LD, contexts) is most of edu-wallet's start-up time,
  // and commands that only read the wallet never need it.
  const { didKeyFromSeed } = await import('@edu-ledger/credentials');
  const { did, key } = await didKeyFromSeed(seed);
  return { did, key, seed };
}
