import { ZERO_HASH, headerHash, type Block } from './block.js';
import { verifyHeadSignature, type RecordedNodeKey, type SignedHead } from './node-key.js';

/** The result of comparing a kept signed head with the current chain; never throws on a mismatch. */
export interface HeadCheck {
  ok: boolean;
  /** The kept head's height and the chain's current height. */
  headHeight: number;
  chainHeight: number;
  problems: string[];
}

/**
 * Checks that a head kept earlier (by an inspector, or `ledger:verify --save-head`) is still part
 * of the chain: signed by the recorded node key, not above the tip, and the block at
 * `height - 1` still has hash `lastHash`. A chain rewritten after the head was kept — even one
 * whose hashes were all recomputed and re-signed with the node key — fails the last test.
 */
export async function verifyAgainstHead(
  head: SignedHead,
  chain: {
    height: number;
    recordedKey: RecordedNodeKey;
    getBlock: (n: number) => Promise<Block | undefined>;
  },
): Promise<HeadCheck> {
  const problems: string[] = [];
  if (!verifyHeadSignature(head))
    problems.push('the kept head signature does not verify with its own public key');
  if (head.publicKey.trim() !== chain.recordedKey.publicKey.trim()) {
    problems.push('the kept head was signed by a different node key than the one the ledger records');
  }
  if (head.height > chain.height) {
    problems.push(`the ledger has ${chain.height} block(s), fewer than the ${head.height} of the kept head`);
  } else if (head.height === 0) {
    if (head.lastHash !== ZERO_HASH) problems.push('the kept head of an empty chain has a non-zero hash');
  } else {
    const block = await chain.getBlock(head.height - 1);
    const hash = block ? headerHash(block.header) : undefined;
    if (hash === undefined) problems.push(`block ${head.height - 1} of the kept head is missing`);
    else if (hash !== head.lastHash) {
      problems.push(
        `block ${head.height - 1} has hash ${hash} but the kept head says ${head.lastHash}: ` +
          'the chain was rewritten after the head was kept',
      );
    }
  }
  return { ok: problems.length === 0, headHeight: head.height, chainHeight: chain.height, problems };
}

/**
 * Reads a signed head from parsed JSON (a saved file, an HTTP answer).
 *
 * @throws TypeError when a field is missing or of the wrong type.
 */
export function parseSignedHead(value: unknown): SignedHead {
  if (typeof value !== 'object' || value === null) throw new TypeError('a signed head must be a JSON object');
  const field = (name: string): unknown => Reflect.get(value, name);
  const height = field('height');
  const texts = ['lastHash', 'signature', 'publicKey', 'signedAt'].map((name) => {
    const v = field(name);
    if (typeof v !== 'string') throw new TypeError(`signed head: ${name} must be a string`);
    return v;
  });
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0) {
    throw new TypeError('signed head: height must be a non-negative integer');
  }
  const [lastHash = '', signature = '', publicKey = '', signedAt = ''] = texts;
  return { height, lastHash, signature, publicKey, signedAt };
}
