import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DomainError } from '@edu-ledger/domain';

/** AES-256-GCM ciphertext with its nonce and tag, base64 fields for JSON storage. */
export interface Sealed {
  iv: string;
  tag: string;
  ct: string;
}

/**
 * Encrypts with AES-256-GCM. The associated data binds a ciphertext to its record (e.g. the
 * subject id), so a ciphertext copied onto another record does not decrypt.
 */
export function seal(key: Buffer, plaintext: Buffer | string, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

export function unseal(key: Buffer, sealed: Sealed, aad: string): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  } catch {
    throw new DomainError('INTERNAL', 'stored ciphertext failed authentication');
  }
}

/** Derives purpose-specific keys from the master key so no key is used for two jobs. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `edu-ledger/${purpose}`, 32));
}
