import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Block } from './block.js';

/**
 * The latest committed block head, signed with the ledger's node key. An inspector who keeps a copy
 * can later prove that the chain was not rewritten behind it (see `verifyAgainstHead`): recomputing
 * every hash is easy, producing the block at `height - 1` with hash `lastHash` again is not.
 */
export interface SignedHead {
  /** Number of blocks; the head is block `height - 1`. */
  height: number;
  /** Header hash of block `height - 1` (hex). */
  lastHash: string;
  /** Ed25519 signature over `headMessage(head)`, base64. */
  signature: string;
  /** The node key's public half: SPKI, PEM. */
  publicKey: string;
  /** When the node signed this head (ISO 8601); part of the signed message. */
  signedAt: string;
}

/** The node's public key as the ledger's meta records it, and the first block it signed. */
export interface RecordedNodeKey {
  publicKey: string;
  /** Blocks numbered below this were committed before the ledger had a node key. */
  since: number;
}

/**
 * The exact bytes a head signature covers. A fixed text prefix keeps a head signature from being
 * mistaken for any other Ed25519 signature made with the same key.
 */
export function headMessage(head: Pick<SignedHead, 'height' | 'lastHash' | 'signedAt'>): Buffer {
  return Buffer.from(`edu-ledger/head/v1\n${head.height}\n${head.lastHash}\n${head.signedAt}`, 'utf8');
}

/** True when `signature` is the node key's signature over the head's message. */
export function verifyHeadSignature(head: SignedHead, publicKey = head.publicKey): boolean {
  try {
    return verify(null, headMessage(head), createPublicKey(publicKey), Buffer.from(head.signature, 'base64'));
  } catch {
    // A malformed key or signature is a failed verification, not a crash of the check.
    return false;
  }
}

/** The signed head a stored block carries, if it carries one. */
export function headOfBlock(block: Block, publicKey: string, lastHash: string): SignedHead | undefined {
  if (!block.signature) return undefined;
  return {
    height: block.header.number + 1,
    lastHash,
    signature: block.signature.value,
    publicKey,
    signedAt: block.signature.signedAt,
  };
}

/** The node's signing key, loaded from (or created in) its file. */
export class NodeKey {
  private constructor(
    private readonly privateKey: KeyObject,
    /** SPKI PEM of the public half. */
    readonly publicKey: string,
  ) {}

  /**
   * Reads the key file, or creates it (mode 0600, never overwriting) when `create` is set. Returns
   * undefined when the file is absent and may not be created.
   */
  static load(file: string, create: boolean): NodeKey | undefined {
    if (!existsSync(file)) {
      if (!create) return undefined;
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
      // 'wx': two processes racing to create the key must not overwrite each other's.
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    }
    // The umask cannot widen 0600, but a restored backup may have; the key must stay private.
    chmodSync(file, 0o600);
    const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    return new NodeKey(privateKey, publicKey);
  }

  /** Signs a head with this key. */
  signHead(height: number, lastHash: string, signedAt: string): SignedHead {
    const signature = sign(null, headMessage({ height, lastHash, signedAt }), this.privateKey);
    return { height, lastHash, signature: signature.toString('base64'), publicKey: this.publicKey, signedAt };
  }
}
