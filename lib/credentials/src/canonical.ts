import { createHash } from 'node:crypto';
import { canonicalJson } from '@edu-ledger/domain';

export { canonicalJson };

/**
 * Lower-case hex SHA-256 of the canonical JSON of the whole signed credential, proof included.
 * This is what the ledger anchors: any changed byte of the credential changes it.
 *
 * One exception: a single proof given as a one-item array is the same document as that proof given
 * alone (JSON-LD reads both alike), and hashes alike. Open Badges' JSON Schema wants the array and
 * most tools write the object, so a credential keeps its anchor whichever way a tool rewrites it.
 */
export function credentialDigest(vc: object): string {
  const proof: unknown = (vc as { proof?: unknown }).proof;
  const document = Array.isArray(proof) && proof.length === 1 ? { ...vc, proof: proof[0] as unknown } : vc;
  return createHash('sha256').update(canonicalJson(document), 'utf8').digest('hex');
}
