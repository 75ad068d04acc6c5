import { createHash } from 'node:crypto';

/**
 * A binary SHA-256 Merkle tree over hex digests. Leaves and inner nodes are domain-separated
 * (0x00 / 0x01 prefixes) so an inner node can never be passed off as a leaf. An odd node at the
 * end of a level is promoted unchanged.
 */
export interface MerkleStep {
  /** Sibling hash, hex. */
  hash: string;
  /** Which side the sibling is on. */
  side: 'left' | 'right';
}

function hashLeaf(digestHex: string): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(Buffer.from(digestHex, 'hex'))
    .digest();
}

function hashPair(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

function levels(digests: readonly string[]): Buffer[][] {
  if (digests.length === 0) throw new RangeError('merkle: no leaves');
  const out: Buffer[][] = [digests.map(hashLeaf)];
  let level = out[0] ?? [];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i];
      const right = level[i + 1];
      if (left === undefined) break;
      next.push(right === undefined ? left : hashPair(left, right));
    }
    out.push(next);
    level = next;
  }
  return out;
}

/** Root of the tree over the given leaf digests (hex). */
export function merkleRoot(digests: readonly string[]): string {
  const all = levels(digests);
  const top = all[all.length - 1]?.[0];
  if (!top) throw new RangeError('merkle: empty tree');
  return top.toString('hex');
}

/** Root plus one inclusion proof per leaf, in leaf order. */
export function merkleProofs(digests: readonly string[]): { root: string; proofs: MerkleStep[][] } {
  const all = levels(digests);
  const proofs = digests.map((_, leafIndex) => {
    const proof: MerkleStep[] = [];
    let index = leafIndex;
    for (let depth = 0; depth < all.length - 1; depth++) {
      const level = all[depth] ?? [];
      const isRight = index % 2 === 1;
      const sibling = level[isRight ? index - 1 : index + 1];
      if (sibling) proof.push({ hash: sibling.toString('hex'), side: isRight ? 'left' : 'right' });
      index = Math.floor(index / 2);
    }
    return proof;
  });
  return { root: merkleRoot(digests), proofs };
}

/** Recomputes the root from a leaf digest and its proof. */
export function rootFromProof(digestHex: string, proof: readonly MerkleStep[]): string {
  let node = hashLeaf(digestHex);
  for (const step of proof) {
    const sibling = Buffer.from(step.hash, 'hex');
    node = step.side === 'left' ? hashPair(sibling, node) : hashPair(node, sibling);
  }
  return node.toString('hex');
}
