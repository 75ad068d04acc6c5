import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Endpoint = z.object({
  /** host:port to dial. */
  endpoint: z.string().regex(/^[^\s:]+:\d{1,5}$/),
  /** The name in the node's TLS certificate, when it differs from the host dialled. */
  hostAlias: z.string().min(1).optional(),
  /** PEM file of the CA that signed the node's TLS certificate. */
  tlsRootCert: z.string().min(1),
});

/**
 * What a client needs to reach a Fabric network: the channel and chaincode, and for each
 * organisation its gateway peer and the folder of client identities it holds (one sub-folder per
 * identity with `cert.pem` and `key.pem`). test-network writes one; a real deployment writes its own.
 */
export const ConnectionProfile = z.object({
  channel: z.string().regex(/^[a-z][a-z0-9.-]*$/),
  chaincode: z.string().regex(/^[A-Za-z0-9_-]+$/),
  orgs: z.record(
    z.string(),
    z.object({
      mspId: z.string().min(1),
      peer: Endpoint,
      identitiesDir: z.string().min(1),
    }),
  ),
  orderers: z.array(Endpoint).optional(),
});
export type ConnectionProfile = z.infer<typeof ConnectionProfile>;

/** Reads and validates a connection profile, naming the file and the field in any error. */
export function loadConnectionProfile(path: string): ConnectionProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read Fabric connection profile ${path}: ${reason}`, { cause: error });
  }
  const parsed = ConnectionProfile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid Fabric connection profile ${path}: ${issues}`);
  }
  return parsed.data;
}
