import { createHash } from 'node:crypto';
import { canonicalJson } from '@edu-ledger/domain';

export { canonicalJson };

/**
 * Lower-case hex SHA-256 of the canonical JSON of the whole signed credential, proof included.
 * This is what the ledger anchors: any changed byte of the credential changes it.
 */
export function credentialDigest(vc: object): string {
  return createHash('sha256').update(canonicalJson(vc), 'utf8').digest('hex');
}
