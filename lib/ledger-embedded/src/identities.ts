import type { ClientIdentity } from '@edu-ledger/domain';

/**
 * A client identity in Fabric's `getID()` form (`x509::<subject>::<issuer>`). The embedded ledger
 * has no certificates, so the gateway and tests build the same strings a Fabric CA would, with the
 * NodeOU in the subject: `admin` for an MSP admin, `client` for everyone else.
 */
export function x509Identity(
  mspId: string,
  commonName: string,
  ou: 'admin' | 'client' = 'client',
): ClientIdentity {
  return { mspId, id: `x509::/OU=${ou}/CN=${commonName}::/CN=ca.${mspId.toLowerCase()}` };
}
